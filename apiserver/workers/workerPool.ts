// Several API server processes behind one port (`--workers N`). One Node.js process runs
// JavaScript on one core; the API server's CPU per request is what caps its throughput, so
// the primary process forks N workers through node:cluster, each a whole API server (its own
// etcd client, watch cache, admission and authorizer state), and keeps only the listening
// socket, handing each accepted connection to the next worker in turn. Every worker reads
// and writes etcd directly, so any of them serves consistent reads (a LIST without a
// resourceVersion waits for its cache to reach etcd's current revision) and watches ordered
// by etcd's revisions; see multiInstance.test.ts.
//
// The primary keeps the pool full: a worker that dies is replaced after a back-off that grows
// while it keeps dying (the same RestartBackoff `gantry supervise` uses), and SIGTERM stops
// every worker before the primary exits.

import { RestartBackoff, type BackoffPolicy } from '../../common/backoff.js';
import { realClock, type Timer, type TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';

/** One running worker, as the pool sees it. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  /** Called once: with the exit code, or the signal that ended it. */
  onExit(fn: (code: number | null, signal: string | null) => void): void;
  /** Called when it listens on the shared port. */
  onListening(fn: () => void): void;
  /** Asks it to stop (SIGTERM); it finishes its requests and exits. */
  terminate(): void;
  /** Ends it now (SIGKILL). */
  kill(): void;
}

/** Starts worker number `slot` (0-based); node:cluster in production (clusterWorkers.ts). */
export type WorkerLauncher = (slot: number) => WorkerHandle;

export interface WorkerPoolOptions {
  count: number;
  launch: WorkerLauncher;
  logger: Logger;
  clock?: TimerClock;
  /** Restart back-off per slot; default 1 s growing to 30 s. */
  restart?: BackoffPolicy;
  /** How long stop() waits for workers to exit before killing them; default 30 s. */
  stopGraceMs?: number;
}

interface Slot {
  worker: WorkerHandle | undefined;
  listening: boolean;
  restartTimer: Timer | undefined;
}

const defaultRestart: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

export class WorkerPool {
  private readonly clock: TimerClock;
  private readonly slots: Slot[];
  private readonly backoff: RestartBackoff<number>;
  private stopping = false;
  private readonly listeners: (() => void)[] = [];
  private exitWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkerPoolOptions) {
    if (!Number.isInteger(opts.count) || opts.count < 1) throw new RangeError(`a worker pool needs at least one worker, got ${opts.count}`);
    this.clock = opts.clock ?? realClock;
    this.backoff = new RestartBackoff(opts.restart ?? defaultRestart, this.clock);
    this.slots = Array.from({ length: opts.count }, () => ({ worker: undefined, listening: false, restartTimer: undefined }));
  }

  /** Starts every worker; resolves once all of them listen (a worker that dies first is replaced and awaited). */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.listeners.push(resolve));
    this.slots.forEach((_, i) => this.launch(i));
    return ready;
  }

  /** PIDs of the workers running now, by slot (undefined while a slot waits to restart). */
  pids(): (number | undefined)[] {
    return this.slots.map((s) => s.worker?.pid);
  }

  /** Asks every worker to stop; kills those still running after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) {
      s.restartTimer?.cancel();
      s.restartTimer = undefined;
      s.worker?.terminate();
    }
    if (this.running() === 0) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    const grace = this.clock.setTimer(() => {
      for (const s of this.slots) s.worker?.kill();
    }, this.opts.stopGraceMs ?? 30_000);
    await exited;
    grace.cancel();
  }

  private running(): number {
    return this.slots.filter((s) => s.worker).length;
  }

  private launch(slot: number): void {
    const s = this.slots[slot]!;
    s.restartTimer = undefined;
    if (this.stopping) return;
    this.backoff.started(slot);
    const worker = this.opts.launch(slot);
    s.worker = worker;
    s.listening = false;
    this.opts.logger.info('API server worker started', { worker: slot, pid: worker.pid });
    worker.onListening(() => {
      if (s.worker !== worker) return;
      s.listening = true;
      if (this.slots.every((x) => x.listening)) for (const fn of this.listeners.splice(0)) fn();
    });
    worker.onExit((code, signal) => this.exited(slot, worker, code, signal));
  }

  private exited(slot: number, worker: WorkerHandle, code: number | null, signal: string | null): void {
    const s = this.slots[slot]!;
    if (s.worker !== worker) return;
    s.worker = undefined;
    s.listening = false;
    if (this.stopping) {
      this.opts.logger.info('API server worker stopped', { worker: slot, pid: worker.pid, code, signal });
      if (this.running() === 0) for (const fn of this.exitWaiters.splice(0)) fn();
      return;
    }
    const at = this.backoff.retryAt(slot, this.clock.now());
    const delayMs = at === undefined ? 0 : at - this.clock.now();
    this.opts.logger.error('API server worker exited; restarting it', { worker: slot, pid: worker.pid, code, signal, restartInMs: delayMs });
    if (delayMs <= 0) this.launch(slot);
    else s.restartTimer = this.clock.setTimer(() => this.launch(slot), delayMs);
  }
}
