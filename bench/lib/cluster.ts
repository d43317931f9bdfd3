// The processes under test, in the layout the benchmark reports: etcd, and the API server as
// its own Node process (as `gantry up` runs it), so the server's CPU is not shared with the
// benchmark's client loops inside one event loop: the same cluster the integration tests
// start (common/testing/cluster.ts). A second etcd serves the raw-etcd floors, so floor
// traffic never touches the API server's revision stream.

import path from 'node:path';
import type { ClusterAccess } from '../../common/kubeconfig.js';
import { startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { childPids, pidRuns } from '../../common/proc/pids.js';
import { startProcessCluster } from '../../common/testing/cluster.js';
import type { Cleanup } from './cleanup.js';
import { cpuMs, rssBytes } from './procStat.js';

export interface BenchCluster {
  access: ClusterAccess;
  /** The API server's process: with --workers, the primary holding the port. */
  apiServerPid: number;
  /** Its workers' PIDs (none without --workers). */
  apiServerWorkerPids(): number[];
  apiServerLog: string;
  /** The run's temp dir (removed at cleanup). */
  dir: string;
  /** The etcd behind the API server. */
  apiEtcd: EtcdProcess;
  /** A separate, otherwise idle etcd for the raw floors. */
  floorEtcd: EtcdProcess;
}

export interface BenchClusterOptions {
  /** Write the API server's V8 CPU profile here (node --cpu-prof) when it exits. */
  cpuProfDir?: string;
  /** Let SIGUSR2 write a V8 heap snapshot of the API server into this dir. */
  heapSnapshotDir?: string;
  /** The API server's --workers (default 1: one process serves). */
  workers?: number;
  /** More Node options for the API server (and its workers). */
  nodeFlags?: string[];
}

/** Starts everything; each piece is registered with `cleanup` as soon as it exists. */
export async function startBenchCluster(cleanup: Cleanup, opts: BenchClusterOptions = {}): Promise<BenchCluster> {
  const cluster = await startProcessCluster({
    tempPrefix: 'gantry-bench-apiserver',
    // As `gantry up` runs it: the figures include its default logging.
    logLevel: 'info',
    nodeFlags: [
      ...(opts.nodeFlags ?? []),
      ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
      ...(opts.heapSnapshotDir ? ['--heapsnapshot-signal=SIGUSR2', '--diagnostic-dir', opts.heapSnapshotDir] : []),
    ],
    ...(opts.cpuProfDir ? { stopTimeoutMs: 30_000 } : {}),
    ...(opts.workers && opts.workers > 1 ? { apiServerFlags: ['--workers', String(opts.workers)] } : {}),
  });
  cleanup.add(`stop the API server (pid ${cluster.apiServerPid}) and its etcd, remove ${cluster.dir}`, () => cluster.close());
  const floorEtcd = await startEtcd({ dataDir: path.join(cluster.dir, 'etcd-floor'), logFile: path.join(cluster.dir, 'etcd-floor.log') });
  // Registered after the cluster: cleanup runs in reverse, so the floor etcd stops before the temp dir goes.
  cleanup.add(`stop floor etcd (pid ${floorEtcd.pid})`, () => floorEtcd.stop());
  const apiServerWorkerPids = (): number[] => childPids(cluster.apiServerPid).filter((p) => pidRuns(p, 'apiserver/main'));
  return { access: cluster.access, apiServerPid: cluster.apiServerPid, apiServerWorkerPids, apiServerLog: cluster.apiServerLog, dir: cluster.dir, apiEtcd: cluster.etcd, floorEtcd };
}

/** CPU time of the API server's processes (the primary and its workers), in ms. */
export function apiServerCpuMs(c: BenchCluster): number {
  return [c.apiServerPid, ...c.apiServerWorkerPids()].reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/** Resident memory of the API server's processes together, in bytes. */
export function apiServerRssBytes(c: BenchCluster): number {
  return [c.apiServerPid, ...c.apiServerWorkerPids()].reduce((sum, pid) => sum + rssBytes(pid), 0);
}
