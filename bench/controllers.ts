// The controller-manager benchmark (issue 10):
//   npm run build && npm run bench:controllers            (compiled: the figures to record)
//   npx tsx bench/controllers.ts [--nodes 100] [--replicas 1000] [--node-failure auto|true|false]
//                                [--cm-node-flags="--max-semi-space-size=2 ..."] [--cm-heap-snapshot DIR]
// etcd, the API server, the scheduler, the controller manager (controllers/main, every
// registered controller, its default settings and log level, as `gantry up` runs it) and
// hollow nodes (nodeagent/hollow/main) each run as their own process. Figures:
// 1. A Deployment of --replicas pods, from its POST to fully Available (kubectl rollout
//    status's test), with when the last pod was created, bound and Running on the way.
// 2. Node failure: one hollow node (its own process, smaller, so the bin-packing scheduler
//    filled it first) is killed with SIGKILL; from then until every pod it ran is Running and
//    Ready elsewhere. Needs the node lifecycle controller in the controller manager (auto:
//    measured when the manager reports one named nodelifecycle).
// 3. A rolling update of the Deployment (new image, default 25%/25% strategy) to completion.
// 4. The floor, same run, with the scheduler and controller manager stopped: the API server's
//    own throughput creating (then deleting) as many pods, 48 requests in flight.
// Plus the controller manager's CPU seconds per phase and its peak RSS (sampled every 100 ms).
// Prints a table of figures beside their floors and goals (never pass/fail), then one JSON line.

import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseFlags } from '../common/config.js';
import { startProcessCluster, type ProcessCluster } from '../common/testing/cluster.js';
import { Cleanup } from './lib/cleanup.js';
import { ClusterView, rolledOut, type PodLite } from './lib/clusterView.js';
import { cpuMs, rssBytes } from './lib/procStat.js';
import { schedCreateAll } from './lib/schedLoad.js';
import type { SchedChild } from './lib/schedProc.js';
import { startControllerManager, startHollowNodes, startScheduler } from './lib/components.js';
import { figureTable as table, type FigureRow as Row } from './lib/figureTable.js';

const started = performance.now();
const progress = (line: string): void => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const ns = 'bench';
const app = 'web';
const hollowPrefix = 'hollow-';
/** The real node agent's default Lease duration (nodeagent/agent/config.ts): renewals every 5 s. */
const agentLeaseSeconds = 20;

const podSpec = { containers: [{ name: app, image: 'gantry/web:v1', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };

/** A Deployment named and labelled `name` (app=name). */
function deployment(replicas: number, name = app): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
  };
}

/** A bare pod of the same template, for the API server's floor (no scheduler runs then). */
function floorPod(i: number, namespace: string): unknown {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { app }, name: `floor-${i}`, namespace }, spec: podSpec };
}

/** CPU ms of each process we started, at one instant. */
interface CpuSnap {
  cm: number;
  sched: number;
  api: number;
  etcd: number;
  hollow: number;
}

interface Procs {
  cluster: ProcessCluster;
  sched: SchedChild;
  cm: SchedChild;
  hollow: SchedChild;
  victim: SchedChild | undefined;
}

function cpuSnap(p: Procs): CpuSnap {
  return { cm: cpuMs(p.cm.child.pid!), sched: cpuMs(p.sched.child.pid!), api: cpuMs(p.cluster.apiServerPid), etcd: cpuMs(p.cluster.etcd.pid), hollow: cpuMs(p.hollow.child.pid!) };
}

function cpuDelta(a: CpuSnap, b: CpuSnap): CpuSnap {
  return { cm: b.cm - a.cm, sched: b.sched - a.sched, api: b.api - a.api, etcd: b.etcd - a.etcd, hollow: b.hollow - a.hollow };
}

/** Starts a hollow-node process of this benchmark's naming and lease. */
function startHollow(cluster: ProcessCluster, count: number, startIndex: number, more: string[] = []): Promise<SchedChild> {
  return startHollowNodes(cluster, { count, startIndex, namePrefix: hollowPrefix, leaseSeconds: agentLeaseSeconds, more });
}

/** The V8 heap in use and reserved, from a process's prom-client default metrics. */
async function heapFromMetrics(url: string): Promise<{ used: number; total: number }> {
  const text = await new Promise<string>((resolve, reject) => {
    http.get(url, (res) => {
      let t = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (t += c));
      res.on('end', () => resolve(t));
    }).on('error', reject);
  });
  const value = (name: string): number => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2] ?? NaN);
  return { used: value('nodejs_heap_size_used_bytes'), total: value('nodejs_heap_size_total_bytes') };
}

/** Peak RSS of a process, sampled every 100 ms until stopped. */
function rssSampler(pid: number): { peak: () => number; stop: () => void } {
  let peak = rssBytes(pid);
  const t = setInterval(() => {
    const r = rssBytes(pid);
    if (r > peak) peak = r;
  }, 100);
  return { peak: () => peak, stop: () => clearInterval(t) };
}

const web = (view: ClusterView): PodLite[] => view.podsWith({ app });
const active = (pods: PodLite[]): PodLite[] => pods.filter((p) => !p.deleting);
const dep = (view: ClusterView) => view.deployments.get(app);
const depProgress = (view: ClusterView) => (): string => {
  const d = dep(view);
  return d ? `generation ${d.generation}/${d.observedGeneration} observed, ${d.updatedReplicas} updated, ${d.availableReplicas} available, ${d.statusReplicas} total of ${d.replicas}` : 'no deployment';
};

interface ApplyFigures {
  allCreatedMs: number;
  allBoundMs: number;
  allRunningMs: number;
  availableMs: number;
}

async function applyPhase(p: Procs, view: ClusterView, replicas: number): Promise<ApplyFigures> {
  const pods = (): PodLite[] => active(web(view));
  const t0 = performance.now();
  const created = view.until('every pod created', () => pods().length >= replicas, 300_000);
  const bound = view.until('every pod bound', () => pods().filter((x) => x.node).length >= replicas, 300_000);
  const running = view.until('every pod Running', () => pods().filter((x) => x.phase === 'Running').length >= replicas, 300_000);
  const available = view.until('the Deployment Available', () => rolledOut(dep(view)) && dep(view)!.availableReplicas >= replicas, 300_000, depProgress(view));
  const r = await p.cluster.client.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { body: deployment(replicas) });
  if (r.status !== 201) throw new Error(`POST deployment: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  const tick = setInterval(() => progress(`apply: ${pods().length} pods created, ${pods().filter((x) => x.node).length} bound, ${pods().filter((x) => x.phase === 'Running').length} Running; ${depProgress(view)()}`), 1000);
  try {
    const [c, b, run, a] = await Promise.all([created, bound, running, available]);
    return { allCreatedMs: c - t0, allBoundMs: b - t0, allRunningMs: run - t0, availableMs: a - t0 };
  } finally {
    clearInterval(tick);
  }
}

interface UpdateFigures {
  newRunningMs: number;
  completeMs: number;
  oldGoneMs: number;
}

/** `deadNode`: a node that failed earlier; its evicted pods stay Terminating (nobody confirms their end) and are not waited for. */
async function rollingUpdatePhase(p: Procs, view: ClusterView, replicas: number, deadNode?: string): Promise<UpdateFigures> {
  const image = 'gantry/web:v2';
  const t0 = performance.now();
  const newRunning = view.until('every new pod Running', () => active(web(view)).filter((x) => x.image === image && x.phase === 'Running').length >= replicas, 300_000);
  const complete = view.until('the rolling update complete', () => {
    const d = dep(view);
    return !!d && d.generation >= 2 && rolledOut(d);
  }, 300_000, depProgress(view));
  const oldGone = view.until('every old pod deleted', () => web(view).every((x) => x.image === image || (deadNode !== undefined && x.node === deadNode)), 300_000);
  const r = await p.cluster.client.request('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/${app}`, {
    body: { spec: { template: { spec: { containers: [{ name: app, image }] } } } },
    contentType: 'application/strategic-merge-patch+json',
  });
  if (r.status !== 200) throw new Error(`PATCH deployment: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  const tick = setInterval(() => {
    const all = web(view);
    progress(`rolling update: ${all.filter((x) => x.image === image).length} new pods (${all.filter((x) => x.image === image && x.phase === 'Running').length} Running), ${all.filter((x) => x.image !== image).length} old (${all.filter((x) => x.image !== image && x.deleting).length} terminating); ${depProgress(view)()}`);
  }, 1000);
  try {
    const [n, c, o] = await Promise.all([newRunning, complete, oldGone]);
    return { newRunningMs: n - t0, completeMs: c - t0, oldGoneMs: o - t0 };
  } finally {
    clearInterval(tick);
  }
}

interface FailureFigures {
  node: string;
  pods: number;
  notReadyMs: number;
  firstEvictedMs: number;
  allEvictedMs: number;
  recoveredMs: number;
}

/** Kills the victim's hollow process; times until its pods run elsewhere. */
async function nodeFailurePhase(p: Procs, view: ClusterView, replicas: number, node: string): Promise<FailureFigures> {
  const onVictim = active(web(view)).filter((x) => x.node === node).map((x) => x.name);
  if (!onVictim.length) throw new Error(`no pod of the Deployment runs on ${node}`);
  const evicted = (name: string): boolean => !view.pods.get(name) || view.pods.get(name)!.deleting;
  const t0 = performance.now();
  const notReady = view.until(`${node} not Ready`, () => view.nodes.get(node)?.ready !== 'True', 120_000);
  const firstEvicted = view.until('a pod of the node evicted', () => onVictim.some(evicted), 120_000);
  const allEvicted = view.until('every pod of the node evicted', () => onVictim.every(evicted), 120_000);
  const recovered = view.until('every replica Running and Ready on another node', () => onVictim.every(evicted) && active(web(view)).filter((x) => x.node && x.node !== node && x.phase === 'Running' && x.ready).length >= replicas, 120_000, () => `${onVictim.filter(evicted).length}/${onVictim.length} evicted; ${depProgress(view)()}`);
  p.victim!.child.kill('SIGKILL');
  const tick = setInterval(() => progress(`node failure: ${node} ${view.nodes.get(node)?.ready} [${view.nodes.get(node)?.taints.join(', ')}]; ${onVictim.filter(evicted).length}/${onVictim.length} evicted`), 1000);
  try {
    const [nr, fe, ae, rec] = await Promise.all([notReady, firstEvicted, allEvicted, recovered]);
    return { node, pods: onVictim.length, notReadyMs: nr - t0, firstEvictedMs: fe - t0, allEvictedMs: ae - t0, recoveredMs: rec - t0 };
  } finally {
    clearInterval(tick);
  }
}

/** The API server alone: `count` pods created, then deleted, 48 requests in flight. */
async function floorPhase(cluster: ProcessCluster, count: number): Promise<{ createMs: number; deleteMs: number }> {
  const floorNs = 'floor';
  await cluster.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: floorNs } } });
  const createRate = await schedCreateAll(cluster.client, count, () => `/api/v1/namespaces/${floorNs}/pods`, (i) => floorPod(i, floorNs));
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const r = await cluster.client.request('DELETE', `/api/v1/namespaces/${floorNs}/pods/floor-${i}`);
      if (r.status !== 200 && r.status !== 202) throw new Error(`DELETE floor-${i}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: 48 }, worker));
  return { createMs: (count / createRate) * 1000, deleteMs: performance.now() - t0 };
}


async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  const nodes = Number(f.nodes ?? 100);
  const replicas = Number(f.replicas ?? 1000);
  const failureMode = f['node-failure'] ?? 'auto';
  // Node.js flags for the controller manager only, e.g. "--max-semi-space-size=2" to see what its RSS is made of.
  const cmNodeFlags = (f['cm-node-flags'] ?? '').split(' ').filter(Boolean);
  // A heap snapshot of the controller manager after the last phase, written to this directory.
  const heapDir = f['cm-heap-snapshot'] ? path.resolve(f['cm-heap-snapshot']) : undefined;
  if (heapDir) cmNodeFlags.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`);
  if (!(nodes >= 1) || !(replicas >= 1) || !['auto', 'true', 'false'].includes(failureMode)) throw new Error('usage: --nodes N --replicas N --node-failure auto|true|false');
  const load0 = os.loadavg()[0]!;
  const cleanup = new Cleanup();
  let cmOutput: (() => string) | undefined;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup.run().finally(() => process.exit(130)));
  try {
    progress('starting etcd and the API server (separate processes)');
    const cluster = await startProcessCluster();
    cleanup.add('the cluster', () => cluster.close());
    const r = await cluster.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    if (r.status !== 201) throw new Error(`POST namespace: HTTP ${r.status}`);

    progress(`starting ${nodes} hollow nodes${failureMode === 'false' ? '' : ', and one more in its own process (the one that fails)'}`);
    const hollow = await startHollow(cluster, nodes, 0);
    cleanup.add('the hollow nodes', () => hollow.stop());
    // The failing node is smaller (1 CPU: room for 100 of these pods), so the scheduler's
    // default bin-packing (MostAllocated) fills it first and it holds a tenth of the replicas.
    const victim = failureMode === 'false' ? undefined : await startHollow(cluster, 1, nodes, ['--cpu', '1', '--memory', '4Gi']);
    if (victim) cleanup.add('the failing hollow node', () => victim.stop(2_000));
    const view = await ClusterView.start(cluster.client, ns);
    cleanup.add('the watches', () => view.stop());

    progress('starting the scheduler and the controller manager');
    const sched = await startScheduler(cluster);
    cleanup.add('the scheduler', () => sched.stop());
    const { cm, controllers, metricsUrl } = await startControllerManager(cluster, cmNodeFlags);
    cleanup.add('the controller manager', () => cm.stop());
    cmOutput = () => cm.output();
    const procs: Procs = { cluster, sched, cm, hollow, victim };
    const rss = rssSampler(cm.child.pid!);
    cleanup.add('the RSS sampler', () => rss.stop());
    const withFailure = !!victim && (failureMode === 'true' || controllers.includes('nodelifecycle'));
    if (failureMode === 'true' && !controllers.includes('nodelifecycle')) throw new Error(`--node-failure true, but the controller manager runs no nodelifecycle controller (it runs: ${controllers.join(', ')})`);
    progress(`controller manager running: ${controllers.join(', ')}`);

    // Warm-up: one replica through every component, so the figures exclude start-up and cache sync.
    const warm = await cluster.client.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { body: deployment(1, 'warmup') });
    if (warm.status !== 201) throw new Error(`POST warmup deployment: HTTP ${warm.status}: ${warm.text.slice(0, 300)}`);
    await view.until('the warm-up Deployment Available', () => rolledOut(view.deployments.get('warmup')), 120_000);
    await cluster.client.request('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/warmup`);
    await view.until('the warm-up pod deleted', () => view.podsWith({ app: 'warmup' }).length === 0, 120_000);
    const cmRssIdle = rssBytes(cm.child.pid!);

    progress(`apply: a Deployment of ${replicas} replicas`);
    const c0 = cpuSnap(procs);
    const apply = await applyPhase(procs, view, replicas);
    const c1 = cpuSnap(procs);
    // Node failure right after the apply, while the failing node is full: a rolling update
    // may leave it empty (its old pods go, and the new ones fit elsewhere).
    let failure: FailureFigures | undefined;
    let c2: CpuSnap | undefined;
    const deadNode = `${hollowPrefix}${nodes}`;
    if (withFailure) {
      progress('node failure: SIGKILL to one hollow node');
      failure = await nodeFailurePhase(procs, view, replicas, deadNode);
      c2 = cpuSnap(procs);
    }
    progress(`rolling update of ${replicas} replicas`);
    const update = await rollingUpdatePhase(procs, view, replicas, failure ? deadNode : undefined);
    const c3 = cpuSnap(procs);
    const cmRssPeak = rss.peak();
    const cmRssEnd = rssBytes(cm.child.pid!);
    const cmHeap = await heapFromMetrics(metricsUrl).catch(() => ({ used: NaN, total: NaN }));
    if (heapDir) {
      progress(`writing a heap snapshot of the controller manager to ${heapDir}`);
      cm.child.kill('SIGUSR2');
      // The snapshot is written on the main thread: /metrics answers again once it is done.
      await new Promise((r) => setTimeout(r, 500));
      await heapFromMetrics(metricsUrl).catch(() => undefined);
    }
    const cmCpuTotal = cpuMs(cm.child.pid!);
    rss.stop();

    progress(`the floor: the API server alone creates and deletes ${replicas} pods (scheduler and controller manager stopped)`);
    await cm.stop();
    await sched.stop();
    const floor = await floorPhase(cluster, replicas);

    const applyCpu = cpuDelta(c0, c1);
    const failureCpu = c2 ? cpuDelta(c1, c2) : undefined;
    const updateCpu = cpuDelta(c2 ?? c1, c3);
    const MiB = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
    const rows: Row[] = [
      { figure: `${replicas}-replica Deployment: POST to fully Available`, value: secs(apply.availableMs), floor: `${secs(floor.createMs)} (${replicas} pod creates)`, goal: '<= 15 s' },
      { figure: '  on the way: last pod created / bound / Running', value: `${secs(apply.allCreatedMs)} / ${secs(apply.allBoundMs)} / ${secs(apply.allRunningMs)}`, floor: '-', goal: '-' },
      { figure: `rolling update of it (25% surge/unavailable) to complete${failure ? ', after the node failure' : ''}`, value: secs(update.completeMs), floor: `${secs(floor.createMs + floor.deleteMs)} (${replicas} creates + deletes)`, goal: '<= 15 s' },
      { figure: '  on the way: every new pod Running / every old pod deleted', value: `${secs(update.newRunningMs)} / ${secs(update.oldGoneMs)}`, floor: '-', goal: '-' },
      ...(failure
        ? [
            { figure: `node failure (SIGKILL, ${failure.pods} pods): all Running elsewhere`, value: secs(failure.recoveredMs), floor: '-', goal: '<= 15 s (Kubernetes: ~350 s)' },
            { figure: '  on the way: node not Ready / first / last pod evicted', value: `${secs(failure.notReadyMs)} / ${secs(failure.firstEvictedMs)} / ${secs(failure.allEvictedMs)}`, floor: '-', goal: '-' },
          ]
        : [{ figure: 'node failure', value: `not measured (${failureMode === 'false' ? '--node-failure false' : 'no nodelifecycle controller in the manager'})`, floor: '-', goal: '<= 15 s' }]),
      { figure: 'controller manager CPU: apply / rolling update' + (failureCpu ? ' / node failure' : ''), value: [applyCpu.cm, updateCpu.cm, ...(failureCpu ? [failureCpu.cm] : [])].map((x) => `${(x / 1000).toFixed(1)} s`).join(' / '), floor: '-', goal: '-' },
      { figure: 'controller manager CPU, whole run (start, warm-up included)', value: `${(cmCpuTotal / 1000).toFixed(1)} s`, floor: '-', goal: '-' },
      { figure: 'controller manager RSS: idle / peak / end', value: `${MiB(cmRssIdle)} / ${MiB(cmRssPeak)} / ${MiB(cmRssEnd)}`, floor: '-', goal: '<= 100 MB' },
      { figure: 'controller manager V8 heap at the end: used / reserved', value: `${MiB(cmHeap.used)} / ${MiB(cmHeap.total)}`, floor: '-', goal: '-' },
      { figure: 'CPU s in apply: apiserver / etcd / scheduler / hollow nodes (main process)', value: [applyCpu.api, applyCpu.etcd, applyCpu.sched, applyCpu.hollow].map((x) => (x / 1000).toFixed(1)).join(' / '), floor: '-', goal: '-' },
      { figure: 'CPU s in the update: apiserver / etcd / scheduler / hollow nodes (main process)', value: [updateCpu.api, updateCpu.etcd, updateCpu.sched, updateCpu.hollow].map((x) => (x / 1000).toFixed(1)).join(' / '), floor: '-', goal: '-' },
      { figure: `floor: the API server alone, ${replicas} pod creates / deletes (48 in flight)`, value: `${secs(floor.createMs)} / ${secs(floor.deleteMs)}`, floor: '-', goal: '-' },
    ];
    console.log(table(rows));
    console.log(`${nodes + (victim ? 1 : 0)} hollow nodes (lease ${agentLeaseSeconds} s, the node agent's default). Controllers: ${controllers.join(', ')}${cmNodeFlags.length ? ` (node flags: ${cmNodeFlags.join(' ')})` : ''}. Machine: ${os.cpus().length} cores, shared by every process above; load average (1 min) ${load0.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end.`);
    console.log(JSON.stringify({ bench: 'controllers', nodes, replicas, controllers, apply, update, failure, floor, cpuMs: { apply: applyCpu, update: updateCpu, failure: failureCpu, cmTotal: cmCpuTotal }, cmRssBytes: { idle: cmRssIdle, peak: cmRssPeak, end: cmRssEnd }, cmHeapBytes: cmHeap }));
  } catch (e) {
    if (cmOutput) console.error(`controller manager output (tail):\n${cmOutput().slice(-3000)}`);
    throw e;
  } finally {
    await cleanup.run();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
