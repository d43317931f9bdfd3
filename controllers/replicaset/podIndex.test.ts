import { expect } from 'chai';
import { PodIndex } from './podIndex.js';
import { rsPod } from './testing.js';
import type { Pod } from './types.js';

const owned = (name: string, uid: string, ns = 'default'): Pod => {
  const p = rsPod(name);
  p.metadata.namespace = ns;
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid, controller: true }];
  return p;
};
const orphan = (name: string, ns = 'default'): Pod => {
  const p = rsPod(name);
  p.metadata.namespace = ns;
  return p;
};

describe('PodIndex', () => {
  const cases: { name: string; steps: (i: PodIndex) => void; uid: string; ns: string; want: string[] }[] = [
    { name: 'own pods, then the namespace orphans', steps: (i) => [owned('a', 'u1'), owned('b', 'u2'), orphan('c'), orphan('d', 'other')].forEach((p) => i.add(p)), uid: 'u1', ns: 'default', want: ['default/a', 'default/c'] },
    { name: 'an adopted orphan moves to its owner', steps: (i) => (i.add(orphan('a')), i.update(orphan('a'), owned('a', 'u1'))), uid: 'u2', ns: 'default', want: [] },
    { name: 'a released pod becomes an orphan', steps: (i) => (i.add(owned('a', 'u1')), i.update(owned('a', 'u1'), orphan('a'))), uid: 'u1', ns: 'default', want: ['default/a'] },
    { name: 'removal by key, whatever the delete event carries', steps: (i) => (i.add(owned('a', 'u1')), i.remove(orphan('a'))), uid: 'u1', ns: 'default', want: [] },
    { name: 'a controller of another kind is not an orphan', steps: (i) => i.add(owned('a', 'job-uid')), uid: 'u1', ns: 'default', want: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const i = new PodIndex();
      tc.steps(i);
      expect(i.candidates(tc.uid, tc.ns)).to.deep.equal(tc.want);
    });
  }
});
