// The API-server benchmark: `npm run bench:apiserver` (compiled) or `npx tsx bench/apiserver.ts`.
// Prints each figure beside its physical floor measured in the same run, then one JSON line.
// Never a pass/fail test. Options: --cpu-prof DIR writes the API server's V8 CPU profile
// and the phases' time windows there; `npx tsx bench/profileSummary.ts DIR` summarizes them.
// --heap-snapshot DIR writes a V8 heap snapshot of the API server there after the LIST phase.
// --phases list,watch runs only those phases (createThroughput, createLatency, list, watch, verbs, mixed).
// --workers N runs the API server as N worker processes behind one port (its --workers); CPU and
// RSS figures then sum the primary and every worker. --node-flags '...' starts the API server's
// Node with those options (its workers inherit them), e.g. V8's young-generation size.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiHttp, expectStatus } from './lib/apiHttp.js';
import { Cleanup } from './lib/cleanup.js';
import { apiServerRssBytes, startBenchCluster } from './lib/cluster.js';
import { benchNamespace, createPod, watchNamespace, type BenchContext } from './lib/context.js';
import { benchPodBody } from './lib/podFixture.js';
import { RawEtcd } from './lib/rawEtcd.js';
import { PhaseMarks } from './lib/phaseMarks.js';
import { jsonLine, renderTable, type FigureRow } from './lib/report.js';
import { fmtBytes } from './lib/stats.js';
import { createLatency } from './phases/createLatency.js';
import { createThroughput } from './phases/createThroughput.js';
import { listLatency } from './phases/listLatency.js';
import { mixedLoad } from './phases/mixedLoad.js';
import { verbCpu } from './phases/verbCpu.js';
import { watchLatency } from './phases/watchLatency.js';

const maxRuntimeMs = 5 * 60_000;

const allPhases = ['createThroughput', 'createLatency', 'list', 'watch', 'verbs', 'mixed'] as const;
type Phase = (typeof allPhases)[number];

interface Args {
  cpuProfDir?: string;
  heapSnapshotDir?: string;
  phases: Set<Phase>;
  /** The API server's --workers. */
  workers: number;
  /** Node flags for the API server process (e.g. V8 heap settings), from --node-flags. */
  nodeFlags: string[];
}

function parseArgs(argv: string[]): Args {
  const out: Args = { phases: new Set(allPhases), workers: 1, nodeFlags: [] };
  const usage = `usage: apiserver.ts [--cpu-prof DIR] [--heap-snapshot DIR] [--phases ${allPhases.join(',')}] [--workers N] [--node-flags '--max-semi-space-size=16 ...']`;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cpu-prof' && argv[i + 1]) out.cpuProfDir = path.resolve(argv[++i]!);
    else if (argv[i] === '--heap-snapshot' && argv[i + 1]) out.heapSnapshotDir = path.resolve(argv[++i]!);
    else if (argv[i] === '--workers' && argv[i + 1]) {
      out.workers = Number(argv[++i]);
      if (!Number.isInteger(out.workers) || out.workers < 1) throw new Error(`--workers wants a positive integer; ${usage}`);
    } else if (argv[i] === '--node-flags' && argv[i + 1]) {
      out.nodeFlags = argv[++i]!.split(/\s+/).filter(Boolean);
      if (out.nodeFlags.some((f) => !f.startsWith('--'))) throw new Error(`--node-flags takes Node options (each starting with --); ${usage}`);
    } else if (argv[i] === '--phases' && argv[i + 1]) {
      const names = argv[++i]!.split(',');
      for (const n of names) if (!(allPhases as readonly string[]).includes(n)) throw new Error(`unknown phase ${JSON.stringify(n)}; ${usage}`);
      out.phases = new Set(names as Phase[]);
    } else throw new Error(`unknown argument ${JSON.stringify(argv[i])}; ${usage}`);
  }
  return out;
}

/** Asks the API server for a heap snapshot (SIGUSR2) and waits until the file is complete. */
async function heapSnapshot(pid: number, dir: string): Promise<string> {
  const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  let last = -1;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const size = fs.statSync(path.join(dir, file)).size;
    if (size > 0 && size === last) return path.join(dir, file);
    last = size;
  }
  throw new Error('no heap snapshot after 120 s');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cleanup = new Cleanup();
  const abort = (why: string, code: number): void => {
    console.error(`bench: ${why}; cleaning up`);
    void cleanup.run().then(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  // Every loop is bounded; this is the backstop should a phase wedge anyway.
  const watchdog = setTimeout(() => abort(`still running after ${maxRuntimeMs / 60_000} min`, 1), maxRuntimeMs);
  watchdog.unref();

  const started = Date.now();
  const progress = (line: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  try {
    progress('starting etcd, the floor etcd and the API server (separate processes)');
    if (args.heapSnapshotDir) fs.mkdirSync(args.heapSnapshotDir, { recursive: true });
    const cluster = await startBenchCluster(cleanup, { workers: args.workers, nodeFlags: args.nodeFlags, ...(args.cpuProfDir ? { cpuProfDir: args.cpuProfDir } : {}), ...(args.heapSnapshotDir ? { heapSnapshotDir: args.heapSnapshotDir } : {}) });
    const api = new ApiHttp(cluster.access);
    cleanup.add('close the API client', () => api.close());
    const floor = new RawEtcd(cluster.floorEtcd.endpoint);
    cleanup.add('close the floor etcd client', () => floor.close());
    const apiEtcd = new RawEtcd(cluster.apiEtcd.endpoint);
    cleanup.add('close the API etcd client', () => apiEtcd.close());
    const rssAtStart = apiServerRssBytes(cluster);

    for (const ns of [benchNamespace, watchNamespace]) {
      expectStatus(await api.post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })), 201, `create namespace ${ns}`);
    }
    const ctx: BenchContext = { cluster, api, floor, apiEtcd, storedPod: Buffer.alloc(0), apiServerRssAtStart: rssAtStart, requestBytes: Buffer.byteLength(benchPodBody('probe')), podsCreated: 0, progress };
    // The floors write exactly what the API server stores for one pod.
    await createPod(ctx, benchNamespace, 'probe');
    const stored = await apiEtcd.get(`/registry/pods/${benchNamespace}/probe`);
    if (!stored) throw new Error('cannot find the probe pod in etcd under /registry/pods/');
    ctx.storedPod = stored;

    const rows: FigureRow[] = [];
    const marks = new PhaseMarks([cluster.apiServerPid, ...cluster.apiServerWorkerPids(), cluster.apiEtcd.pid, cluster.floorEtcd.pid], [cluster.apiEtcd.endpoint, cluster.floorEtcd.endpoint]);
    if (args.phases.has('createThroughput')) rows.push(await marks.time('createThroughput', () => createThroughput(ctx)));
    if (args.phases.has('createLatency')) rows.push(await marks.time('createLatency', () => createLatency(ctx)));
    if (args.phases.has('list')) {
      rows.push(...(await marks.time('list', () => listLatency(ctx, (phase, fn) => marks.time(phase, fn)))));
      if (args.heapSnapshotDir) progress(`heap snapshot of the API server: ${await heapSnapshot(cluster.apiServerPid, args.heapSnapshotDir)}`);
    }
    if (args.phases.has('watch')) rows.push(await marks.time('watch', () => watchLatency(ctx)));
    // After LIST and watch: their pods (in namespaces of their own) would otherwise count in the RSS figure.
    if (args.phases.has('verbs')) rows.push(...(await marks.time('verbs', () => verbCpu(ctx, (phase, fn) => marks.time(phase, fn)))));
    if (args.phases.has('mixed')) rows.push(await marks.time('mixed', () => mixedLoad(ctx, (phase, fn) => marks.time(phase, fn))));
    if (args.cpuProfDir) marks.write(path.join(args.cpuProfDir, 'phases.json'));

    const flags = args.nodeFlags.length ? ` ${args.nodeFlags.join(' ')}` : '';
    const server = args.workers > 1 ? `API server (node${flags}, ${args.workers} worker processes behind one port)` : `API server (node${flags})`;
    const layout = `separate processes: ${server}, etcd, floor etcd, benchmark client (this process)`;
    const meta = {
      layout,
      cpus: os.cpus().length,
      node: process.version,
      runtimeSeconds: Math.round((Date.now() - started) / 1000),
      requestBytesPerPod: ctx.requestBytes,
      storedBytesPerPod: ctx.storedPod.length,
      apiServerRssAtStartBytes: rssAtStart,
      phases: [...args.phases],
      apiServerWorkers: args.workers,
      apiServerNodeFlags: args.nodeFlags,
      cpuProfile: args.cpuProfDir ?? null,
      foreignCpuPercentByPhase: Object.fromEntries(marks.windows.map((w) => [w.phase, w.foreignCpuPercent])),
      slowEtcdFsyncsByPhase: Object.fromEntries(marks.windows.map((w) => [w.phase, w.slowEtcdFsyncs])),
    };
    console.log('');
    console.log(`Gantry API-server benchmark (${new Date().toISOString()})`);
    console.log(`layout: ${layout}; ${meta.cpus} CPUs shared by all of them; all traffic on 127.0.0.1`);
    console.log(`pod: ${ctx.requestBytes} B request body, ${ctx.storedPod.length} B stored in etcd (the floors write values of that size, outside /registry/, to a separate etcd)`);
    console.log(`API server RSS at start ${fmtBytes(rssAtStart)}; runtime ${meta.runtimeSeconds} s${args.cpuProfDir ? `; CPU profile in ${args.cpuProfDir}` : ''}`);
    console.log('');
    console.log(renderTable(rows));
    const noise = marks.windows.map((w) => `${w.phase} ${w.foreignCpuPercent ?? '?'}%`).join(', ');
    console.log(`CPU used by other processes on this machine (noise; share of all ${meta.cpus} CPUs): ${noise}`);
    const disk = marks.windows.map((w) => `${w.phase} ${w.slowEtcdFsyncs ?? '?'}`).join(', ');
    console.log(`etcd WAL fsyncs slower than 32 ms (disk stalls, both etcds): ${disk}`);
    if (marks.windows.some((w) => (w.foreignCpuPercent ?? 0) > 10)) {
      console.log('WARNING: other processes competed for the CPUs during this run; its figures are pessimistic. Rerun on a quiet machine.');
    }
    console.log('');
    console.log(jsonLine(meta, rows));
  } catch (e) {
    console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    progress('cleaning up');
    await cleanup.run();
  }
}

void main();
