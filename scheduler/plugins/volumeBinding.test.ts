import { expect } from 'chai';
import { FakeClock, settle } from '../../common/clock.js';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { CycleState } from '../framework/cycleState.js';
import type { VolumeBinder } from '../framework/interfaces.js';
import { MemoryVolumes } from '../framework/listers.js';
import { makePodInfo, type PodInfo } from '../framework/podInfo.js';
import type { Status } from '../framework/status.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../framework/types.js';
import { filterReasons, snapshotOf } from '../testing/pluginHarness.js';
import { VolumeBinding } from './volumeBinding.js';
import { bindClaim, makeClaim, makeStorageClass, makeVolume, MemoryVolumeBinder, withClaims, withEphemeral } from './volumeBindingBuilders.js';
import { ANN_SELECTED_NODE } from './volumeBindingMatch.js';

const a = makeNode().name('a').labels({ 'kubernetes.io/hostname': 'a', 'topology.kubernetes.io/zone': 'z1' }).obj();
const b = makeNode().name('b').labels({ 'kubernetes.io/hostname': 'b', 'topology.kubernetes.io/zone': 'z2' }).obj();

const immediate = makeStorageClass('fast').obj();
const wffc = makeStorageClass('local-path').waitForFirstConsumer().obj();
const wffcStatic = makeStorageClass('local-static').waitForFirstConsumer().provisioner('kubernetes.io/no-provisioner').obj();
const wffcZ2 = makeStorageClass('z2-only').waitForFirstConsumer().allowedTopology('topology.kubernetes.io/zone', ['z2']).obj();
const classes = [immediate, wffc, wffcStatic, wffcZ2];

const U = 'UnschedulableAndUnresolvable: ';
const notFound = `${U}persistentvolumeclaim "data" not found`;
const deleting = `${U}persistentvolumeclaim "data" is being deleted`;
const unboundImmediate = `${U}pod has unbound immediate PersistentVolumeClaims`;
const nodeConflict = `${U}node(s) had volume node affinity conflict`;
const bindConflict = `${U}node(s) didn't find available persistent volumes to bind`;

const plugin = (vols: MemoryVolumes, binder?: VolumeBinder, clock = new FakeClock(), timeout = 600): VolumeBinding => new VolumeBinding(vols, binder, clock, { bindTimeoutSeconds: timeout });
const pod = (...claims: string[]): Pod => withClaims(makePod().name('web').uid('pod-uid').obj(), ...claims);
const staticClaim = makeClaim('data').storageClass('local-static');

describe('VolumeBinding filter', () => {
  const cases: { name: string; pod: Pod; claims?: PersistentVolumeClaim[]; volumes?: PersistentVolume[]; want: Record<string, string> }[] = [
    { name: 'a pod without claims: every node (PreFilter skips)', pod: makePod().obj(), want: { a: '', b: '' } },
    { name: 'a missing claim', pod: pod('data'), want: { a: notFound, b: notFound } },
    { name: 'a claim being deleted', pod: pod('data'), claims: [makeClaim('data').storageClass('local-path').terminating().obj()], want: { a: deleting, b: deleting } },
    { name: 'a claim of another namespace is not the pod’s', pod: pod('data'), claims: [makeClaim('data').namespace('other').storageClass('local-path').obj()], want: { a: notFound, b: notFound } },
    { name: 'an unbound claim of an Immediate class', pod: pod('data'), claims: [makeClaim('data').storageClass('fast').obj()], want: { a: unboundImmediate, b: unboundImmediate } },
    { name: 'an unbound claim without a class binds immediately', pod: pod('data'), claims: [makeClaim('data').obj()], want: { a: unboundImmediate, b: unboundImmediate } },
    { name: 'an unbound claim of a class that does not exist binds immediately', pod: pod('data'), claims: [makeClaim('data').storageClass('gone').obj()], want: { a: unboundImmediate, b: unboundImmediate } },
    {
      name: 'a WaitForFirstConsumer claim naming a volume the binder has not confirmed waits like an immediate one',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-path').volumeName('pv-1').obj()],
      volumes: [makeVolume('pv-1').storageClass('local-path').obj()],
      want: { a: unboundImmediate, b: unboundImmediate },
    },
    {
      name: 'a bound claim whose volume is pinned to b',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('fast').boundTo('pv-b').obj()],
      volumes: [makeVolume('pv-b').storageClass('fast').onHost('b').boundTo(makeClaim('data').obj()).obj()],
      want: { a: nodeConflict, b: '' },
    },
    {
      name: 'a bound claim whose volume has no affinity: every node',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('fast').boundTo('pv-any').obj()],
      volumes: [makeVolume('pv-any').storageClass('fast').phase('Bound').obj()],
      want: { a: '', b: '' },
    },
    {
      name: 'a claim bound (by annotation) to a volume that does not exist',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('fast').boundTo('pv-gone').obj()],
      want: { a: unboundImmediate, b: unboundImmediate },
    },
    {
      name: 'WaitForFirstConsumer, a provisioner: every node',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-path').obj()],
      want: { a: '', b: '' },
    },
    {
      name: 'WaitForFirstConsumer, provisioning only where allowedTopologies allow',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('z2-only').obj()],
      want: { a: bindConflict, b: '' },
    },
    {
      name: 'WaitForFirstConsumer, no provisioner, an Available static volume on b',
      pod: pod('data'),
      claims: [staticClaim.obj()],
      volumes: [makeVolume('pv-b').storageClass('local-static').onHost('b').obj()],
      want: { a: bindConflict, b: '' },
    },
    {
      name: 'WaitForFirstConsumer, no provisioner, no volume at all',
      pod: pod('data'),
      claims: [staticClaim.obj()],
      want: { a: bindConflict, b: bindConflict },
    },
    {
      name: 'static volume too small',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-static').request('2Gi').obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').capacity('1Gi').obj()],
      want: { a: bindConflict, b: bindConflict },
    },
    {
      name: 'static volume big enough (1Gi claim, 1024Mi volume)',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-static').request('1Gi').obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').capacity('1024Mi').obj()],
      want: { a: '', b: '' },
    },
    {
      name: 'static volume lacking an access mode',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-static').accessModes('ReadWriteMany').obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').accessModes('ReadWriteOnce').obj()],
      want: { a: bindConflict, b: bindConflict },
    },
    {
      name: 'static volume of another volume mode',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-static').volumeMode('Block').obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').obj()],
      want: { a: bindConflict, b: bindConflict },
    },
    {
      name: 'static volume not matching the claim’s selector',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-static').selector({ tier: 'gold' }).obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').labels({ tier: 'silver' }).obj(), makeVolume('pv-2').storageClass('local-static').labels({ tier: 'gold' }).onHost('a').obj()],
      want: { a: '', b: bindConflict },
    },
    {
      name: 'static volume of another class',
      pod: pod('data'),
      claims: [staticClaim.obj()],
      volumes: [makeVolume('pv-1').storageClass('fast').obj()],
      want: { a: bindConflict, b: bindConflict },
    },
    {
      name: 'static volumes that are not Available (Pending, or claimed by another claim)',
      pod: pod('data'),
      claims: [staticClaim.obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').phase('Pending').obj(), makeVolume('pv-2').storageClass('local-static').claimRef(makeClaim('other').obj()).obj()],
      want: { a: bindConflict, b: bindConflict },
    },
    {
      name: 'a volume pre-bound to this claim is taken even while not Available, where it fits',
      pod: pod('data'),
      claims: [staticClaim.obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').phase('Pending').onHost('a').claimRef(staticClaim.obj()).obj()],
      want: { a: '', b: bindConflict },
    },
    {
      name: 'two claims cannot take the same static volume',
      pod: pod('data', 'logs'),
      claims: [staticClaim.obj(), makeClaim('logs').storageClass('local-static').obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').obj()],
      want: { a: bindConflict, b: bindConflict },
    },
    {
      name: 'two claims, two static volumes, only b has both',
      pod: pod('data', 'logs'),
      claims: [staticClaim.obj(), makeClaim('logs').storageClass('local-static').obj()],
      volumes: [makeVolume('pv-1').storageClass('local-static').obj(), makeVolume('pv-2').storageClass('local-static').onHost('b').obj()],
      want: { a: bindConflict, b: '' },
    },
    {
      name: 'a claim already given to node b by its selected-node annotation',
      pod: pod('data'),
      claims: [makeClaim('data').storageClass('local-path').selectedNode('b').obj()],
      want: { a: bindConflict, b: '' },
    },
    {
      name: 'a bound claim pinned to b and an unbound one only a can provision: both reasons on a',
      pod: pod('data', 'logs'),
      claims: [makeClaim('data').storageClass('fast').boundTo('pv-b').obj(), makeClaim('logs').storageClass('local-static').obj()],
      volumes: [makeVolume('pv-b').storageClass('fast').onHost('b').phase('Bound').obj(), makeVolume('pv-a').storageClass('local-static').onHost('a').obj()],
      want: { a: nodeConflict, b: bindConflict },
    },
    {
      name: 'a bound claim pinned to b and an unbound one nowhere possible: both reasons',
      pod: pod('data', 'logs'),
      claims: [makeClaim('data').storageClass('fast').boundTo('pv-b').obj(), makeClaim('logs').storageClass('local-static').obj()],
      volumes: [makeVolume('pv-b').storageClass('fast').onHost('b').phase('Bound').obj()],
      want: { a: `${nodeConflict}, node(s) didn't find available persistent volumes to bind`, b: bindConflict },
    },
    {
      name: 'an ephemeral volume whose claim is not created yet',
      pod: withEphemeral(makePod().name('web').uid('pod-uid').obj(), 'scratch'),
      want: { a: `${U}waiting for ephemeral volume controller to create the persistentvolumeclaim "web-scratch"`, b: `${U}waiting for ephemeral volume controller to create the persistentvolumeclaim "web-scratch"` },
    },
    {
      name: 'an ephemeral volume whose claim another pod owns',
      pod: withEphemeral(makePod().name('web').uid('pod-uid').obj(), 'scratch'),
      claims: [makeClaim('web-scratch').storageClass('local-path').ownedByPod('web', 'older-uid').obj()],
      want: { a: `${U}PVC default/web-scratch was not created for pod default/web (pod is not owner)`, b: `${U}PVC default/web-scratch was not created for pod default/web (pod is not owner)` },
    },
    {
      name: 'an ephemeral volume with its own claim',
      pod: withEphemeral(makePod().name('web').uid('pod-uid').obj(), 'scratch'),
      claims: [makeClaim('web-scratch').storageClass('z2-only').ownedByPod('web', 'pod-uid').obj()],
      want: { a: bindConflict, b: '' },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const vols = new MemoryVolumes({ claims: tc.claims ?? [], volumes: tc.volumes ?? [], classes });
      expect(filterReasons(plugin(vols), tc.pod, [a, b])).to.deep.equal(tc.want);
    });
  }
});

interface Cycle {
  state: CycleState;
  pi: PodInfo;
  reserve: Status;
}

/** PreFilter and Filter on a and b, then Reserve on `node`. */
function scheduleTo(p: VolumeBinding, podObj: Pod, node: string): Cycle {
  const snap = snapshotOf([a, b]);
  const pi = makePodInfo(podObj);
  const state = new CycleState();
  expect(p.preFilter(state, pi).isSuccess(), 'preFilter').to.equal(true);
  for (const ni of snap.nodeInfoList) p.filter(state, pi, ni);
  return { state, pi, reserve: p.reserve(state, pi, node) };
}

describe('VolumeBinding reserve, pre-bind and unreserve', () => {
  it('provisioning: annotates the claim with the node, waits for the binder, succeeds once the claim is bound', async () => {
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const binder = new MemoryVolumeBinder(vols);
    const p = plugin(vols, binder);
    const c = scheduleTo(p, pod('data'), 'b');
    expect(c.reserve.isSuccess()).to.equal(true);
    let done: Status | undefined;
    void p.preBind(c.state, c.pi, 'b', new AbortController().signal).then((s) => (done = s));
    await settle();
    expect(binder.calls).to.deep.equal(['annotate data b']);
    expect(vols.claim('default', 'data')!.metadata!.annotations![ANN_SELECTED_NODE]).to.equal('b');
    expect(done, 'still waiting for the binder').to.equal(undefined);
    // The provisioner's volume, then the binder's bind: only the latter ends the wait.
    const pv = makeVolume('pvc-uid-data').storageClass('local-path').onHost('b').phase('Bound').obj();
    vols.setVolume(pv);
    await settle();
    expect(done).to.equal(undefined);
    bindClaim(vols, 'data', pv);
    await settle();
    expect(done?.code).to.equal('Success');
    expect(vols.subscriberCount(), 'no listener left behind').to.equal(0);
  });

  it('a claim another pod reserved for node b can only go to b until that pod unreserves', async () => {
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const p = plugin(vols, new MemoryVolumeBinder(vols));
    const first = scheduleTo(p, pod('data'), 'b');
    expect(first.reserve.isSuccess()).to.equal(true);
    const second = makePod().name('web-2').obj();
    expect(filterReasons(p, withClaims(second, 'data'), [a, b])).to.deep.equal({ a: bindConflict, b: '' });
    await p.unreserve(first.state, first.pi);
    expect(filterReasons(p, withClaims(second, 'data'), [a, b])).to.deep.equal({ a: '', b: '' });
  });

  it('static volume: held from other claims at once; PreBind annotates the claim and succeeds once the binder binds it', async () => {
    const pvB = makeVolume('pv-b').storageClass('local-static').onHost('b').obj();
    const vols = new MemoryVolumes({ claims: [staticClaim.obj(), makeClaim('other').storageClass('local-static').obj()], volumes: [pvB], classes });
    const binder = new MemoryVolumeBinder(vols);
    const p = plugin(vols, binder);
    const c = scheduleTo(p, pod('data'), 'b');
    expect(c.reserve.isSuccess()).to.equal(true);
    // Held in memory: another claim's pod finds no volume, before any API write.
    expect(filterReasons(p, withClaims(makePod().name('other').obj(), 'other'), [a, b])).to.deep.equal({ a: bindConflict, b: bindConflict });
    let done: Status | undefined;
    void p.preBind(c.state, c.pi, 'b', new AbortController().signal).then((s) => (done = s));
    await settle();
    expect(binder.calls).to.deep.equal(['annotate data b']);
    expect(done).to.equal(undefined);
    bindClaim(vols, 'data', pvB);
    await settle();
    expect(done?.code).to.equal('Success');
    // Released once bound: the volume is the claim's now, as the cache says.
    expect(filterReasons(p, withClaims(makePod().name('other').obj(), 'other'), [a, b])).to.deep.equal({ a: bindConflict, b: bindConflict });
  });

  it('a static volume held by a pod that unreserves is free again', async () => {
    const vols = new MemoryVolumes({ claims: [staticClaim.obj(), makeClaim('other').storageClass('local-static').obj()], volumes: [makeVolume('pv-b').storageClass('local-static').onHost('b').obj()], classes });
    const p = plugin(vols, new MemoryVolumeBinder(vols));
    const c = scheduleTo(p, pod('data'), 'b');
    await p.unreserve(c.state, c.pi);
    expect(filterReasons(p, withClaims(makePod().name('other').obj(), 'other'), [a, b])).to.deep.equal({ a: bindConflict, b: '' });
  });

  it('times out after bindTimeoutSeconds; unreserve then takes the annotation back', async () => {
    const clock = new FakeClock();
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const binder = new MemoryVolumeBinder(vols);
    const p = plugin(vols, binder, clock, 5);
    const c = scheduleTo(p, pod('data'), 'a');
    let done: Status | undefined;
    void p.preBind(c.state, c.pi, 'a', new AbortController().signal).then((s) => (done = s));
    await settle();
    await clock.advanceAsync(4_999);
    expect(done).to.equal(undefined);
    await clock.advanceAsync(1);
    expect(done?.code).to.equal('Error');
    expect(done?.message()).to.equal('binding volumes: timed out after 5s waiting for PersistentVolumeClaim(s) default/data to be bound');
    expect(vols.subscriberCount()).to.equal(0);
    await p.unreserve(c.state, c.pi);
    expect(binder.calls).to.deep.equal(['annotate data a', 'annotate data -']);
    expect(vols.claim('default', 'data')!.metadata!.annotations?.[ANN_SELECTED_NODE]).to.equal(undefined);
    // Nothing held any more: another attempt may choose either node.
    expect(filterReasons(p, pod('data'), [a, b])).to.deep.equal({ a: '', b: '' });
  });

  it('unreserve leaves the annotation of a claim that got bound meanwhile', async () => {
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const binder = new MemoryVolumeBinder(vols);
    const p = plugin(vols, binder);
    const c = scheduleTo(p, pod('data'), 'a');
    const ac = new AbortController();
    const pending = p.preBind(c.state, c.pi, 'a', ac.signal);
    await settle();
    const claim = structuredClone(vols.claim('default', 'data')!);
    claim.spec!.volumeName = 'pvc-x';
    vols.setClaim(claim);
    ac.abort();
    expect((await pending).message()).to.equal('binding volumes: the scheduler is stopping');
    await p.unreserve(c.state, c.pi);
    expect(binder.calls).to.deep.equal(['annotate data a']);
  });

  it('fails at once when the provisioner gives the claim back (removes the selected node)', async () => {
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const binder = new MemoryVolumeBinder(vols);
    const p = plugin(vols, binder);
    const c = scheduleTo(p, pod('data'), 'a');
    const pending = p.preBind(c.state, c.pi, 'a', new AbortController().signal);
    await settle();
    const claim = structuredClone(vols.claim('default', 'data')!);
    delete claim.metadata!.annotations![ANN_SELECTED_NODE];
    vols.setClaim(claim);
    expect((await pending).message()).to.equal('binding volumes: selectedNode annotation reset for PVC "data"');
  });

  it('an annotation the cache has not shown yet is not taken for a reset', async () => {
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const binder = new MemoryVolumeBinder(vols);
    binder.apply = false;
    const p = plugin(vols, binder);
    const c = scheduleTo(p, pod('data'), 'a');
    let done: Status | undefined;
    void p.preBind(c.state, c.pi, 'a', new AbortController().signal).then((s) => (done = s));
    await settle();
    vols.setClaim(vols.claim('default', 'data')!); // an unrelated event before ours arrives
    await settle();
    expect(done).to.equal(undefined);
    bindClaim(vols, 'data', makeVolume('pvc-1').storageClass('local-path').obj());
    await settle();
    expect(done?.code).to.equal('Success');
  });

  it('fails when the claim is deleted while waiting, and when the write is refused', async () => {
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const binder = new MemoryVolumeBinder(vols);
    const p = plugin(vols, binder);
    const c = scheduleTo(p, pod('data'), 'a');
    const pending = p.preBind(c.state, c.pi, 'a', new AbortController().signal);
    await settle();
    vols.deleteClaim('default', 'data');
    expect((await pending).message()).to.equal('binding volumes: persistentvolumeclaim "data" was deleted');

    const vols2 = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const refusing = new MemoryVolumeBinder(vols2);
    refusing.fail = new Error('persistentvolumeclaims "data" is forbidden');
    const p2 = plugin(vols2, refusing);
    const c2 = scheduleTo(p2, pod('data'), 'a');
    expect((await p2.preBind(c2.state, c2.pi, 'a', new AbortController().signal)).message()).to.equal('binding volumes: persistentvolumeclaims "data" is forbidden');
  });

  it('fails when the claim gets bound to a volume that does not fit the node', async () => {
    const vols = new MemoryVolumes({ claims: [makeClaim('data').storageClass('local-path').obj()], classes });
    const p = plugin(vols, new MemoryVolumeBinder(vols));
    const c = scheduleTo(p, pod('data'), 'a');
    const pending = p.preBind(c.state, c.pi, 'a', new AbortController().signal);
    await settle();
    bindClaim(vols, 'data', makeVolume('pvc-1').storageClass('local-path').onHost('b').obj());
    expect((await pending).message()).to.equal('binding volumes: persistentvolume "pvc-1" bound to claim default/data does not fit node "a"');
  });

  it('a pod whose claims are all bound has nothing to pre-bind', async () => {
    const claim = makeClaim('data').storageClass('fast').boundTo('pv-1').obj();
    const vols = new MemoryVolumes({ claims: [claim], volumes: [makeVolume('pv-1').storageClass('fast').boundTo(claim).obj()], classes });
    const binder = new MemoryVolumeBinder(vols);
    const p = plugin(vols, binder);
    const c = scheduleTo(p, pod('data'), 'a');
    expect((await p.preBind(c.state, c.pi, 'a', new AbortController().signal)).isSkip()).to.equal(true);
    await p.unreserve(c.state, c.pi);
    expect(binder.calls).to.deep.equal([]);
  });
});
