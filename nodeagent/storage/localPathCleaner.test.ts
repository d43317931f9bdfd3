import type { V1PersistentVolume } from '@kubernetes/client-node';
import { expect } from 'chai';
import jsonpatch from 'fast-json-patch';
import { localPathCleanupFinalizer, localPathNodeLabel } from './localPath.js';
import { cleanupPlan, releasePatch, type CleanupPlan } from './localPathCleaner.js';

const root = '/agent/local-path';

function pv(o: { deleting?: boolean; finalizers?: string[]; node?: string; path?: string; hostPath?: string; policy?: string; phase?: string } = {}): V1PersistentVolume {
  return {
    metadata: {
      name: 'pvc-1',
      resourceVersion: '42',
      labels: { [localPathNodeLabel]: o.node ?? 'node-1' },
      finalizers: o.finalizers ?? ['example.com/other', localPathCleanupFinalizer],
      ...(o.deleting === false ? {} : { deletionTimestamp: new Date(0) }),
    },
    spec: {
      persistentVolumeReclaimPolicy: o.policy ?? 'Delete',
      ...(o.hostPath ? { hostPath: { path: o.hostPath } } : { local: { path: o.path ?? `${root}/pvc-1_default_data` } }),
    },
    status: { phase: o.phase ?? 'Released' },
  };
}

describe('storage/localPathCleaner', () => {
  const cases: { name: string; pv: V1PersistentVolume; want: Partial<CleanupPlan> }[] = [
    { name: 'a live PV', pv: pv({ deleting: false }), want: { action: 'none' } },
    { name: 'a deleted PV without the finalizer', pv: pv({ finalizers: ['kubernetes.io/pv-protection'] }), want: { action: 'none' } },
    { name: "another node's PV", pv: pv({ node: 'node-2' }), want: { action: 'none' } },
    { name: 'a deleted PV still under pv-protection', pv: pv({ finalizers: ['kubernetes.io/pv-protection', localPathCleanupFinalizer] }), want: { action: 'none', why: 'still protected: bound or in use' } },
    { name: 'a deleted PV still Bound', pv: pv({ phase: 'Bound' }), want: { action: 'none', why: 'still protected: bound or in use' } },
    { name: 'a deleted PV', pv: pv(), want: { action: 'release', dir: `${root}/pvc-1_default_data`, finalizerIndex: 1, resourceVersion: '42' } },
    { name: 'a deleted hostPath PV inside the root', pv: pv({ hostPath: `${root}/pvc-1`, finalizers: [localPathCleanupFinalizer] }), want: { action: 'release', dir: `${root}/pvc-1`, finalizerIndex: 0 } },
    { name: 'a deleted Retain PV keeps its data', pv: pv({ policy: 'Retain' }), want: { action: 'release', dir: undefined } },
    { name: 'a PV whose path is the root', pv: pv({ path: root }), want: { action: 'release', dir: undefined } },
    { name: 'a PV whose path is outside the root', pv: pv({ path: '/etc' }), want: { action: 'release', dir: undefined } },
    { name: "a PV whose path climbs out with '..'", pv: pv({ path: `${root}/../../etc` }), want: { action: 'release', dir: undefined } },
  ];
  for (const tc of cases) {
    it(`plans for ${tc.name}`, () => {
      expect(cleanupPlan(tc.pv, 'node-1', root)).to.deep.include(tc.want);
    });
  }

  for (const tc of [
    { name: 'one of two', finalizers: ['example.com/other', localPathCleanupFinalizer], left: ['example.com/other'] },
    { name: 'the only one', finalizers: [localPathCleanupFinalizer], left: undefined },
  ]) it(`patches out only the cleanup finalizer (${tc.name}), and only from the PV it saw`, () => {
    const obj = JSON.parse(JSON.stringify(pv({ finalizers: tc.finalizers }))) as V1PersistentVolume; // as it comes off the wire
    const plan = cleanupPlan(obj, 'node-1', root);
    if (plan.action !== 'release') throw new Error('expected a release');
    const patch = releasePatch(plan) as jsonpatch.Operation[];
    const after = jsonpatch.applyPatch(structuredClone(obj), patch, true, false).newDocument;
    expect(after.metadata?.finalizers).to.deep.equal(tc.left);
    expect('finalizers' in after.metadata!).to.equal(tc.left !== undefined);
    expect({ ...after, metadata: { ...after.metadata, finalizers: obj.metadata?.finalizers } }).to.deep.equal(obj);
    const stale = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: '43' } };
    expect(() => jsonpatch.applyPatch(stale, patch, true, false)).to.throw(/Test operation failed/);
    const reordered = { ...structuredClone(obj), metadata: { ...obj.metadata, finalizers: [...tc.finalizers].reverse().concat(tc.finalizers.length === 1 ? ['example.com/late'] : []) } };
    expect(() => jsonpatch.applyPatch(reordered, patch, true, false)).to.throw(/Test operation failed/);
  });
});
