// VolumeBinding against a real etcd and API server (separate processes), the scheduler running
// in-process as system:kube-scheduler (so the API server's rules on what it may read and
// patch apply). The test plays the provisioner and the binder where the contract says they
// act: it writes the PersistentVolume and binds both sides.
// - a pod with a WaitForFirstConsumer claim: the claim gets the chosen node's annotation; once
//   the test binds it to a volume on that node, the pod is bound there;
// - a pod whose claim is bound to a volume pinned to node B lands on B;
// - a claim nobody binds: PreBind times out, the annotation is taken back, FailedScheduling
//   says why;
// - a missing claim: FailedScheduling and the per-node annotation say so.

import { expect } from 'chai';
import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { parseUnschedulableNodes, schedulerUnschedulableNodesAnnotation } from '../../common/api/schedulerAnnotations.js';
import { RestClient } from '../../common/client/restClient.js';
import { silentLogger } from '../../common/logging.js';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { startSchedulerApp, type SchedulerApp } from '../app.js';
import { schedulerConfigDefaults, type SchedulerConfig } from '../config/schedulerConfig.js';
import { makeClaim, makeStorageClass, makeVolume, withClaims } from './volumeBindingBuilders.js';
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE } from './volumeBindingMatch.js';

async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Nobody in this cluster provisions for this name: the test does.
const provisioner = 'test.gantry.dev/by-hand';

describe('VolumeBinding integration (etcd + API server processes)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  const schedulerToken = 'volume-binding-scheduler-token';
  let schedulerClient: RestClient;
  const apps: SchedulerApp[] = [];

  const start = async (over: Partial<SchedulerConfig> = {}): Promise<SchedulerApp> => {
    const config: SchedulerConfig = { ...(schedulerConfigDefaults as SchedulerConfig), kubeconfig: c.kubeconfig, metricsPort: 0, leaderElect: false, ...over };
    const app = await startSchedulerApp({ config, client: schedulerClient, logger: silentLogger() });
    apps.push(app);
    await app.synced;
    return app;
  };
  const post = async (path: string, body: unknown): Promise<void> => {
    const r = await c.client.request('POST', path, { body });
    expect(r.status, r.text).to.equal(201);
  };
  const patch = async (path: string, body: unknown): Promise<void> => {
    const r = await c.client.request('PATCH', path, { body, contentType: 'application/merge-patch+json' });
    expect(r.status, r.text).to.equal(200);
  };
  const getPod = async (name: string): Promise<V1Pod> => (await c.client.get<V1Pod>(`/api/v1/namespaces/default/pods/${name}`)).body;
  const getClaim = async (name: string): Promise<V1PersistentVolumeClaim> => (await c.client.get<V1PersistentVolumeClaim>(`/api/v1/namespaces/default/persistentvolumeclaims/${name}`)).body;
  const eventsFor = async (name: string): Promise<CoreV1Event[]> =>
    (await c.client.get<{ items: CoreV1Event[] }>('/api/v1/namespaces/default/events', { query: { fieldSelector: `involvedObject.name=${name}` } })).body.items;
  const createClaim = async (claim: V1PersistentVolumeClaim): Promise<V1PersistentVolumeClaim> => {
    const { uid: _uid, ...metadata } = claim.metadata!;
    const r = await c.client.request('POST', '/api/v1/namespaces/default/persistentvolumeclaims', { body: { ...claim, metadata } });
    expect(r.status, r.text).to.equal(201);
    return JSON.parse(r.text) as V1PersistentVolumeClaim;
  };
  /** What the provisioner and the binder do: a volume on `node` for the claim, both sides bound. */
  const provisionAndBind = async (claim: V1PersistentVolumeClaim, node: string, className: string): Promise<string> => {
    const name = `pvc-${claim.metadata!.uid}`;
    const pv = makeVolume(name).storageClass(className).onHost(node).obj();
    pv.spec!.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: claim.metadata!.name!, uid: claim.metadata!.uid! };
    pv.metadata = { name, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner } };
    delete pv.status;
    await post('/api/v1/persistentvolumes', pv);
    await patch(`/api/v1/persistentvolumes/${name}/status`, { status: { phase: 'Bound' } });
    await patch(`/api/v1/namespaces/default/persistentvolumeclaims/${claim.metadata!.name}`, {
      metadata: { annotations: { [ANN_BIND_COMPLETED]: 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
      spec: { volumeName: name },
    });
    await patch(`/api/v1/namespaces/default/persistentvolumeclaims/${claim.metadata!.name}/status`, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } });
    return name;
  };

  before(async () => {
    c = await startProcessCluster({ extraTokens: [{ token: schedulerToken, user: 'system:kube-scheduler', groups: [] }] });
    schedulerClient = new RestClient({ ...c.access, token: schedulerToken });
    for (const n of ['vb-a', 'vb-b']) await post('/api/v1/nodes', makeNode().name(n).labels({ 'kubernetes.io/hostname': n, pool: 'vb' }).capacity({ cpu: '4', memory: '8Gi', pods: '110' }).obj());
    await post('/apis/storage.k8s.io/v1/storageclasses', makeStorageClass('vb-wffc').waitForFirstConsumer().provisioner(provisioner).obj());
    await post('/apis/storage.k8s.io/v1/storageclasses', makeStorageClass('vb-immediate').provisioner(provisioner).obj());
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.stop();
  });
  after(async () => {
    for (const a of apps.splice(0)) await a.stop();
    schedulerClient?.close();
    await c?.close();
  });

  it('a WaitForFirstConsumer claim gets the chosen node; once bound there, the pod is bound to that node', async () => {
    await start();
    const claim = await createClaim(makeClaim('wffc-data').storageClass('vb-wffc').obj());
    await post('/api/v1/namespaces/default/pods', withClaims(makePod().name('wffc-pod').nodeSelector({ pool: 'vb' }).obj(), 'wffc-data'));
    const annotated = await eventually(async () => (await getClaim('wffc-data')).metadata?.annotations?.[ANN_SELECTED_NODE], 'the selected-node annotation');
    expect(annotated).to.be.oneOf(['vb-a', 'vb-b']);
    // Not bound while the claim is not.
    await new Promise((r) => setTimeout(r, 500));
    expect((await getPod('wffc-pod')).spec?.nodeName).to.equal(undefined);
    await provisionAndBind(claim, annotated, 'vb-wffc');
    const pod = await eventually(async () => {
      const p = await getPod('wffc-pod');
      return p.spec?.nodeName ? p : undefined;
    }, 'the pod bound');
    expect(pod.spec!.nodeName).to.equal(annotated);
    const ev = await eventually(async () => (await eventsFor('wffc-pod')).find((e) => e.reason === 'Scheduled'), 'a Scheduled event');
    expect(ev.message).to.equal(`Successfully assigned default/wffc-pod to ${annotated}`);
  });

  it('a pod whose claim is bound to a volume pinned to node B lands on B', async () => {
    const claim = await createClaim(makeClaim('pinned-data').storageClass('vb-immediate').obj());
    // Bound before the scheduler sees the pod; the volume can only be reached from vb-b.
    await provisionAndBind(claim, 'vb-b', 'vb-immediate');
    await start();
    await post('/api/v1/namespaces/default/pods', withClaims(makePod().name('pinned-pod').nodeSelector({ pool: 'vb' }).obj(), 'pinned-data'));
    const pod = await eventually(async () => {
      const p = await getPod('pinned-pod');
      return p.spec?.nodeName ? p : undefined;
    }, 'the pod bound');
    expect(pod.spec!.nodeName).to.equal('vb-b');
    // An unbound claim of an Immediate class keeps its pod waiting, with Kubernetes' words.
    await createClaim(makeClaim('immediate-unbound').storageClass('vb-immediate').obj());
    await post('/api/v1/namespaces/default/pods', withClaims(makePod().name('immediate-pod').nodeSelector({ pool: 'vb' }).obj(), 'immediate-unbound'));
    const ev = await eventually(async () => (await eventsFor('immediate-pod')).find((e) => e.reason === 'FailedScheduling'), 'a FailedScheduling event');
    expect(ev.message).to.match(/^0\/\d+ nodes are available: pod has unbound immediate PersistentVolumeClaims\./);
  });

  it('a claim nobody binds: PreBind times out, the annotation is taken back and the pod is told why', async () => {
    // A long back-off, so the retry does not set the annotation again while the test looks.
    await start({ pluginConfig: [{ name: 'VolumeBinding', args: { bindTimeoutSeconds: 2 } }], podInitialBackoffSeconds: 60, podMaxBackoffSeconds: 60 });
    await createClaim(makeClaim('orphan-data').storageClass('vb-wffc').obj());
    await post('/api/v1/namespaces/default/pods', withClaims(makePod().name('orphan-pod').nodeSelector({ pool: 'vb' }).obj(), 'orphan-data'));
    await eventually(async () => (await getClaim('orphan-data')).metadata?.annotations?.[ANN_SELECTED_NODE], 'the selected-node annotation');
    const ev = await eventually(async () => (await eventsFor('orphan-pod')).find((e) => e.reason === 'FailedScheduling'), 'a FailedScheduling event', 15_000);
    expect(ev.message).to.equal('running PreBind plugin "VolumeBinding": binding volumes: timed out after 2s waiting for PersistentVolumeClaim(s) default/orphan-data to be bound');
    await eventually(async () => (await getClaim('orphan-data')).metadata?.annotations?.[ANN_SELECTED_NODE] === undefined, 'the annotation taken back', 5_000);
    expect((await getPod('orphan-pod')).spec?.nodeName).to.equal(undefined);
  });

  it('a missing claim: FailedScheduling and the per-node annotation carry the reason', async () => {
    await start();
    await post('/api/v1/namespaces/default/pods', withClaims(makePod().name('lost-pod').nodeSelector({ pool: 'vb' }).obj(), 'no-such-claim'));
    const ev = await eventually(async () => (await eventsFor('lost-pod')).find((e) => e.reason === 'FailedScheduling'), 'a FailedScheduling event');
    expect(ev.message).to.match(/^0\/\d+ nodes are available: persistentvolumeclaim "no-such-claim" not found\./);
    const perNode = await eventually(async () => parseUnschedulableNodes((await getPod('lost-pod')).metadata?.annotations?.[schedulerUnschedulableNodesAnnotation]), 'the unschedulable-nodes annotation');
    expect(perNode.nodes['vb-a']).to.deep.equal(['persistentvolumeclaim "no-such-claim" not found']);
    // The claim appearing (bound to a volume on vb-a) lets the pod in.
    const claim = await createClaim(makeClaim('no-such-claim').storageClass('vb-immediate').obj());
    await provisionAndBind(claim, 'vb-a', 'vb-immediate');
    const pod = await eventually(async () => {
      const p = await getPod('lost-pod');
      return p.spec?.nodeName ? p : undefined;
    }, 'the pod bound once its claim exists');
    expect(pod.spec!.nodeName).to.equal('vb-a');
  });
});
