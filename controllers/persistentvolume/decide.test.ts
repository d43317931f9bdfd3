import { expect } from 'chai';
import { claimBoundTo, claimStatusBound, volumeBoundTo, volumeUnbound } from './binding.js';
import { decideClaim, decideVolume, messages, type ClaimDecision, type VolumeDecision } from './decide.js';
import { claim, node, storageClass, volume } from './fixtures.js';
import { annBindCompleted, annBoundByController, annProvisionedBy } from './names.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from './types.js';

/** The decision with the volume named, so cases compare plain data. */
const summary = (d: ClaimDecision): unknown => (d.kind === 'bind' ? { kind: 'bind', volume: d.volume.metadata.name } : d);

describe('persistentvolume decideClaim', () => {
  const wait = storageClass('local-path', { wait: true });
  const immediate = storageClass('std', { provisioner: 'example.com/nfs' });
  const cases: { name: string; claim: PersistentVolumeClaim; volumes?: PersistentVolume[]; sc?: StorageClass; want: unknown }[] = [
    { name: 'unbound: binds the matching volume', claim: claim('c'), volumes: [volume('v')], want: { kind: 'bind', volume: 'v' } },
    {
      name: 'unbound, no class, nothing fits: FailedBinding',
      claim: claim('c'),
      volumes: [volume('small', { size: '1Mi' })],
      want: { kind: 'pending', event: { type: 'Normal', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' } },
    },
    {
      name: 'WaitForFirstConsumer without a node waits even with a free volume',
      claim: claim('c', { className: 'local-path' }),
      volumes: [volume('v', { className: 'local-path' })],
      sc: wait,
      want: { kind: 'pending', event: { type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' } },
    },
    { name: 'WaitForFirstConsumer with a node: an existing volume on that node binds', claim: claim('c', { className: 'local-path', selectedNode: 'n1' }), volumes: [volume('v', { className: 'local-path', hostname: 'n1' })], sc: wait, want: { kind: 'bind', volume: 'v' } },
    {
      name: 'WaitForFirstConsumer with a node, no volume there: to the provisioner',
      claim: claim('c', { className: 'local-path', selectedNode: 'n1' }),
      volumes: [volume('v', { className: 'local-path', hostname: 'n2' })],
      sc: wait,
      want: { kind: 'pending', provisioner: 'gantry.dev/local-path', event: { type: 'Normal', reason: 'ExternalProvisioning', message: messages.externalProvisioning('gantry.dev/local-path') } },
    },
    { name: 'WaitForFirstConsumer: the provisioned volume, pre-bound, binds', claim: claim('c', { className: 'local-path', selectedNode: 'n1' }), volumes: [volume('pvc-x', { className: 'local-path', hostname: 'n1', phase: 'Pending', claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' } })], sc: wait, want: { kind: 'bind', volume: 'pvc-x' } },
    {
      name: 'Immediate class, nothing fits: to its provisioner at once',
      claim: claim('c', { className: 'std' }),
      sc: immediate,
      want: { kind: 'pending', provisioner: 'example.com/nfs', event: { type: 'Normal', reason: 'ExternalProvisioning', message: messages.externalProvisioning('example.com/nfs') } },
    },
    {
      name: 'a no-provisioner class, node chosen, nothing fits: nobody to hand it to',
      claim: claim('c', { className: 'local-storage', selectedNode: 'n1' }),
      sc: storageClass('local-storage', { provisioner: 'kubernetes.io/no-provisioner', wait: true }),
      want: { kind: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: 'no volume plugin matched name: kubernetes.io/no-provisioner' } },
    },
    { name: 'a class that does not exist', claim: claim('c', { className: 'nope' }), want: { kind: 'pending', event: { type: 'Warning', reason: 'ProvisioningFailed', message: 'storageclass.storage.k8s.io "nope" not found' } } },
    { name: 'a claim being deleted is not handed to a provisioner', claim: claim('c', { className: 'std', deleting: true }), sc: immediate, want: { kind: 'pending' } },
    { name: 'pre-bound claim: its volume, free and fitting', claim: claim('c', { volumeName: 'v' }), volumes: [volume('w'), volume('v', { size: '5Gi' })], want: { kind: 'bind', volume: 'v' } },
    { name: 'pre-bound claim: the volume does not exist', claim: claim('c', { volumeName: 'v' }), want: { kind: 'pending', event: { type: 'Normal', reason: 'FailedBinding', message: 'volume "v" not found' } } },
    {
      name: 'pre-bound claim: the volume is too small',
      claim: claim('c', { volumeName: 'v', size: '9Gi' }),
      volumes: [volume('v')],
      want: { kind: 'pending', event: { type: 'Warning', reason: 'VolumeMismatch', message: 'Cannot bind to requested volume "v": requested PV is too small' } },
    },
    { name: 'pre-bound claim: the volume already points back (half-done bind)', claim: claim('c', { volumeName: 'v' }), volumes: [volume('v', { claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' }, phase: 'Bound' })], want: { kind: 'bind', volume: 'v' } },
    {
      name: 'pre-bound claim: the volume belongs to another claim',
      claim: claim('c', { volumeName: 'v' }),
      volumes: [volume('v', { claimRef: { namespace: 'ns', name: 'other', uid: 'u9' }, phase: 'Bound' })],
      want: { kind: 'pending', event: { type: 'Warning', reason: 'FailedBinding', message: 'volume "v" already bound to a different claim.' } },
    },
    { name: 'bound: consistent, re-affirmed', claim: claim('c', { bound: true, volumeName: 'v' }), volumes: [volume('v', { claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' }, phase: 'Bound' })], want: { kind: 'bind', volume: 'v' } },
    { name: 'bound: the volume lost its claimRef, written again', claim: claim('c', { bound: true, volumeName: 'v' }), volumes: [volume('v')], want: { kind: 'bind', volume: 'v' } },
    { name: 'bound: the volume is gone', claim: claim('c', { bound: true, volumeName: 'v' }), want: { kind: 'lost', event: { type: 'Warning', reason: 'ClaimLost', message: messages.lostVolume } } },
    { name: 'bound: volumeName emptied', claim: claim('c', { bound: true }), want: { kind: 'lost', event: { type: 'Warning', reason: 'ClaimLost', message: messages.lostReference } } },
    {
      name: 'bound: the volume is bound to another claim',
      claim: claim('c', { bound: true, volumeName: 'v' }),
      volumes: [volume('v', { claimRef: { namespace: 'ns', name: 'c', uid: 'older' } })],
      want: { kind: 'lost', event: { type: 'Warning', reason: 'ClaimMisbound', message: messages.misbound } },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const sc = tc.sc && tc.sc.metadata.name === tc.claim.spec?.storageClassName ? tc.sc : undefined;
      expect(summary(decideClaim({ claim: tc.claim, volumes: tc.volumes ?? [], storageClass: sc, node: (n) => node(n) }))).to.deep.equal(tc.want);
    });
  }
});

describe('persistentvolume decideVolume', () => {
  const mine = { namespace: 'ns', name: 'c', uid: 'uid-c' };
  const cases: { name: string; volume: PersistentVolume; claim?: PersistentVolumeClaim; want: VolumeDecision }[] = [
    { name: 'unclaimed: Available', volume: volume('v', { phase: 'Pending' }), want: { kind: 'phase', phase: 'Available' } },
    { name: 'reserved by name only: Available (the claim binds it)', volume: volume('v', { claimRef: { namespace: 'ns', name: 'c' }, phase: 'Pending' }), want: { kind: 'phase', phase: 'Available' } },
    { name: 'bound both ways: Bound', volume: volume('v', { claimRef: mine }), claim: claim('c', { volumeName: 'v', bound: true }), want: { kind: 'phase', phase: 'Bound' } },
    { name: 'claim gone, Retain', volume: volume('v', { claimRef: mine, phase: 'Bound' }), want: { kind: 'release', reclaim: 'Retain' } },
    { name: 'claim gone, Delete', volume: volume('v', { claimRef: mine, phase: 'Bound', reclaim: 'Delete' }), want: { kind: 'release', reclaim: 'Delete' } },
    { name: 'claim recreated under the same name (another uid): released', volume: volume('v', { claimRef: mine, phase: 'Bound' }), claim: { ...claim('c'), metadata: { ...claim('c').metadata, uid: 'new' } }, want: { kind: 'release', reclaim: 'Retain' } },
    { name: 'claim not bound yet: its sync finishes', volume: volume('v', { claimRef: mine, phase: 'Pending' }), claim: claim('c'), want: { kind: 'syncClaim', events: [] } },
    {
      name: 'claim not bound yet, volumeMode differs: both told',
      volume: volume('v', { claimRef: mine, volumeMode: 'Block' }),
      claim: claim('c'),
      want: {
        kind: 'syncClaim',
        events: [
          { on: 'volume', event: { type: 'Warning', reason: 'VolumeMismatch', message: 'Cannot bind PersistentVolume to requested PersistentVolumeClaim "c" due to incompatible volumeMode.' } },
          { on: 'claim', event: { type: 'Warning', reason: 'VolumeMismatch', message: 'Cannot bind PersistentVolume "v" (volumeMode Block) to this claim (volumeMode Filesystem).' } },
        ],
      },
    },
    { name: 'claim bound elsewhere, chosen by the binder: unbind', volume: volume('v', { claimRef: mine, annotations: { [annBoundByController]: 'yes' } }), claim: claim('c', { volumeName: 'w', bound: true }), want: { kind: 'unbind' } },
    { name: 'claim bound elsewhere, provisioned for it with Delete: released', volume: volume('v', { claimRef: mine, reclaim: 'Delete', annotations: { [annProvisionedBy]: 'gantry.dev/local-path' } }), claim: claim('c', { volumeName: 'w', bound: true }), want: { kind: 'release', reclaim: 'Delete' } },
    { name: 'claim bound elsewhere, user pre-bound: left alone', volume: volume('v', { claimRef: mine }), claim: claim('c', { volumeName: 'w', bound: true }), want: { kind: 'none' } },
  ];
  for (const tc of cases) it(tc.name, () => expect(decideVolume(tc.volume, tc.claim)).to.deep.equal(tc.want));
});

describe('persistentvolume binding writes', () => {
  it('volumeBoundTo: the binder chose it: claimRef with uid and resourceVersion, bound-by-controller', () => {
    const v = volumeBoundTo(volume('v'), claim('c'))!;
    expect(v.spec?.claimRef).to.deep.equal({ kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'c', uid: 'uid-c', apiVersion: 'v1', resourceVersion: '5' });
    expect(v.metadata.annotations?.[annBoundByController]).to.equal('yes');
  });
  it('volumeBoundTo: pre-bound by the user: uid filled in, no bound-by-controller', () => {
    const v = volumeBoundTo(volume('v', { claimRef: { namespace: 'ns', name: 'c' } }), claim('c'))!;
    expect(v.spec?.claimRef?.uid).to.equal('uid-c');
    expect(v.metadata.annotations?.[annBoundByController]).to.equal(undefined);
  });
  it('volumeBoundTo: nothing to write when done', () => expect(volumeBoundTo(volume('v', { claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' } }), claim('c'))).to.equal(undefined));
  it('claimBoundTo: chosen by the binder', () => {
    const c = claimBoundTo(claim('c'), volume('v'))!;
    expect(c.spec?.volumeName).to.equal('v');
    expect(c.metadata.annotations).to.deep.equal({ [annBoundByController]: 'yes', [annBindCompleted]: 'yes' });
  });
  it('claimBoundTo: named by the user: only bind-completed', () => {
    const c = claimBoundTo(claim('c', { volumeName: 'v' }), volume('v'))!;
    expect(c.metadata.annotations).to.deep.equal({ [annBindCompleted]: 'yes' });
  });
  it('claimBoundTo: nothing to write when done', () => expect(claimBoundTo(claim('c', { volumeName: 'v', bound: true }), volume('v'))).to.equal(undefined));
  it('claimStatusBound: phase, the volume access modes and capacity', () => {
    const c = claimStatusBound(claim('c'), volume('v', { size: '5Gi', modes: ['ReadWriteOnce', 'ReadOnlyMany'] }))!;
    expect(c.status).to.deep.equal({ phase: 'Bound', accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], capacity: { storage: '5Gi' } });
    expect(claimStatusBound(c, volume('v', { size: '5Gi', modes: ['ReadWriteOnce', 'ReadOnlyMany'] }))).to.equal(undefined);
  });
  it('volumeUnbound: the binder claimRef goes; a user one keeps its name', () => {
    const byBinder = volumeUnbound(volume('v', { claimRef: { namespace: 'ns', name: 'c', uid: 'x' }, annotations: { [annBoundByController]: 'yes' } }));
    expect(byBinder.spec?.claimRef).to.equal(undefined);
    expect(byBinder.metadata.annotations).to.deep.equal({});
    const byUser = volumeUnbound(volume('v', { claimRef: { namespace: 'ns', name: 'c', uid: 'x' } }));
    expect(JSON.parse(JSON.stringify(byUser.spec?.claimRef))).to.deep.equal({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'c' });
  });
});
