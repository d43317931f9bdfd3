import { expect } from 'chai';
import { newRevision, resolveRevisions } from './revisions.js';
import { revisionHash } from '../history/revisions.js';
import { makeStatefulSet, revision, stsPod } from './testing.js';
import type { ControllerRevision, StatefulSet } from './types.js';

const revOf = (set: StatefulSet, n: number): ControllerRevision => {
  const r = newRevision(set, revisionHash(set.spec?.template), n);
  r.metadata.uid = `${r.metadata.name ?? ''}-uid`;
  return r;
};

describe('statefulset revisions', () => {
  const v1 = makeStatefulSet().image('busybox:1').obj();
  const v2 = makeStatefulSet().image('busybox:2').obj();
  const v3 = makeStatefulSet().image('busybox:3').obj();

  it('first sync: revision 1 is made; current = update', () => {
    const s = resolveRevisions(v1, [], []);
    expect(s.plan.create?.revision).to.equal(1);
    expect(s.plan.create?.metadata.name).to.equal(`web-${revisionHash(v1.spec?.template)}`);
    expect(s.plan.create?.metadata.labels).to.include({ app: 'web', 'controller.kubernetes.io/hash': revisionHash(v1.spec?.template) });
    expect(s.plan.create?.data).to.deep.equal({ spec: { template: { ...v1.spec!.template, $patch: 'replace' } } });
    expect(s.update.name).to.equal(s.plan.create?.metadata.name);
    expect(s.current).to.deep.equal(s.update);
  });

  it('the template in force has the newest revision: nothing to write', () => {
    const s = resolveRevisions(v2, [revOf(v1, 1), revOf(v2, 2)], []);
    expect(s.plan).to.deep.equal({ prune: [] });
  });

  it('a new template: revision max+1; current stays what the status names, with its template', () => {
    const r1 = revOf(v1, 1);
    const set = { ...v2, status: { replicas: 3, currentRevision: r1.metadata.name } };
    const s = resolveRevisions(set, [r1], []);
    expect(s.plan.create?.revision).to.equal(2);
    expect(s.current.name).to.equal(r1.metadata.name);
    expect(s.current.template).to.deep.equal(v1.spec!.template);
  });

  it('rolled back to an older template: that revision is renumbered, not copied', () => {
    const r1 = revOf(v1, 1);
    const s = resolveRevisions(v1, [r1, revOf(v2, 2), revOf(v3, 3)], []);
    expect(s.plan.create).to.equal(undefined);
    expect(s.plan.bump).to.deep.equal({ revision: r1, to: 4 });
    expect(s.update.name).to.equal(r1.metadata.name);
  });

  it('the name taken by a revision with other data: a collision, nothing written', () => {
    const other = revOf(v1, 1);
    other.data = { spec: { template: { metadata: { labels: { app: 'other' } }, $patch: 'replace' } } };
    other.metadata.name = `web-${revisionHash(v1.spec?.template)}`;
    const s = resolveRevisions(v1, [other], []);
    expect(s.collision).to.equal(true);
    expect(s.plan).to.deep.equal({ prune: [] });
    const next = resolveRevisions({ ...v1, status: { replicas: 0, collisionCount: 1 } }, [other], []);
    expect(next.collision).to.equal(false);
    expect(next.update.name).to.not.equal(other.metadata.name);
  });

  it('past revisionHistoryLimit: the oldest unused go; those pods or the status use stay', () => {
    const sets = [1, 2, 3, 4, 5].map((i) => makeStatefulSet().image(`busybox:${i}`).obj());
    const revs = sets.map((s, i) => revOf(s, i + 1));
    const set = { ...sets[4]!, spec: { ...sets[4]!.spec, revisionHistoryLimit: 1 }, status: { replicas: 1, currentRevision: revs[3]!.metadata.name } };
    const used = stsPod(set, 0, revision(revs[0]!.metadata.name ?? '', set));
    const s = resolveRevisions(set, revs, [used]);
    expect(s.plan.prune.map((r) => r.revision)).to.deep.equal([2]);
  });

  it('the set annotations are copied (kubectl rollout history shows change-cause)', () => {
    const set = makeStatefulSet().obj();
    set.metadata.annotations = { 'kubernetes.io/change-cause': 'kubectl set image' };
    expect(resolveRevisions(set, [], []).plan.create?.metadata.annotations).to.deep.equal({ 'kubernetes.io/change-cause': 'kubectl set image' });
  });
});
