// The Job benchmark (issue 14):
//   npm run build && npm run bench:jobs                   (compiled: the figures to record)
//   npx tsx bench/jobs.ts [--nodes 50] [--completions 1000] [--parallelism 100] [--job-sync-batch-ms 1000]
// (--job-sync-batch-ms 0: the Job controller syncs on every pod event instead of once a second per Job)
// etcd, the API server, the scheduler, the controller manager (every registered controller,
// as `gantry up` runs it) and hollow nodes each run as their own process. The Job's pods run
// `sh -c 'exit 0'`, which a hollow node's simulated runtime ends at once, so the figure is
// the control plane's: pods created, scheduled, reported Succeeded, counted by the Job
// controller (tracked with finalizers, each removed once counted) until Complete.
// Floor, same run, with the scheduler and controller manager stopped: the API server alone
// creating as many pods, 48 requests in flight. Prints figures beside floors (never
// pass/fail), then one JSON line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseFlags } from '../common/config.js';
import { startProcessCluster, type ProcessCluster } from '../common/testing/cluster.js';
import { Cleanup } from './lib/cleanup.js';
import { ClusterView } from './lib/clusterView.js';
import { startControllerManager, startHollowNodes, startScheduler } from './lib/components.js';
import { figureTable, type FigureRow } from './lib/figureTable.js';
import { cpuMs } from './lib/procStat.js';
import { schedCreateAll } from './lib/schedLoad.js';

const started = performance.now();
const progress = (line: string): void => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const ns = 'bench';
const jobName = 'many';

const podSpec = { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox', command: ['sh', '-c', 'exit 0'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };

function job(completions: number, parallelism: number): unknown {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: jobName, namespace: ns }, spec: { completions, parallelism, backoffLimit: 10, template: { spec: podSpec } } };
}

async function createNamespace(cluster: ProcessCluster, name: string): Promise<void> {
  const r = await cluster.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  if (r.status !== 201) throw new Error(`POST namespace ${name}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
}

interface JobFigures {
  firstPodMs: number;
  firstSucceededMs: number;
  completeMs: number;
  podsCreated: number;
}

async function jobPhase(cluster: ProcessCluster, view: ClusterView, completions: number, parallelism: number): Promise<JobFigures> {
  const ours = (): number => view.podsWith({ 'job-name': jobName }).length + [...view.gone.keys()].filter((n) => n.startsWith(`${jobName}-`)).length;
  const t0 = performance.now();
  const firstPod = view.until('the first pod', () => ours() > 0, 120_000);
  const firstSucceeded = view.until('the first completion', () => (view.jobs.get(jobName)?.succeeded ?? 0) > 0, 300_000);
  const complete = view.until('the Job Complete', () => view.jobs.get(jobName)?.finished !== undefined, 900_000, () => JSON.stringify(view.jobs.get(jobName)));
  const r = await cluster.client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, { body: job(completions, parallelism) });
  if (r.status !== 201) throw new Error(`POST job: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  const tick = setInterval(() => {
    const j = view.jobs.get(jobName);
    progress(`job: ${j?.succeeded ?? 0} succeeded, ${j?.active ?? 0} active, ${j?.failed ?? 0} failed; ${ours()} pods seen`);
  }, 2000);
  try {
    const [p, s, c] = await Promise.all([firstPod, firstSucceeded, complete]);
    const finished = view.jobs.get(jobName)!.finished;
    if (finished !== 'Complete') throw new Error(`the Job ended ${finished}: ${JSON.stringify(view.jobs.get(jobName))}`);
    return { firstPodMs: p - t0, firstSucceededMs: s - t0, completeMs: c - t0, podsCreated: ours() };
  } finally {
    clearInterval(tick);
  }
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  const nodes = Number(f.nodes ?? 50);
  const completions = Number(f.completions ?? 1000);
  const parallelism = Number(f.parallelism ?? 100);
  const batchMs = f['job-sync-batch-ms'] === undefined ? undefined : Number(f['job-sync-batch-ms']);
  if (!(nodes >= 1) || !(completions >= 1) || !(parallelism >= 1) || (batchMs !== undefined && !(batchMs >= 0))) throw new Error('usage: --nodes N --completions N --parallelism N [--job-sync-batch-ms MS]');
  const load0 = os.loadavg()[0]!;
  const cleanup = new Cleanup();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup.run().finally(() => process.exit(130)));
  try {
    progress('starting etcd and the API server (separate processes)');
    const cluster = await startProcessCluster();
    cleanup.add('the cluster', () => cluster.close());
    await createNamespace(cluster, ns);
    progress(`starting ${nodes} hollow nodes`);
    const hollow = await startHollowNodes(cluster, { count: nodes, namePrefix: 'hollow-', leaseSeconds: 20 });
    cleanup.add('the hollow nodes', () => hollow.stop());
    const view = await ClusterView.start(cluster.client, ns);
    cleanup.add('the watches', () => view.stop());
    progress('starting the scheduler and the controller manager');
    const sched = await startScheduler(cluster);
    cleanup.add('the scheduler', () => sched.stop());
    let cmArgs: string[] = [];
    if (batchMs !== undefined) {
      const file = path.join(cluster.dir, 'controllers.json');
      fs.writeFileSync(file, JSON.stringify({ controllerOptions: { job: { syncBatchPeriodMs: batchMs } } }));
      cmArgs = ['--config', file];
    }
    const { cm, controllers } = await startControllerManager(cluster, [], cmArgs);
    cleanup.add('the controller manager', () => cm.stop());
    if (!controllers.includes('job')) throw new Error(`the controller manager runs no job controller (it runs: ${controllers.join(', ')})`);

    progress(`a Job of ${completions} completions, parallelism ${parallelism}`);
    const pids = { api: cluster.apiServerPid, etcd: cluster.etcd.pid, cm: cm.child.pid!, sched: sched.child.pid!, hollow: hollow.child.pid! };
    const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
    const fig = await jobPhase(cluster, view, completions, parallelism);
    const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid) - cpu0[k]!]));

    progress(`the floor: the API server alone creates ${completions} pods (scheduler and controller manager stopped)`);
    await cm.stop();
    await sched.stop();
    await createNamespace(cluster, 'floor');
    const floorCreatesPerS = await schedCreateAll(cluster.client, completions, () => '/api/v1/namespaces/floor/pods', (i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `floor-${i}`, namespace: 'floor' }, spec: { ...podSpec, schedulerName: 'nobody' } }));

    const perS = completions / (fig.completeMs / 1000);
    const rows: FigureRow[] = [
      { figure: `Job of ${completions} completions, parallelism ${parallelism}: POST to Complete`, value: secs(fig.completeMs), floor: `${secs((completions / floorCreatesPerS) * 1000)} (${completions} pod creates)`, goal: '-' },
      { figure: '  completions per second', value: perS.toFixed(0), floor: `${floorCreatesPerS.toFixed(0)} pod creates/s`, goal: '-' },
      { figure: '  on the way: first pod created / first completion counted', value: `${secs(fig.firstPodMs)} / ${secs(fig.firstSucceededMs)}`, floor: '-', goal: '-' },
      { figure: '  pods created (retries included)', value: String(fig.podsCreated), floor: String(completions), goal: '-' },
      { figure: 'CPU s in the Job: apiserver / etcd / controller manager / scheduler / hollow nodes', value: ['api', 'etcd', 'cm', 'sched', 'hollow'].map((k) => (cpu[k]! / 1000).toFixed(1)).join(' / '), floor: '-', goal: '-' },
    ];
    console.log(figureTable(rows));
    console.log(`${nodes} hollow nodes. Machine: ${os.cpus().length} cores, shared by every process above; load average (1 min) ${load0.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end.`);
    console.log(JSON.stringify({ bench: 'jobs', nodes, completions, parallelism, jobSyncBatchMs: batchMs ?? 'default', ...fig, completionsPerS: perS, floorCreatesPerS, cpuMs: cpu }));
  } finally {
    await cleanup.run();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
