// Starting Gantry's components as their own processes for the benchmarks that need a whole
// control plane (bench/controllers.ts, bench/jobs.ts): hollow nodes and the controller
// manager, each waited for by the line it logs once it is up.

import { freePort } from '../../common/proc/ports.js';
import type { ProcessCluster } from '../../common/testing/cluster.js';
import { schedSpawn, type SchedChild } from './schedProc.js';

export interface HollowOptions {
  count: number;
  startIndex?: number;
  namePrefix: string;
  /** The node Lease duration; renewals come every quarter of it. */
  leaseSeconds: number;
  /** More hollow-node flags, e.g. ['--cpu', '1']. */
  more?: string[];
  timeoutMs?: number;
}

/** Starts a hollow-node process and waits for its "registered" line. */
export async function startHollowNodes(cluster: ProcessCluster, o: HollowOptions): Promise<SchedChild> {
  const child = schedSpawn('nodeagent/hollow/main', [
    '--kubeconfig', cluster.kubeconfig,
    '--count', String(o.count),
    '--start-index', String(o.startIndex ?? 0),
    '--name-prefix', o.namePrefix,
    '--lease-duration-seconds', String(o.leaseSeconds),
    '--log-level', 'warn',
    ...(o.more ?? []),
  ]);
  const timeoutMs = o.timeoutMs ?? 5 * 60_000;
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes('hollow nodes registered:')) {
    if (child.child.exitCode !== null) throw new Error(`the hollow-node process exited:\n${child.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${o.count} hollow nodes did not register within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

/** Starts the controller manager as `gantry up` runs it; returns the controllers it reports running. */
export async function startControllerManager(cluster: ProcessCluster, nodeFlags: string[] = [], args: string[] = []): Promise<{ cm: SchedChild; controllers: string[]; metricsUrl: string }> {
  const port = await freePort();
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  const cm = schedSpawn('controllers/main', ['--kubeconfig', cluster.kubeconfig, '--metrics-port', String(port), ...args], nodeFlags);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = cm.output().split('\n').find((l) => l.includes('"controller manager started"'));
    if (line) return { cm, controllers: (JSON.parse(line) as { controllers: string[] }).controllers, metricsUrl };
    if (cm.child.exitCode !== null) throw new Error(`the controller manager exited:\n${cm.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`the controller manager did not start within 60 s:\n${cm.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the scheduler with its default profile. */
export async function startScheduler(cluster: ProcessCluster): Promise<SchedChild> {
  return schedSpawn('scheduler/main', ['--kubeconfig', cluster.kubeconfig, '--metrics-port', String(await freePort()), '--log-level', 'warn']);
}
