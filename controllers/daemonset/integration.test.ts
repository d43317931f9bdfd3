// The DaemonSet controller against a real etcd and API server (processes), run by the
// controller manager in-process under its own identity, with the real scheduler as a process
// binding the daemon pods (they carry a matchFields node affinity, not a nodeName). Node
// objects are made by the test; a tiny in-test "kubelet" marks bound pods Running and Ready.
// The test records the pods' watch stream and checks it at every step of a rolling update.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import type { ApiClient } from '../../common/client/apiClient.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import { componentCommand } from '../../common/proc/components.js';
import { freePort } from '../../common/proc/ports.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { makeNode } from '../../common/testing/builders.js';
import { eventually } from '../../common/testing/eventually.js';
import { startClusterAs, type ClusterAs } from '../../common/testing/clusterAs.js';
import { createNamespace } from '../../common/testing/createNamespace.js';
import { kubectl } from '../../common/testing/kubectl.js';
import type { ControllerManagerApp } from '../app.js';
import { isPodReady } from '../replicaset/podState.js';
import { controllerManagerUser } from '../testing/controllerManagerProcess.js';
import { startTestManager } from '../testing/inProcessManager.js';
import { TinyKubelet } from '../testing/tinyKubelet.js';
import { daemonSetControllerFactory } from './index.js';
import { targetNodeOf } from './podForDaemonSet.js';
import { daemonSetsResource, nodesResource, podsResource, revisionHashLabel, type DaemonPodSpec, type DaemonSet, type Node, type Pod } from './types.js';

/** After every pod event: which nodes have a live (not terminating), Ready pod, and how many live pods each node has. */
class PodStream {
  readonly readyNodes: Set<string>[] = [];
  readonly livePerNode: Map<string, number>[] = [];
  private readonly pods: Informer<Pod>;

  constructor(client: RestClient, ns: string) {
    this.pods = new Informer<Pod>({ client, path: `/api/v1/namespaces/${ns}/pods` });
    const record = (): void => {
      const live = this.pods.store.list().filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
      const per = new Map<string, number>();
      for (const p of live) per.set(targetNodeOf(p) ?? '', (per.get(targetNodeOf(p) ?? '') ?? 0) + 1);
      this.livePerNode.push(per);
      this.readyNodes.push(new Set(live.filter(isPodReady).map((p) => p.spec?.nodeName ?? '')));
    };
    this.pods.addEventHandler({ onAdd: record, onUpdate: record, onDelete: record });
  }

  async start(): Promise<void> {
    this.pods.start();
    await this.pods.waitForSync();
  }

  stop(): Promise<void> {
    return this.pods.stop();
  }
}

describe('DaemonSet controller integration (etcd + API server + scheduler processes, controller manager in-process)', function () {
  this.timeout(240_000);
  const ns = 'ds-it';
  const surgeNs = 'ds-surge';
  let harness: ClusterAs;
  let admin: ApiClient;
  let app: ControllerManagerApp;
  let kubelet: TinyKubelet;
  let scheduler: ChildProcess | undefined;
  let schedulerLog = '';

  const createNode = async (name: string, taint?: { key: string; value: string; effect: 'NoSchedule' | 'NoExecute' }): Promise<void> => {
    const b = makeNode().name(name).capacity({ cpu: '4', memory: '8Gi' });
    if (taint) b.taint(taint.key, taint.value, taint.effect);
    await admin.create(nodesResource, undefined, b.obj() as unknown as Node);
  };
  const livePods = async (namespace = ns): Promise<Pod[]> => (await admin.list<Pod>(podsResource, namespace)).items.filter((p) => !p.metadata.deletionTimestamp);
  const getDs = (namespace = ns): Promise<DaemonSet> => admin.get<DaemonSet>(daemonSetsResource, namespace, 'agent');
  /** Every eligible node has exactly one live, bound, Ready pod of the current template, and the status says so. */
  const settled = (nodes: string[], hash?: string, namespace = ns): Promise<Pod[]> =>
    eventually(`a ready pod on each of ${nodes.join(',')}`, async () => {
      const pods = await livePods(namespace);
      const ds = await getDs(namespace);
      const ok =
        pods.length === nodes.length &&
        nodes.every((n) => pods.some((p) => p.spec?.nodeName === n && isPodReady(p) && (hash === undefined || p.metadata.labels?.[revisionHashLabel] === hash))) &&
        ds.status?.desiredNumberScheduled === nodes.length &&
        ds.status?.numberReady === nodes.length &&
        ds.status?.updatedNumberScheduled === nodes.length &&
        ds.status?.observedGeneration === ds.metadata.generation;
      return ok ? pods : undefined;
    }, 60_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nscheduler log: ${schedulerLog.slice(-1500)}`);
    });
  const events = async (namespace = ns): Promise<string[]> =>
    (await admin.list<KubeObject & { reason?: string; message?: string; involvedObject?: { kind?: string } }>(resourceFor('Event'), namespace)).items.filter((e) => e.involvedObject?.kind === 'DaemonSet').map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);

  before(async () => {
    harness = await startClusterAs(controllerManagerUser);
    admin = harness.admin;
    for (const name of [ns, surgeNs]) await createNamespace(admin, name);
    const { command, args } = componentCommand('scheduler/main');
    scheduler = spawn(command, [...args, '--kubeconfig', harness.cluster.kubeconfig, '--metrics-port', String(await freePort()), '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    scheduler.stdout!.on('data', (d: Buffer) => (schedulerLog += d.toString()));
    scheduler.stderr!.on('data', (d: Buffer) => (schedulerLog += d.toString()));
    kubelet = new TinyKubelet(admin, { boundOnly: true });
    kubelet.start();
    app = await startTestManager({ kubeconfig: harness.cluster.kubeconfig, client: harness.client, registry: { daemonset: daemonSetControllerFactory } });
  });
  after(async () => {
    await app?.stop();
    await kubelet?.stop();
    if (scheduler) await stopChild(scheduler, 5_000);
    await harness?.close();
  });

  it('a pod per node through the scheduler; none on a tainted node; a node added later gets one, a deleted node loses it; a rolling update within maxUnavailable; kubectl rollout status returns', async () => {
    await createNode('n1');
    await createNode('n2');
    await createNode('n3');
    await createNode('db', { key: 'dedicated', value: 'db', effect: 'NoSchedule' });
    const stream = new PodStream(harness.cluster.client, ns);
    await stream.start();
    try {
      await admin.create<DaemonSet>(daemonSetsResource, ns, {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: ns },
        spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox:1.36' }] } } },
      });
      const first = await settled(['n1', 'n2', 'n3']);
      for (const p of first) {
        const spec = p.spec as DaemonPodSpec;
        // Placed by the scheduler: the controller set only the node-name affinity.
        expect(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.deep.equal([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec?.nodeName] }] }]);
        expect(p.metadata.labels).to.include({ 'pod-template-generation': '1' });
        expect(spec.tolerations?.map((t) => t.key)).to.include('node.kubernetes.io/unschedulable');
      }
      expect(schedulerLog, 'the scheduler bound them').to.not.equal('');

      // A node added later gets its pod; a deleted node's pod goes.
      await createNode('n4');
      await settled(['n1', 'n2', 'n3', 'n4']);
      await admin.delete(nodesResource, undefined, 'n4');
      await settled(['n1', 'n2', 'n3']);
      expect(stream.livePerNode.every((m) => (m.get('db') ?? 0) === 0), 'never a pod for the tainted node').to.equal(true);
      expect(stream.livePerNode.every((m) => [...m.values()].every((n) => n <= 1)), 'never two live pods for one node').to.equal(true);

      // Rolling update: from here on, at most maxUnavailable (1) of the three nodes without a ready pod.
      const from = stream.readyNodes.length;
      const rollout = kubectl(harness.cluster.kubeconfig, path.join(harness.cluster.dir, 'kubectl-cache'), ['rollout', 'status', 'ds/agent', '-n', ns, '--timeout=90s'], { binary: '/usr/lib/google-cloud-sdk/bin/kubectl.1.33' });
      await admin.patch(daemonSetsResource, ns, 'agent', 'strategic', { spec: { template: { spec: { containers: [{ name: 'a', image: 'busybox:1.37' }] } } } });
      const ds = await getDs();
      expect(ds.metadata.annotations?.['deprecated.daemonset.template.generation']).to.equal('2');
      const updated = await eventually('a new hash on the pods', async () => {
        const pods = await livePods();
        const hashes = new Set(pods.map((p) => p.metadata.labels?.[revisionHashLabel]));
        return hashes.size === 1 && pods.length === 3 && pods.every((p) => (p.spec?.containers as { image: string }[])[0]!.image === 'busybox:1.37') ? [...hashes][0] : undefined;
      }, 60_000);
      await settled(['n1', 'n2', 'n3'], updated);
      const done = await rollout;
      expect(done.code, done.stderr).to.equal(0);
      expect(done.stdout).to.contain('daemon set "agent" successfully rolled out');
      const window = stream.readyNodes.slice(from);
      expect(window.length, 'recorded update steps').to.be.greaterThan(6);
      for (const [i, ready] of window.entries()) expect(3 - ['n1', 'n2', 'n3'].filter((n) => ready.has(n)).length, `nodes without a ready pod at step ${i}`).to.be.at.most(1);
      const newPods = await livePods();
      for (const p of newPods) expect(p.metadata.labels).to.include({ 'pod-template-generation': '2' });

      const seen = await events();
      expect(seen.filter((e) => e.startsWith('SuccessfulCreate: Created pod: agent-')).length).to.be.at.least(7);
      expect(seen.filter((e) => e.startsWith('SuccessfulDelete: Deleted pod: agent-')).length).to.be.at.least(4);
    } finally {
      await stream.stop();
    }
  });

  it('maxSurge 1: every node keeps a ready pod throughout, at most one node runs two; a failed pod is replaced (FailedDaemonPod)', async () => {
    const nodes = ['n1', 'n2', 'n3'];
    const stream = new PodStream(harness.cluster.client, surgeNs);
    await stream.start();
    try {
      await admin.create<DaemonSet>(daemonSetsResource, surgeNs, {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: surgeNs },
        spec: {
          selector: { matchLabels: { app: 'surge' } },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: { metadata: { labels: { app: 'surge' } }, spec: { containers: [{ name: 'a', image: 'busybox:1.36' }] } },
        },
      });
      await settled(nodes, undefined, surgeNs);
      const from = stream.readyNodes.length;
      await admin.patch(daemonSetsResource, surgeNs, 'agent', 'strategic', { spec: { template: { metadata: { annotations: { rev: '2' } } } } });
      const updated = await eventually('one hash on the pods', async () => {
        const pods = await livePods(surgeNs);
        const hashes = new Set(pods.map((p) => p.metadata.labels?.[revisionHashLabel]));
        return hashes.size === 1 && pods.length === 3 && pods.every((p) => p.metadata.annotations?.rev === '2') ? [...hashes][0] : undefined;
      }, 60_000);
      await settled(nodes, updated, surgeNs);
      const window = stream.readyNodes.slice(from);
      expect(window.length, 'recorded update steps').to.be.greaterThan(6);
      for (const [i, ready] of window.entries()) expect(nodes.filter((n) => ready.has(n)), `ready nodes at step ${i}`).to.have.length(3);
      const doubled = stream.livePerNode.slice(from).map((m) => [...m.values()].filter((n) => n > 1).length);
      expect(Math.max(...doubled), 'nodes with two live pods at once').to.equal(1);

      // A daemon pod that fails is deleted and replaced.
      const victim = (await livePods(surgeNs)).find((p) => p.spec?.nodeName === 'n2')!;
      await admin.patch(podsResource, surgeNs, victim.metadata.name ?? '', 'merge', { status: { phase: 'Failed' } }, { subresource: 'status' });
      await eventually('a new pod on n2', async () => ((await livePods(surgeNs)).some((p) => p.spec?.nodeName === 'n2' && p.metadata.uid !== victim.metadata.uid && isPodReady(p)) ? true : undefined), 60_000);
      expect(await events(surgeNs)).to.include(`FailedDaemonPod: Found failed daemon pod ${surgeNs}/${victim.metadata.name ?? ''} on node n2, will try to kill it`);
    } finally {
      await stream.stop();
    }
  });

  // Needs `apps/controllerrevisions` in the controller manager's create rules (apiserver/auth/authorizer.ts).
  it('keeps the history as ControllerRevisions, one per template, the current one numbered highest', async () => {
    const revisions = (await admin.list<KubeObject & { revision: number }>(resourceFor('ControllerRevision'), ns)).items.sort((a, b) => a.revision - b.revision);
    expect(revisions.map((r) => r.revision)).to.deep.equal([1, 2]);
    const hashes = new Set((await livePods()).map((p) => p.metadata.labels?.[revisionHashLabel]));
    expect(revisions[1]!.metadata.labels?.[revisionHashLabel]).to.be.oneOf([...hashes]);
    expect(revisions[1]!.metadata.ownerReferences?.[0]).to.include({ kind: 'DaemonSet', name: 'agent', controller: true });
  });
});
