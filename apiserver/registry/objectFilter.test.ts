import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { CachedObject } from '../watchcache/cachedObject.js';
import { compileFilter } from './objectFilter.js';

function pod(name: string, labels: Record<string, string> | undefined, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: name.startsWith('k') ? 'kube-system' : 'default', ...(labels ? { labels } : {}) }, spec, status } as KubeObject;
}

const pods = [
  pod('a', { app: 'web', tier: 'front' }, { nodeName: 'n1' }, { phase: 'Running' }),
  pod('b', { app: 'web', tier: 'back' }, { nodeName: 'n2' }, { phase: 'Pending' }),
  pod('c', { app: 'db' }, {}, { phase: 'Pending' }),
  pod('d', undefined, { nodeName: 'n1', hostNetwork: true }, { phase: 'Succeeded' }),
  pod('k1', { app: 'dns', 'x.io/zone': 'a' }, { nodeName: 'n2' }, { phase: 'Running', podIP: '10.0.0.9' }),
];

interface Case {
  name: string;
  labels?: string;
  fields?: string;
  want: string[];
}

const cases: Case[] = [
  { name: 'no selectors', want: ['a', 'b', 'c', 'd', 'k1'] },
  { name: 'label equality', labels: 'app=web', want: ['a', 'b'] },
  { name: 'label ==, and !=', labels: 'app==web,tier!=front', want: ['b'] },
  { name: 'label != matches objects without the label', labels: 'app!=web', want: ['c', 'd', 'k1'] },
  { name: 'label in', labels: 'app in (db,dns)', want: ['c', 'k1'] },
  { name: 'label notin', labels: 'app notin (web)', want: ['c', 'd', 'k1'] },
  { name: 'label exists', labels: 'tier', want: ['a', 'b'] },
  { name: 'label does not exist', labels: '!tier', want: ['c', 'd', 'k1'] },
  { name: 'label with a prefix', labels: 'x.io/zone=a', want: ['k1'] },
  { name: 'spec.nodeName', fields: 'spec.nodeName=n1', want: ['a', 'd'] },
  { name: 'unscheduled: spec.nodeName=', fields: 'spec.nodeName=', want: ['c'] },
  { name: 'status.phase!=', fields: 'status.phase!=Pending', want: ['a', 'd', 'k1'] },
  { name: 'metadata.name', fields: 'metadata.name=b', want: ['b'] },
  { name: 'metadata.namespace', fields: 'metadata.namespace=kube-system', want: ['k1'] },
  { name: 'spec.hostNetwork', fields: 'spec.hostNetwork=true', want: ['d'] },
  { name: 'status.podIP', fields: 'status.podIP=10.0.0.9', want: ['k1'] },
  { name: 'labels and fields together', labels: 'app=web', fields: 'spec.nodeName=n2', want: ['b'] },
];

describe('selectors over compact cache entries', () => {
  const entries = pods.map((p, i) => CachedObject.stamped(`/registry/pods/${p.metadata.namespace!}/${p.metadata.name!}`, 10 + i, p));
  for (const tc of cases) {
    it(`${tc.name} selects the same objects from entries as from parsed objects`, () => {
      const f = compileFilter('Pod', tc.labels, tc.fields);
      expect(entries.filter((e) => f.entry(e)).map((e) => e.object.metadata.name)).to.deep.equal(tc.want);
      expect(pods.filter((p) => f(p)).map((p) => p.metadata.name)).to.deep.equal(tc.want);
    });
  }

  it('reads an entry stored without a kind by the resource\'s field set (parsing it)', () => {
    const bare = pod('e', { app: 'web' }, { nodeName: 'n9' });
    delete (bare as Partial<KubeObject>).kind;
    const entry = CachedObject.stamped('/registry/pods/default/e', 20, bare);
    expect(entry.kind).to.equal(undefined);
    expect(compileFilter('Pod', undefined, 'spec.nodeName=n9').entry(entry)).to.equal(true);
    expect(compileFilter('Pod', undefined, 'spec.nodeName=n1').entry(entry)).to.equal(false);
  });

  it('without selectors matches every entry without parsing one', () => {
    const f = compileFilter('Pod');
    expect(f.all).to.equal(true);
    const unparsable = Object.assign(Object.create(CachedObject.prototype) as CachedObject, { kind: 'Other' });
    Object.defineProperty(unparsable, 'object', { get: () => { throw new Error('parsed'); } });
    expect(f.entry(unparsable)).to.equal(true);
  });

  it('refuses a field the kind does not support', () => {
    expect(() => compileFilter('Pod', undefined, 'spec.bogus=1')).to.throw(/field label not supported: spec.bogus/);
  });
});
