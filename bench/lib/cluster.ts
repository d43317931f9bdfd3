// The processes under test, in the layout the benchmark reports: etcd, and the API server as
// its own Node process (as `gantry up` runs it), so the server's CPU is not shared with the
// benchmark's client loops inside one event loop: the same cluster the integration tests
// start (common/testing/cluster.ts). A second etcd serves the raw-etcd floors, so floor
// traffic never touches the API server's revision stream.

import path from 'node:path';
import type { ClusterAccess } from '../../common/kubeconfig.js';
import { startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { startProcessCluster } from '../../common/testing/cluster.js';
import type { Cleanup } from './cleanup.js';

export interface BenchCluster {
  access: ClusterAccess;
  apiServerPid: number;
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
}

/** Starts everything; each piece is registered with `cleanup` as soon as it exists. */
export async function startBenchCluster(cleanup: Cleanup, opts: BenchClusterOptions = {}): Promise<BenchCluster> {
  const cluster = await startProcessCluster({
    tempPrefix: 'gantry-bench-apiserver',
    // As `gantry up` runs it: the figures include its default logging.
    logLevel: 'info',
    nodeFlags: [
      ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
      ...(opts.heapSnapshotDir ? ['--heapsnapshot-signal=SIGUSR2', '--diagnostic-dir', opts.heapSnapshotDir] : []),
    ],
    ...(opts.cpuProfDir ? { stopTimeoutMs: 30_000 } : {}),
  });
  cleanup.add(`stop the API server (pid ${cluster.apiServerPid}) and its etcd, remove ${cluster.dir}`, () => cluster.close());
  const floorEtcd = await startEtcd({ dataDir: path.join(cluster.dir, 'etcd-floor'), logFile: path.join(cluster.dir, 'etcd-floor.log') });
  // Registered after the cluster: cleanup runs in reverse, so the floor etcd stops before the temp dir goes.
  cleanup.add(`stop floor etcd (pid ${floorEtcd.pid})`, () => floorEtcd.stop());
  return { access: cluster.access, apiServerPid: cluster.apiServerPid, apiServerLog: cluster.apiServerLog, dir: cluster.dir, apiEtcd: cluster.etcd, floorEtcd };
}
