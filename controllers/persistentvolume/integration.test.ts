// The storage controllers (binder, pvc-protection, pv-protection) and the local-path
// provisioner against a real etcd and API server (processes), run by the controller manager
// in-process under its own identity. The test plays the scheduler (it sets the
// selected-node annotation) and the node agent (it sets a Node's local-path root and removes
// the cleanup finalizer of a deleted local-path volume); Node objects are made by the test.

import path from 'node:path';
import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { ApiClient } from '../../common/client/apiClient.js';
import { NotFoundError } from '../../common/errors.js';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { eventually } from '../../common/testing/eventually.js';
import { kubectlFor, showRun, type Kubectl } from '../../common/testing/kubectl.js';
import type { ControllerManagerApp } from '../app.js';
import { localPathProvisionerFactory } from '../localpath/index.js';
import { localPathCleanupFinalizer, localPathRootAnnotation } from '../localpath/names.js';
import { controllerManagerUser } from '../testing/controllerManagerProcess.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { persistentVolumeBinderFactory, pvcProtectionControllerFactory, pvProtectionControllerFactory } from './index.js';
import { annBindCompleted, annBoundByController, annSelectedNode, annStorageProvisioner, pvProtectionFinalizer } from './names.js';
import { nodesResource, persistentVolumeClaimsResource as pvcs, persistentVolumesResource as pvs, podsResource, storageClassesResource } from './resources.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from './types.js';

interface EventObject extends KubeObject {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
}

describe('storage controllers integration (etcd + API server processes, controller manager in-process)', function () {
  this.timeout(180_000);
  const ns = 'storage-it';
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp;
  let kubectl: Kubectl;

  const staticVolume = (name: string, o: { size?: string; className?: string; reclaim?: 'Retain' | 'Delete'; claimRef?: { namespace: string; name: string }; modes?: string[] } = {}): PersistentVolume => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: { test: 'storage-it' } },
    spec: {
      capacity: { storage: o.size ?? '1Gi' },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      storageClassName: o.className ?? 'manual',
      persistentVolumeReclaimPolicy: o.reclaim ?? 'Retain',
      hostPath: { path: `/tmp/storage-it/${name}` },
      ...(o.claimRef ? { claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', ...o.claimRef } } : {}),
    },
  });
  const newClaim = (name: string, o: { size?: string; className?: string; volumeName?: string } = {}): PersistentVolumeClaim => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: ns },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } }, storageClassName: o.className ?? 'manual', ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  });
  const getClaim = (name: string): Promise<PersistentVolumeClaim> => admin.get<PersistentVolumeClaim>(pvcs, ns, name);
  const getVolume = (name: string): Promise<PersistentVolume> => admin.get<PersistentVolume>(pvs, undefined, name);
  const gone = async (r: typeof pvs, namespace: string | undefined, name: string): Promise<true | undefined> => {
    try {
      await admin.get(r, namespace, name);
      return undefined;
    } catch (e) {
      if (e instanceof NotFoundError) return true;
      throw e;
    }
  };
  /** Both sides bound to each other, as the binder leaves them. */
  const bound = (claimName: string, timeoutMs = 20_000): Promise<{ claim: PersistentVolumeClaim; volume: PersistentVolume }> =>
    eventually(`claim ${claimName} Bound`, async () => {
      const claim = await getClaim(claimName);
      if (claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) return undefined;
      const volume = await getVolume(claim.spec.volumeName);
      return volume.status?.phase === 'Bound' && volume.spec?.claimRef?.uid === claim.metadata.uid ? { claim, volume } : undefined;
    }, timeoutMs);
  const events = async (kind: string, name: string, namespace = ns): Promise<string[]> =>
    (await admin.list<EventObject>(resourceFor('Event'), namespace)).items.filter((e) => e.involvedObject?.kind === kind && e.involvedObject.name === name).map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  const eventSeen = (kind: string, name: string, prefix: string): Promise<string> =>
    eventually(`event "${prefix}" on ${kind} ${name}`, async () => (await events(kind, name)).find((e) => e.startsWith(prefix)), 20_000);
  const createNode = async (name: string, root?: string): Promise<void> => {
    const node = makeNode().name(name).labels({ 'kubernetes.io/hostname': `${name}.host` }).obj() as unknown as Node;
    if (root) node.metadata.annotations = { [localPathRootAnnotation]: root };
    const made = await admin.create<Node>(nodesResource, undefined, node);
    await admin.updateStatus<Node>(nodesResource, { ...made, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } });
  };
  /** What the node agent does for a deleted local-path volume: remove the directory, then its finalizer. */
  const nodeAgentCleanup = async (name: string): Promise<void> => {
    const v = await eventually(`volume ${name} being deleted`, async () => {
      const got = await getVolume(name);
      return got.metadata.deletionTimestamp ? got : undefined;
    }, 20_000);
    await admin.patch(pvs, undefined, name, 'json', [
      { op: 'test', path: '/metadata/resourceVersion', value: v.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/finalizers', value: (v.metadata.finalizers ?? []).filter((f) => f !== localPathCleanupFinalizer) },
    ]);
  };

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    kubectl = kubectlFor(harness.cluster.kubeconfig, path.join(harness.cluster.dir, 'kubectl'));
    await createNamespace(admin, ns);
    app = await startTestManager({
      kubeconfig: harness.cluster.kubeconfig,
      client: harness.client,
      registry: {
        'persistentvolume-binder': persistentVolumeBinderFactory,
        'pvc-protection': pvcProtectionControllerFactory,
        'pv-protection': pvProtectionControllerFactory,
        'localpath-provisioner': localPathProvisionerFactory,
      },
      config: { controllerOptions: { 'localpath-provisioner': { retryAfterMs: 500 } } },
    });
  });
  after(async () => {
    await app?.stop();
    await harness?.close();
  });

  it('a static volume: the smallest that fits is bound both ways; kubectl get pvc shows it Bound', async () => {
    for (const [name, size] of [['pv-small', '1Gi'], ['pv-fit', '2Gi'], ['pv-big', '5Gi']] as const) await admin.create(pvs, undefined, staticVolume(name, { size }));
    await eventually('the volumes Available', async () => ((await admin.list<PersistentVolume>(pvs, undefined, { labelSelector: 'test=storage-it' })).items.every((v) => v.status?.phase === 'Available') ? true : undefined));
    await admin.create(pvcs, ns, newClaim('static', { size: '1500Mi' }));
    const { claim, volume } = await bound('static');
    expect(claim.spec?.volumeName).to.equal('pv-fit');
    expect(claim.metadata.annotations).to.include({ [annBindCompleted]: 'yes', [annBoundByController]: 'yes' });
    expect(claim.status?.capacity).to.deep.equal({ storage: '2Gi' });
    expect(claim.status?.accessModes).to.deep.equal(['ReadWriteOnce']);
    expect(volume.spec?.claimRef).to.include({ kind: 'PersistentVolumeClaim', namespace: ns, name: 'static', uid: claim.metadata.uid });
    expect(volume.metadata.annotations).to.include({ [annBoundByController]: 'yes' });
    for (const other of ['pv-small', 'pv-big']) expect((await getVolume(other)).status?.phase).to.equal('Available');

    const r = await kubectl(['get', 'pvc', 'static', '-n', ns]);
    expect(r.code, showRun(r)).to.equal(0);
    expect(r.stdout).to.match(/^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS/);
    expect(r.stdout).to.match(/\nstatic\s+Bound\s+pv-fit\s+2Gi\s+RWO\s+manual\s/);
    const v = await kubectl(['get', 'pv', 'pv-fit']);
    expect(v.code, showRun(v)).to.equal(0);
    expect(v.stdout).to.match(new RegExp(`\\npv-fit\\s+2Gi\\s+RWO\\s+Retain\\s+Bound\\s+${ns}/static\\s+manual`));
  });

  it('pre-bound both ways: a volume reserving a claim by claimRef, a claim naming its volume', async () => {
    await admin.create(pvs, undefined, staticVolume('pv-reserved', { size: '3Gi', claimRef: { namespace: ns, name: 'wants-reserved' } }));
    await admin.create(pvs, undefined, staticVolume('pv-named', { size: '4Gi' }));
    await admin.create(pvs, undefined, staticVolume('pv-decoy', { size: '1Gi' }));
    await admin.create(pvcs, ns, newClaim('wants-reserved'));
    await admin.create(pvcs, ns, newClaim('names-it', { volumeName: 'pv-named' }));
    const reserved = await bound('wants-reserved');
    expect(reserved.claim.spec?.volumeName, 'the reservation wins over the smaller free volume').to.equal('pv-reserved');
    expect(reserved.volume.metadata.annotations?.[annBoundByController], 'the user chose this volume').to.equal(undefined);
    const named = await bound('names-it');
    expect(named.claim.spec?.volumeName).to.equal('pv-named');
    expect(named.claim.metadata.annotations?.[annBoundByController], 'the user named the volume').to.equal(undefined);
    expect(named.claim.metadata.annotations).to.include({ [annBindCompleted]: 'yes' });
    expect(named.volume.metadata.annotations).to.include({ [annBoundByController]: 'yes' });
    expect((await getVolume('pv-decoy')).status?.phase).to.equal('Available');
  });

  it('claims racing for few volumes: each volume goes to exactly one claim, the rest stay Pending', async () => {
    const volumes = ['race-a', 'race-b', 'race-c'];
    await Promise.all(volumes.map((n) => admin.create(pvs, undefined, staticVolume(n, { className: 'race' }))));
    const claims = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    await Promise.all(claims.map((n) => admin.create(pvcs, ns, newClaim(n, { className: 'race' }))));
    const settled = await eventually('three claims bound, three volumes Bound', async () => {
      const cs = await Promise.all(claims.map(getClaim));
      const vs = await Promise.all(volumes.map(getVolume));
      return cs.filter((x) => x.status?.phase === 'Bound').length === 3 && vs.every((v) => v.status?.phase === 'Bound') ? { cs, vs } : undefined;
    }, 30_000);
    const state = JSON.stringify({ claims: settled.cs.map((x) => [x.metadata.name, x.metadata.uid, x.spec?.volumeName, x.status?.phase, x.metadata.annotations]), volumes: settled.vs.map((v) => [v.metadata.name, v.spec?.claimRef?.name, v.spec?.claimRef?.uid, v.metadata.annotations]) });
    for (const v of settled.vs) {
      const owner = settled.cs.filter((x) => x.spec?.volumeName === v.metadata.name);
      expect(owner.map((x) => x.metadata.name), `claims naming ${v.metadata.name ?? ''}: ${state}`).to.have.length(1);
      expect(v.spec?.claimRef?.uid).to.equal(owner[0]!.metadata.uid);
    }
    for (const x of settled.cs.filter((y) => y.status?.phase !== 'Bound')) {
      expect(x.spec?.volumeName ?? '').to.equal('');
      expect(x.status?.phase).to.equal('Pending');
    }
  });

  it('claims nothing fits: Pending, with the reason as an event', async () => {
    await admin.create(pvcs, ns, newClaim('no-class', { className: '', size: '100Gi' }));
    await admin.create(pvcs, ns, newClaim('missing-class', { className: 'nope' }));
    await admin.create(pvcs, ns, newClaim('wrong-volume', { volumeName: 'pv-decoy', size: '8Gi' }));
    expect(await eventSeen('PersistentVolumeClaim', 'no-class', 'FailedBinding')).to.equal('FailedBinding: no persistent volumes available for this claim and no storage class is set');
    expect(await eventSeen('PersistentVolumeClaim', 'missing-class', 'ProvisioningFailed')).to.equal('ProvisioningFailed: storageclass.storage.k8s.io "nope" not found');
    expect(await eventSeen('PersistentVolumeClaim', 'wrong-volume', 'VolumeMismatch')).to.equal('VolumeMismatch: Cannot bind to requested volume "pv-decoy": requested PV is too small');
    for (const n of ['no-class', 'missing-class', 'wrong-volume']) expect((await getClaim(n)).status?.phase).to.equal('Pending');
    expect((await getVolume('pv-decoy')).status?.phase).to.equal('Available');
  });

  it('WaitForFirstConsumer: waits for the scheduler, then gets a local-path volume on the chosen node and binds; a node without a root gets ProvisioningFailed until it has one', async () => {
    await createNode('n1', '/var/lib/gantry/n1/local-path');
    await createNode('n2');
    await admin.create<StorageClass>(storageClassesResource, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'local-path' },
      provisioner: 'gantry.dev/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await admin.create(pvcs, ns, newClaim('data', { className: 'local-path', size: '2Gi' }));
    expect(await eventSeen('PersistentVolumeClaim', 'data', 'WaitForFirstConsumer')).to.equal('WaitForFirstConsumer: waiting for first consumer to be created before binding');
    const waiting = await getClaim('data');
    expect(waiting.status?.phase).to.equal('Pending');
    expect(waiting.metadata.annotations?.[annStorageProvisioner], 'not handed to the provisioner before a node is chosen').to.equal(undefined);
    expect(await gone(pvs, undefined, `pvc-${waiting.metadata.uid ?? ''}`)).to.equal(true);

    // The scheduler's part.
    await admin.patch(pvcs, ns, 'data', 'merge', { metadata: { annotations: { [annSelectedNode]: 'n1' } } });
    const { claim, volume } = await bound('data');
    const uid = claim.metadata.uid ?? '';
    expect(volume.metadata.name).to.equal(`pvc-${uid}`);
    expect(volume.spec?.local?.path).to.equal(`/var/lib/gantry/n1/local-path/pvc-${uid}_${ns}_data`);
    expect(volume.spec?.nodeAffinity).to.deep.equal({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1.host'] }] }] } });
    expect(volume.metadata.labels).to.deep.equal({ 'storage.gantry.dev/node': 'n1' });
    expect(volume.metadata.finalizers).to.include.members([localPathCleanupFinalizer, pvProtectionFinalizer]);
    expect(volume.metadata.annotations).to.include({ 'pv.kubernetes.io/provisioned-by': 'gantry.dev/local-path' });
    expect(volume.spec).to.include({ persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local-path', volumeMode: 'Filesystem' });
    expect(volume.spec?.capacity).to.deep.equal({ storage: '2Gi' });
    expect(claim.metadata.annotations).to.include({ [annStorageProvisioner]: 'gantry.dev/local-path' });
    const claimEvents = await events('PersistentVolumeClaim', 'data');
    expect(claimEvents).to.include(`ProvisioningSucceeded: Successfully provisioned volume pvc-${uid}`);
    expect(claimEvents.some((e) => e.startsWith("ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'gantry.dev/local-path'"))).to.equal(true);

    // A node whose agent has not set its root yet.
    await admin.create(pvcs, ns, newClaim('data2', { className: 'local-path' }));
    await admin.patch(pvcs, ns, 'data2', 'merge', { metadata: { annotations: { [annSelectedNode]: 'n2' } } });
    expect(await eventSeen('PersistentVolumeClaim', 'data2', 'ProvisioningFailed')).to.equal(
      'ProvisioningFailed: failed to provision volume: node "n2" has no storage.gantry.dev/local-path-root annotation (its node agent sets it when it starts)',
    );
    await admin.patch(nodesResource, undefined, 'n2', 'merge', { metadata: { annotations: { [localPathRootAnnotation]: '/srv/n2' } } });
    const second = await bound('data2');
    expect(second.volume.spec?.local?.path).to.equal(`/srv/n2/pvc-${second.claim.metadata.uid ?? ''}_${ns}_data2`);

    // The scheduler chose a node that has gone since: the choice goes back to the scheduler.
    await admin.create(pvcs, ns, newClaim('data3', { className: 'local-path' }));
    await admin.patch(pvcs, ns, 'data3', 'merge', { metadata: { annotations: { [annSelectedNode]: 'ghost' } } });
    expect(await eventSeen('PersistentVolumeClaim', 'data3', 'ProvisioningFailed')).to.equal('ProvisioningFailed: failed to provision volume: node "ghost" not found');
    await eventually('selected-node removed', async () => ((await getClaim('data3')).metadata.annotations?.[annSelectedNode] === undefined ? true : undefined), 20_000);
    expect((await getClaim('data3')).status?.phase).to.equal('Pending');
  });

  it('a deleted claim releases its volume: Delete removes the PV object (after the node agent cleanup), Retain keeps it Released', async () => {
    const data = await getClaim('data');
    const pvName = data.spec?.volumeName ?? '';
    await admin.delete(pvcs, ns, 'data');
    await eventually('claim data gone', () => gone(pvcs, ns, 'data'), 20_000);
    await nodeAgentCleanup(pvName);
    await eventually(`volume ${pvName} gone`, () => gone(pvs, undefined, pvName), 20_000);

    await admin.delete(pvcs, ns, 'static');
    await eventually('pv-fit Released', async () => ((await getVolume('pv-fit')).status?.phase === 'Released' ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    const kept = await getVolume('pv-fit');
    expect(kept.status?.phase).to.equal('Released');
    expect(kept.metadata.deletionTimestamp).to.equal(undefined);
    // A claim made now does not take a Released volume.
    await admin.create(pvcs, ns, newClaim('after-release', { size: '2Gi' }));
    expect((await bound('after-release')).claim.spec?.volumeName).to.equal('pv-big');
  });

  it('an Immediate local-path class: provisioned at once on the Ready node with a root and the fewest volumes; its Retain policy keeps the volume Released', async () => {
    await admin.create<StorageClass>(storageClassesResource, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'local-now' },
      provisioner: 'gantry.dev/local-path',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
    });
    // n2 holds data2's volume, n1 none since data's went.
    await admin.create(pvcs, ns, newClaim('now', { className: 'local-now', size: '512Mi' }));
    const { claim, volume } = await bound('now');
    expect(claim.metadata.annotations?.[annSelectedNode]).to.equal(undefined);
    expect(volume.metadata.labels).to.deep.equal({ 'storage.gantry.dev/node': 'n1' });
    expect(volume.spec?.persistentVolumeReclaimPolicy).to.equal('Retain');
    await admin.delete(pvcs, ns, 'now');
    const name = volume.metadata.name ?? '';
    await eventually(`${name} Released`, async () => ((await getVolume(name)).status?.phase === 'Released' ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await getVolume(name)).metadata.deletionTimestamp, 'Retain: not deleted').to.equal(undefined);
  });

  it('protection: a claim a pod uses stays until the pod is finished; a Bound volume stays until released', async () => {
    await admin.create(pvs, undefined, staticVolume('pv-used', { size: '6Gi', reclaim: 'Delete' }));
    await admin.create(pvcs, ns, newClaim('used', { size: '6Gi' }));
    await bound('used');
    const pod = makePod().name('user').namespace(ns).obj() as unknown as Pod;
    pod.spec = { ...pod.spec, nodeName: 'n1', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'used' } }] };
    const made = await admin.create<Pod>(podsResource, ns, pod);
    const running = await admin.updateStatus<Pod>(podsResource, { ...made, status: { phase: 'Running' } });

    // Deleting the volume while Bound: it stays (pv-protection).
    await admin.delete(pvs, undefined, 'pv-used');
    await admin.delete(pvcs, ns, 'used');
    await new Promise((r) => setTimeout(r, 2000));
    const held = await getClaim('used');
    expect(held.metadata.deletionTimestamp, 'marked for deletion').to.be.a('string');
    expect(held.metadata.finalizers).to.include('kubernetes.io/pvc-protection');
    const heldVolume = await getVolume('pv-used');
    expect(heldVolume.status?.phase).to.equal('Bound');
    expect(heldVolume.metadata.finalizers).to.include(pvProtectionFinalizer);

    // The pod finishes: the claim goes, its volume is released and (Delete) goes too.
    await admin.updateStatus<Pod>(podsResource, { ...running, status: { phase: 'Succeeded' } });
    await eventually('claim used gone', () => gone(pvcs, ns, 'used'), 20_000);
    await eventually('volume pv-used gone', () => gone(pvs, undefined, 'pv-used'), 20_000);
  });
});
