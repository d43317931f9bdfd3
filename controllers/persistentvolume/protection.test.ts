import { expect } from 'chai';
import { makePod } from '../../common/testing/builders.js';
import { claim, volume } from './fixtures.js';
import { pvcProtectionFinalizer, pvProtectionFinalizer } from './names.js';
import { claimNamesOf, claimProtectionStep, volumeProtectionStep, withFinalizer, type FinalizerStep } from './protection.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from './types.js';

const using = (claimName: string, o: { node?: string; phase?: string; ns?: string; ephemeral?: boolean } = {}): Pod => {
  const p = makePod().name('p').namespace(o.ns ?? 'ns').obj() as unknown as Pod;
  p.spec = { ...p.spec, ...(o.node === '' ? {} : { nodeName: o.node ?? 'n1' }), volumes: [o.ephemeral ? { name: 'data', ephemeral: { volumeClaimTemplate: {} } } : { name: 'data', persistentVolumeClaim: { claimName } }] };
  p.status = { phase: o.phase ?? 'Running' };
  return p;
};
const protectedClaim = (deleting: boolean): PersistentVolumeClaim => withFinalizer(claim('c', { deleting }), pvcProtectionFinalizer, true);

describe('pvc protection', () => {
  const cases: { name: string; claim: PersistentVolumeClaim; pods: Pod[]; want: FinalizerStep }[] = [
    { name: 'not deleting, finalizer missing: add', claim: claim('c'), pods: [], want: 'add' },
    { name: 'not deleting, has it: nothing', claim: protectedClaim(false), pods: [using('c')], want: 'none' },
    { name: 'deleting, a running pod uses it: keep', claim: protectedClaim(true), pods: [using('c')], want: 'keep' },
    { name: 'deleting, a pending bound pod uses it: keep', claim: protectedClaim(true), pods: [using('c', { phase: 'Pending' })], want: 'keep' },
    { name: 'deleting, the pod finished: remove', claim: protectedClaim(true), pods: [using('c', { phase: 'Succeeded' }), using('c', { phase: 'Failed' })], want: 'remove' },
    { name: 'deleting, a pod not scheduled yet uses it: keep', claim: protectedClaim(true), pods: [using('c', { node: '' })], want: 'keep' },
    { name: 'deleting, a pod in another namespace: remove', claim: protectedClaim(true), pods: [using('c', { ns: 'other' })], want: 'remove' },
    { name: 'deleting, a pod using another claim: remove', claim: protectedClaim(true), pods: [using('d')], want: 'remove' },
    { name: 'deleting, a generic ephemeral volume of the pod: keep', claim: withFinalizer(claim('p-data', { deleting: true }), pvcProtectionFinalizer, true), pods: [using('', { ephemeral: true })], want: 'keep' },
    { name: 'deleting, finalizer already gone: nothing', claim: claim('c', { deleting: true }), pods: [], want: 'none' },
  ];
  for (const tc of cases) it(tc.name, () => expect(claimProtectionStep(tc.claim, tc.pods)).to.equal(tc.want));

  it('claimNamesOf: claims and ephemeral claims', () => expect(claimNamesOf(using('', { ephemeral: true }))).to.deep.equal(['p-data']));
  it('withFinalizer keeps the others and the resourceVersion', () => {
    const c = withFinalizer({ ...claim('c'), metadata: { ...claim('c').metadata, finalizers: ['a', pvcProtectionFinalizer] } }, pvcProtectionFinalizer, false);
    expect(c.metadata.finalizers).to.deep.equal(['a']);
    expect(c.metadata.resourceVersion).to.equal('5');
  });
});

describe('pv protection', () => {
  const deleting = (v: PersistentVolume): PersistentVolume => ({ ...v, metadata: { ...v.metadata, deletionTimestamp: '2026-12-07T12:00:00Z' } });
  const cases: { name: string; volume: PersistentVolume; want: FinalizerStep }[] = [
    { name: 'not deleting, missing: add', volume: volume('v'), want: 'add' },
    { name: 'not deleting, present: nothing', volume: withFinalizer(volume('v'), pvProtectionFinalizer, true), want: 'none' },
    { name: 'deleting while Bound: keep', volume: deleting(withFinalizer(volume('v', { phase: 'Bound' }), pvProtectionFinalizer, true)), want: 'keep' },
    { name: 'deleting, Released: remove', volume: deleting(withFinalizer(volume('v', { phase: 'Released' }), pvProtectionFinalizer, true)), want: 'remove' },
    { name: 'deleting, Available: remove', volume: deleting(withFinalizer(volume('v'), pvProtectionFinalizer, true)), want: 'remove' },
  ];
  for (const tc of cases) it(tc.name, () => expect(volumeProtectionStep(tc.volume)).to.equal(tc.want));
});
