import { expect } from 'chai';
import type { KubeObject } from '../api/meta.js';
import { byControllerUID, byNamespace, indexers, orphansByNamespace } from './indexers.js';

const owner = (uid: string, controller?: boolean): NonNullable<KubeObject['metadata']['ownerReferences']>[number] => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, ...(controller === undefined ? {} : { controller }) });

describe('shared index functions', () => {
  const cases: { name: string; obj: KubeObject; controllerUID: string[]; orphans: string[]; namespace: string[] }[] = [
    { name: 'controlled', obj: { metadata: { namespace: 'a', ownerReferences: [owner('u1', true)] } }, controllerUID: ['u1'], orphans: [], namespace: ['a'] },
    { name: 'owned but not controlled is an orphan', obj: { metadata: { namespace: 'a', ownerReferences: [owner('u1'), owner('u2', false)] } }, controllerUID: [], orphans: ['a'], namespace: ['a'] },
    { name: 'no owners', obj: { metadata: { namespace: 'b' } }, controllerUID: [], orphans: ['b'], namespace: ['b'] },
    { name: 'the controller among other owners', obj: { metadata: { namespace: 'a', ownerReferences: [owner('u1'), owner('u2', true)] } }, controllerUID: ['u2'], orphans: [], namespace: ['a'] },
    { name: 'cluster-scoped', obj: { metadata: { name: 'n1' } }, controllerUID: [], orphans: [''], namespace: [''] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(byControllerUID(tc.obj)).to.deep.equal(tc.controllerUID);
      expect(orphansByNamespace(tc.obj)).to.deep.equal(tc.orphans);
      expect(byNamespace(tc.obj)).to.deep.equal(tc.namespace);
    });
  }
  it('indexers() hands out the very functions, so the manager merges them across controllers', () => {
    expect(indexers('controllerUID', 'namespace')).to.deep.equal({ controllerUID: byControllerUID, namespace: byNamespace });
    expect(indexers('controllerUID').controllerUID).to.equal(byControllerUID);
  });
});
