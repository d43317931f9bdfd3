// The scheduler against a real etcd and API server (separate processes): nodes and pods
// created through the API, bindings observed through the API; unschedulable pods get the
// condition and a FailedScheduling event; preemption evicts through the API, preferring
// victims whose PodDisruptionBudgets allow it and deleting when a budget refuses; two
// schedulers with leader election, of which only the leader binds; replicas of one workload
// spread over hosts while other pods pack; and the scheduler's own process (main.ts) with the
// flags `gantry up` passes.

import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { silentLogger } from '../common/logging.js';
import { componentCommand } from '../common/proc/components.js';
import { freePort } from '../common/proc/ports.js';
import { makeNode, makePod, makePriorityClass } from '../common/testing/builders.js';
import { RestClient } from '../common/client/restClient.js';
import { startProcessCluster, type ProcessCluster } from '../common/testing/cluster.js';
import { startSchedulerApp, type SchedulerApp } from './app.js';
import { schedulerConfigDefaults, type SchedulerConfig } from './config/schedulerConfig.js';

async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function httpGet(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}

describe('scheduler integration (etcd + API server processes)', function () {
  this.timeout(180_000);
  let c: ProcessCluster;
  /** The scheduler's own identity, as `gantry up` gives it (apiserver/auth/authorizer.ts schedulerRules). */
  const schedulerToken = 'scheduler-integration-token';
  let schedulerClient: RestClient;
  const apps: SchedulerApp[] = [];

  const config = (over: Partial<SchedulerConfig>): SchedulerConfig => ({ ...(schedulerConfigDefaults as SchedulerConfig), kubeconfig: c.kubeconfig, metricsPort: 0, leaderElect: false, ...over });
  const start = async (over: Partial<SchedulerConfig> = {}, client = c.client): Promise<SchedulerApp> => {
    const app = await startSchedulerApp({ config: config(over), client, logger: silentLogger() });
    apps.push(app);
    return app;
  };
  const stopAll = async (): Promise<void> => {
    for (const a of apps.splice(0)) await a.stop();
  };
  const createNode = async (name: string, cpu: string, labels: Record<string, string> = {}): Promise<void> => {
    const r = await c.client.request('POST', '/api/v1/nodes', { body: makeNode().name(name).labels(labels).capacity({ cpu, memory: '8Gi', pods: '110' }).obj() });
    expect(r.status, r.text).to.equal(201);
  };
  const createPod = async (pod: V1Pod): Promise<void> => {
    const r = await c.client.request('POST', `/api/v1/namespaces/${pod.metadata!.namespace}/pods`, { body: pod });
    expect(r.status, r.text).to.equal(201);
  };
  const getPod = async (name: string, ns = 'default'): Promise<V1Pod> => (await c.client.get<V1Pod>(`/api/v1/namespaces/${ns}/pods/${name}`)).body;
  const eventsFor = async (name: string, ns = 'default'): Promise<CoreV1Event[]> =>
    (await c.client.get<{ items: CoreV1Event[] }>(`/api/v1/namespaces/${ns}/events`, { query: { fieldSelector: `involvedObject.name=${name}` } })).body.items;

  before(async () => {
    c = await startProcessCluster({ extraTokens: [{ token: schedulerToken, user: 'system:kube-scheduler', groups: [] }] });
    schedulerClient = new RestClient({ ...c.access, token: schedulerToken });
  });
  afterEach(stopAll);
  after(async () => {
    await stopAll();
    schedulerClient?.close();
    await c?.close();
  });

  it('binds pods created through the API, packing them, and records Scheduled events', async () => {
    for (const n of ['pack-1', 'pack-2', 'pack-3']) await createNode(n, '4', { pool: 'pack' });
    const app = await start();
    for (let i = 0; i < 6; i++) await createPod(makePod().name(`pack-${i}`).nodeSelector({ pool: 'pack' }).requests({ cpu: '1', memory: '1Gi' }).obj());
    const bound = await eventually(async () => {
      const pods = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => getPod(`pack-${i}`)));
      return pods.every((p) => p.spec?.nodeName) ? pods : undefined;
    }, 'all six pods bound');
    for (const p of bound) expect(p.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status).to.equal('True');
    // Bin-packing: six 1-cpu pods fill two 4-cpu nodes' worth, not three.
    expect(new Set(bound.map((p) => p.spec!.nodeName)).size).to.equal(2);
    const ev = await eventually(async () => (await eventsFor('pack-0')).find((e) => e.reason === 'Scheduled'), 'a Scheduled event');
    expect(ev.message).to.match(/^Successfully assigned default\/pack-0 to pack-\d$/);
    expect(ev.source?.component).to.equal('default-scheduler');
    expect(app.scheduler.stats.bound).to.equal(6);
    // Metrics on the scheduler's own HTTP server.
    const m = await httpGet(`${app.metricsServer!.url}/metrics`);
    expect(m.text).to.match(/scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 6/);
    expect(m.text).to.contain('scheduler_scheduling_attempt_duration_seconds_bucket');
    expect(m.text).to.match(/scheduler_pending_pods\{queue="active"\} 0/);
    expect((await httpGet(`${app.metricsServer!.url}/readyz`)).status).to.equal(200);
  });

  it('spreads the replicas of a ReplicaSet and the pods of a Service over hosts, while lone pods still pack', async () => {
    for (const n of ['spread-1', 'spread-2', 'spread-3']) await createNode(n, '4', { pool: 'spread' });
    const rsBody = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'spread-web', namespace: 'default' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'spread-web' } }, template: { metadata: { labels: { app: 'spread-web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } },
    };
    const rs = await c.client.request('POST', '/apis/apps/v1/namespaces/default/replicasets', { body: rsBody });
    expect(rs.status, rs.text).to.equal(201);
    const rsUid = (JSON.parse(rs.text) as { metadata: { uid: string } }).metadata.uid;
    const svc = await c.client.request('POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'spread-cache' }, spec: { selector: { app: 'spread-cache' }, ports: [{ port: 6379 }] } } });
    expect(svc.status, svc.text).to.equal(201);
    // As system:kube-scheduler: it may list and watch Services and ReplicaSets.
    const app = await start({}, schedulerClient);
    await app.synced;
    const small = { cpu: '100m', memory: '200Mi' };
    // What the ReplicaSet controller would create: pods it controls.
    const replicas = [0, 1, 2].map((i) => {
      const p = makePod().name(`spread-web-${i}`).labels({ app: 'spread-web' }).nodeSelector({ pool: 'spread' }).requests(small).obj();
      p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'spread-web', uid: rsUid, controller: true, blockOwnerDeletion: true }];
      return p;
    });
    const nodesOf = async (names: string[]): Promise<string[]> =>
      eventually(async () => {
        const pods = await Promise.all(names.map((n) => getPod(n)));
        return pods.every((p) => p.spec?.nodeName) ? pods.map((p) => p.spec!.nodeName!) : undefined;
      }, `${names.join(', ')} bound`);
    // One at a time, as a controller's creates arrive: each decision sees the ones before.
    for (const p of replicas) {
      await createPod(p);
      await nodesOf([p.metadata!.name!]);
    }
    expect(new Set(await nodesOf(replicas.map((p) => p.metadata!.name!))).size).to.equal(3);
    const cache = ['spread-cache-0', 'spread-cache-1', 'spread-cache-2'];
    for (const n of cache) {
      await createPod(makePod().name(n).labels({ app: 'spread-cache' }).nodeSelector({ pool: 'spread' }).requests(small).obj());
      await nodesOf([n]);
    }
    expect(new Set(await nodesOf(cache)).size).to.equal(3);
    const lone = ['spread-lone-0', 'spread-lone-1', 'spread-lone-2'];
    for (const n of lone) {
      await createPod(makePod().name(n).labels({ app: n }).nodeSelector({ pool: 'spread' }).requests(small).obj());
      await nodesOf([n]);
    }
    expect(new Set(await nodesOf(lone)).size).to.equal(1);
  });

  it('an unschedulable pod gets PodScheduled=False with the reasons and a FailedScheduling event; a new node fixes it', async () => {
    await createNode('gpu-1', '64', { pool: 'wide' });
    await c.client.request('PATCH', '/api/v1/nodes/gpu-1', { body: { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }, contentType: 'application/merge-patch+json' });
    await createNode('wide-1', '2', { pool: 'wide' });
    await createNode('wide-2', '2', { pool: 'wide' });
    await start();
    await createPod(makePod().name('too-big').nodeSelector({ pool: 'wide' }).requests({ cpu: '8' }).obj());
    const cond = await eventually(async () => (await getPod('too-big')).status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False'), 'the PodScheduled=False condition');
    expect(cond.reason).to.equal('Unschedulable');
    // Three nodes match the selector; every other node in the cluster fails the selector.
    expect(cond.message).to.match(/^0\/\d+ nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu, \d+ node\(s\) didn't match Pod's node affinity\/selector\. preemption: /);
    const ev = await eventually(async () => (await eventsFor('too-big')).find((e) => e.reason === 'FailedScheduling'), 'a FailedScheduling event');
    expect(ev.type).to.equal('Warning');
    expect(ev.message).to.equal(cond.message);
    await createNode('wide-big', '16', { pool: 'wide' });
    const p = await eventually(async () => {
      const pod = await getPod('too-big');
      return pod.spec?.nodeName ? pod : undefined;
    }, 'the pod to be bound once a big node exists');
    expect(p.spec!.nodeName).to.equal('wide-big');
  });

  it('preempts a lower-priority pod through the eviction subresource, honouring graceful termination', async () => {
    await c.client.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { body: makePriorityClass('it-high', 1000) });
    await createNode('pre-1', '2', { pool: 'pre' });
    const app = await start();
    await createPod(makePod().name('victim').nodeSelector({ pool: 'pre' }).requests({ cpu: '2' }).obj());
    await eventually(async () => (await getPod('victim')).spec?.nodeName, 'the victim to be bound');
    await createPod(makePod().name('urgent').priorityClassName('it-high').nodeSelector({ pool: 'pre' }).requests({ cpu: '2' }).obj());
    // Eviction of a bound pod is graceful: it is marked for deletion and stays until its node confirms.
    const victim = await eventually(async () => {
      const v = await getPod('victim');
      return v.metadata?.deletionTimestamp ? v : undefined;
    }, 'the victim to be marked for deletion');
    expect(victim.metadata?.deletionGracePeriodSeconds).to.equal(30);
    const urgent = await eventually(async () => {
      const u = await getPod('urgent');
      return u.status?.nominatedNodeName ? u : undefined;
    }, 'nominatedNodeName on the preemptor');
    expect(urgent.status!.nominatedNodeName).to.equal('pre-1');
    expect(urgent.spec?.nodeName).to.equal(undefined); // not while the victim terminates
    expect((await eventsFor('victim')).some((e) => e.reason === 'Preempted')).to.equal(true);
    // The node agent's part: confirm the termination.
    await c.client.request('DELETE', '/api/v1/namespaces/default/pods/victim', { body: { gracePeriodSeconds: 0 } });
    const bound = await eventually(async () => {
      const u = await getPod('urgent');
      return u.spec?.nodeName ? u : undefined;
    }, 'the preemptor to be bound');
    expect(bound.spec!.nodeName).to.equal('pre-1');
    expect(app.scheduler.stats.preemptions).to.equal(1);
  });

  it('preempts on the node whose victim\'s PodDisruptionBudget allows it; breaks a budget (deleting) only when nothing else makes room', async () => {
    const api = c.client;
    for (const [name, value] of [['it-pdb-urgent', 1000], ['it-pdb-mid', 10]] as const) {
      const r = await api.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { body: makePriorityClass(name, value) });
      expect([201, 409], r.text).to.include(r.status);
    }
    await createNode('pdb-1', '2', { pool: 'pdb' });
    await createNode('pdb-2', '2', { pool: 'pdb' });
    // Victims already running: bound by hand, Running and Ready as their node agent would say.
    // Without budgets pdb-1 would be chosen: its victim has the lower priority.
    const running = async (name: string, node: string, app: string, priorityClass?: string): Promise<void> => {
      const b = makePod().name(name).labels({ app }).nodeName(node).requests({ cpu: '2' });
      if (priorityClass) b.priorityClassName(priorityClass);
      await createPod(b.obj());
      const pod = await getPod(name);
      pod.status = { phase: 'Running', startTime: new Date(), conditions: [{ type: 'Ready', status: 'True' }] };
      const r = await api.request('PUT', `/api/v1/namespaces/default/pods/${name}/status`, { body: pod });
      expect(r.status, r.text).to.equal(200);
    };
    await running('guarded-0', 'pdb-1', 'guarded');
    await running('spare-0', 'pdb-2', 'spare', 'it-pdb-mid');
    // Budgets with the status the disruption controller would have written.
    const pdbs = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
    const budget = async (name: string, app: string, allowed: number): Promise<void> => {
      const r = await api.request('POST', pdbs, { body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 1 - allowed, selector: { matchLabels: { app } } } } });
      expect(r.status, r.text).to.equal(201);
      const pdb = JSON.parse(r.text) as { metadata: { generation?: number }; status?: unknown };
      pdb.status = { observedGeneration: pdb.metadata.generation ?? 1, disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1 - allowed, expectedPods: 1 };
      const s = await api.request('PUT', `${pdbs}/${name}/status`, { body: pdb });
      expect(s.status, s.text).to.equal(200);
    };
    await budget('guarded', 'guarded', 0);
    await budget('spare', 'spare', 1);
    // As system:kube-scheduler: it may list and watch budgets.
    const app = await start({}, schedulerClient);
    await app.synced;

    await createPod(makePod().name('pdb-urgent').priorityClassName('it-pdb-urgent').nodeSelector({ pool: 'pdb' }).requests({ cpu: '2' }).obj());
    const spare = await eventually(async () => {
      const v = await getPod('spare-0');
      return v.metadata?.deletionTimestamp ? v : undefined;
    }, 'the victim the budget lets go to be marked for deletion');
    expect(spare.metadata?.deletionGracePeriodSeconds).to.equal(30);
    const urgent = await eventually(async () => {
      const u = await getPod('pdb-urgent');
      return u.status?.nominatedNodeName ? u : undefined;
    }, 'nominatedNodeName on the preemptor');
    expect(urgent.status!.nominatedNodeName).to.equal('pdb-2');
    expect((await getPod('guarded-0')).metadata?.deletionTimestamp).to.equal(undefined);
    // Evicted through the eviction API: the budget that allowed it was charged.
    const sparePdb = (await api.get<{ status: { disruptionsAllowed: number; disruptedPods?: Record<string, string> } }>(`${pdbs}/spare`)).body;
    expect(sparePdb.status.disruptionsAllowed).to.equal(0);
    expect(Object.keys(sparePdb.status.disruptedPods ?? {})).to.deep.equal(['spare-0']);
    // The node agent's part: confirm the termination.
    await api.request('DELETE', '/api/v1/namespaces/default/pods/spare-0', { body: { gracePeriodSeconds: 0 } });
    await eventually(async () => (await getPod('pdb-urgent')).spec?.nodeName === 'pdb-2', 'the preemptor to be bound to pdb-2');

    // Now the only room is behind a budget that allows nothing: a preference, not a block.
    // The eviction API refuses (429) and the scheduler deletes the victim, as Kubernetes' does.
    await createPod(makePod().name('pdb-urgent-2').priorityClassName('it-pdb-urgent').nodeSelector({ pool: 'pdb' }).requests({ cpu: '2' }).obj());
    const guarded = await eventually(async () => {
      const v = await getPod('guarded-0');
      return v.metadata?.deletionTimestamp ? v : undefined;
    }, 'the guarded victim to be marked for deletion all the same');
    expect(guarded.metadata?.deletionGracePeriodSeconds).to.equal(30);
    const guardedPdb = (await api.get<{ status: { disruptionsAllowed: number; disruptedPods?: Record<string, string> } }>(`${pdbs}/guarded`)).body;
    expect(guardedPdb.status.disruptionsAllowed).to.equal(0);
    expect(guardedPdb.status.disruptedPods ?? {}).to.deep.equal({});
    await eventually(async () => (await getPod('pdb-urgent-2')).status?.nominatedNodeName === 'pdb-1', 'the second preemptor nominated to pdb-1');
    expect(app.scheduler.stats.preemptions).to.equal(2);
  });

  it('two schedulers with leader election: only the leader binds; the other takes over when it stops', async () => {
    await createNode('ha-1', '32', { pool: 'ha' });
    const ha = { schedulerName: 'ha-scheduler', leaderElect: true, leaseName: 'it-ha', leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.25 };
    const a = await start({ ...ha, identity: 'sched-a' });
    await eventually(async () => a.isLeader(), 'the first scheduler to lead');
    const b = await start({ ...ha, identity: 'sched-b' });
    await b.synced;
    const names = Array.from({ length: 10 }, (_, i) => `ha-${i}`);
    for (const n of names) await createPod(makePod().name(n).schedulerName('ha-scheduler').nodeSelector({ pool: 'ha' }).requests({ cpu: '100m' }).obj());
    await eventually(async () => (await Promise.all(names.map((n) => getPod(n)))).every((p) => p.spec?.nodeName), 'the pods to be bound');
    // A binding is visible through the API a moment before the binder's own count moves.
    await eventually(async () => a.scheduler.stats.bound === 10 || undefined, 'the leader to count its 10 bindings');
    expect(b.scheduler.stats.bound).to.equal(0);
    expect(b.isLeader()).to.equal(false);

    await a.stop();
    apps.splice(apps.indexOf(a), 1);
    await eventually(async () => b.isLeader(), 'the second scheduler to take over');
    for (let i = 10; i < 15; i++) await createPod(makePod().name(`ha-${i}`).schedulerName('ha-scheduler').nodeSelector({ pool: 'ha' }).requests({ cpu: '100m' }).obj());
    await eventually(async () => (await Promise.all([10, 11, 12, 13, 14].map((i) => getPod(`ha-${i}`)))).every((p) => p.spec?.nodeName), 'the later pods to be bound');
    await eventually(async () => b.scheduler.stats.bound === 5 || undefined, 'the new leader to count its 5 bindings');
    const lease = (await c.client.get<{ spec: { holderIdentity: string } }>('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/it-ha')).body;
    expect(lease.spec.holderIdentity).to.equal('sched-b');
  });

  it('runs as its own process with the flags `gantry up` passes', async () => {
    await createNode('proc-1', '4', { pool: 'proc' });
    const port = await freePort();
    const { command, args } = componentCommand('scheduler/main');
    let child: ChildProcess | undefined;
    let log = '';
    try {
      child = spawn(command, [...args, '--kubeconfig', c.kubeconfig, '--metrics-port', String(port), '--scheduler-name', 'proc-scheduler', '--lease-name', 'proc-scheduler', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      await createPod(makePod().name('proc-pod').schedulerName('proc-scheduler').nodeSelector({ pool: 'proc' }).requests({ cpu: '1' }).obj());
      const p = await eventually(async () => {
        const pod = await getPod('proc-pod');
        return pod.spec?.nodeName ? pod : undefined;
      }, `the process to bind the pod (log: ${log.slice(-500)})`);
      expect(p.spec!.nodeName).to.equal('proc-1');
      const m = await httpGet(`http://127.0.0.1:${port}/metrics`);
      expect(m.text).to.match(/scheduler_schedule_attempts_total\{result="scheduled",profile="proc-scheduler"\} 1/);
      expect(m.text).to.match(/leader_election_master_status\{name="proc-scheduler"\} 1/);
      expect(m.text).to.contain('process_cpu_seconds_total');
    } finally {
      if (child && child.exitCode === null) {
        const gone = new Promise((r) => child!.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
    }
    expect(child?.exitCode).to.equal(0);
  });

  it('fails fast with a clear message on a bad config', async () => {
    const { command, args } = componentCommand('scheduler/main');
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const ch = spawn(command, [...args, '--kubeconfig', c.kubeconfig, '--percentage-of-nodes-to-score', '150'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      ch.stderr!.on('data', (d: Buffer) => (text += d.toString()));
      ch.on('exit', (code) => resolve({ code, text }));
    });
    expect(out.code).to.equal(2);
    expect(out.text).to.contain('percentageOfNodesToScore must be <= 100');
  });
});
