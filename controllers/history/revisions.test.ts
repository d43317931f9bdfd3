import { expect } from 'chai';
import { nextRevision, planHistory, sameData, templateOf, templatePatch } from './revisions.js';
import type { ControllerRevision } from './types.js';

const rev = (name: string, revision: number): ControllerRevision => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name }, revision });

describe('controller history', () => {
  it('a template as its patch and back', () => {
    const t = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const data = templatePatch(t);
    expect(data).to.deep.equal({ spec: { template: { ...t, $patch: 'replace' } } });
    expect(templateOf({ ...rev('x', 1), data })).to.deep.equal(t);
    expect(templateOf({ ...rev('x', 1), data: { spec: {} } })).to.equal(undefined);
  });
  it('sameData ignores key order and empty values', () => {
    expect(sameData({ a: 1, b: { c: [] } }, { a: 1 })).to.equal(true);
    expect(sameData({ a: 1 }, { a: 2 })).to.equal(false);
  });
  it('nextRevision', () => expect([nextRevision([]), nextRevision([rev('a', 3), rev('b', 1)])]).to.deep.equal([1, 4]));

  const cases: { name: string; revisions: ControllerRevision[]; current?: string; live?: string[]; limit: number; want: { create?: number; bump?: number; prune?: string[] } }[] = [
    { name: 'nothing holds the template: create max+1', revisions: [rev('a', 1), rev('b', 2)], limit: 10, want: { create: 3 } },
    { name: 'the newest holds it: nothing', revisions: [rev('a', 1), rev('b', 2)], current: 'b', limit: 10, want: {} },
    { name: 'an older one holds it: renumber to max+1', revisions: [rev('a', 1), rev('b', 2)], current: 'a', limit: 10, want: { bump: 3 } },
    { name: 'limit 1: the oldest unused go, the current and live stay', revisions: [rev('a', 1), rev('b', 2), rev('c', 3), rev('d', 4)], current: 'd', live: ['a'], limit: 1, want: { prune: ['b'] } },
    { name: 'limit 0: every unused old one goes', revisions: [rev('a', 1), rev('b', 2)], current: 'b', limit: 0, want: { prune: ['a'] } },
  ];
  for (const tc of cases) {
    it(`planHistory: ${tc.name}`, () => {
      const current = tc.revisions.find((r) => r.metadata.name === tc.current);
      const plan = planHistory({ revisions: tc.revisions, current, make: (n) => rev('new', n), live: (r) => (tc.live ?? []).includes(r.metadata.name ?? ''), limit: tc.limit });
      expect(plan.create?.revision).to.equal(tc.want.create);
      expect(plan.bump?.to).to.equal(tc.want.bump);
      expect(plan.prune.map((r) => r.metadata.name)).to.deep.equal(tc.want.prune ?? []);
    });
  }
});
