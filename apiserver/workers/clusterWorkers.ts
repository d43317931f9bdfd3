// The node:cluster side of the worker pool: forking a worker, and in a worker, leaving when
// the primary is gone (a worker whose primary died would otherwise keep serving connections
// nobody supervises, and hold etcd watches forever).

import cluster, { type Worker } from 'node:cluster';
import type { WorkerHandle, WorkerLauncher } from './workerPool.js';

/** The environment variable that tells a forked process which slot it fills. */
export const workerSlotEnv = 'GANTRY_APISERVER_WORKER';

/** True in the primary of a pool (and in a single-process API server). */
export function isPoolPrimary(): boolean {
  return cluster.isPrimary;
}

/** The slot this process fills, or undefined when it is not a pool worker. */
export function workerSlot(): number | undefined {
  if (cluster.isPrimary) return undefined;
  const n = Number(process.env[workerSlotEnv]);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * Forks workers running this same program. `execArgv` replaces the primary's Node flags for
 * them (V8 heap settings are per process). Every worker accepts from the one shared listening
 * socket itself (SCHED_NONE), rather than the primary accepting and handing connections out in
 * turn: a connection handed to a worker that has just died is lost until the client times
 * out, while one waiting in the shared backlog is taken by a live worker. The kernel wakes
 * whichever worker waits for work, so a busy one takes fewer new connections.
 */
export function clusterLauncher(execArgv: string[] = process.execArgv): WorkerLauncher {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ execArgv, silent: false });
  return (slot) => handleOf(cluster.fork({ [workerSlotEnv]: String(slot) }));
}

function handleOf(w: Worker): WorkerHandle {
  return {
    pid: w.process.pid,
    onExit: (fn) => w.once('exit', (code, signal) => fn(code, signal)),
    onListening: (fn) => w.once('listening', () => fn()),
    terminate: () => {
      if (w.process.exitCode === null && w.process.signalCode === null) w.process.kill('SIGTERM');
    },
    kill: () => {
      if (w.process.exitCode === null && w.process.signalCode === null) w.process.kill('SIGKILL');
    },
  };
}

/** In a worker: runs `stop` (then exits) when the primary goes away. */
export function exitWithPrimary(stop: () => void): void {
  process.once('disconnect', stop);
}
