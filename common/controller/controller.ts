// Runs one ControllerRegistration: a work queue of object keys (by keyString) and N workers
// that take a key, call reconcile, and tell the queue how it went. The queue guarantees a key
// is never reconciled by two workers at once; the worker owns the retry policy so that
// reconcilers never do:
//   success                 -> forget (reset the key's back-off)
//   success + requeueAfterMs -> forget, and look again after that long
//   TerminalError           -> forget, log; no retry until the next event
//   any other error         -> addRateLimited (per-key exponential back-off, global bucket)

import type { Registry } from 'prom-client';
import { realClock, type TimerClock } from '../clock.js';
import { ConflictError } from '../errors.js';
import type { Logger } from '../logging.js';
import { controllerMetrics, type ControllerMetrics, type ReconcileResultLabel } from './metrics.js';
import type { ControllerRateLimitOptions } from './rateLimiter.js';
import { keyString, parseKey, TerminalError, type ControllerRegistration, type ObjectKey } from './types.js';
import { RateLimitingQueue } from './workqueue.js';

export interface ControllerOptions {
  registration: ControllerRegistration;
  logger: Logger;
  clock?: TimerClock;
  /** workqueue_* and controller_* metrics; none when absent. */
  registry?: Registry;
  rateLimits?: ControllerRateLimitOptions;
  /** Overrides registration.workers (config). */
  workers?: number;
}

export class Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue<string>;
  readonly workers: number;
  private readonly registration: ControllerRegistration;
  private readonly logger: Logger;
  private readonly metrics: ControllerMetrics | undefined;
  private running: Promise<void>[] = [];

  constructor(opts: ControllerOptions) {
    this.registration = opts.registration;
    this.name = opts.registration.name;
    this.workers = opts.workers ?? opts.registration.workers ?? 1;
    if (!Number.isInteger(this.workers) || this.workers < 1) throw new RangeError(`controller ${this.name}: workers must be a positive integer, got ${this.workers}`);
    this.logger = opts.logger.child({ controller: this.name });
    this.metrics = opts.registry ? controllerMetrics(opts.registry) : undefined;
    this.queue = new RateLimitingQueue<string>({ name: this.name, clock: opts.clock ?? realClock, registry: opts.registry, rateLimits: opts.rateLimits });
  }

  /** What handlers call: queue the key (de-duplicated). */
  readonly enqueue = (key: ObjectKey): void => {
    this.queue.add(keyString(key));
  };

  /** What batching handlers call: queue the key after a delay (the earliest pending time wins). */
  readonly enqueueAfter = (key: ObjectKey, delayMs: number): void => {
    this.queue.addAfter(keyString(key), delayMs);
  };

  /** Starts the workers (once). */
  start(): void {
    if (this.running.length > 0) return;
    this.logger.info('starting workers', { workers: this.workers });
    for (let i = 0; i < this.workers; i++) this.running.push(this.worker());
  }

  /** Stops taking keys, lets reconciles in progress finish, and waits for the workers. */
  async stop(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await Promise.all(this.running);
    this.running = [];
  }

  private async worker(): Promise<void> {
    while (await this.processNext());
  }

  /** Takes one key and reconciles it; false once the queue is shut down and drained. */
  async processNext(): Promise<boolean> {
    const key = await this.queue.get();
    if (key === undefined) return false;
    this.metrics?.activeWorkers.inc({ controller: this.name });
    try {
      await this.reconcileKey(key);
    } finally {
      this.metrics?.activeWorkers.dec({ controller: this.name });
      this.queue.done(key);
    }
    return true;
  }

  private async reconcileKey(key: string): Promise<void> {
    let result: ReconcileResultLabel;
    try {
      const r = await this.registration.reconciler.reconcile(parseKey(key));
      this.queue.forget(key);
      const after = r?.requeueAfterMs;
      if (after !== undefined && after >= 0) {
        this.queue.addAfter(key, after);
        result = 'requeue_after';
      } else {
        result = 'success';
      }
    } catch (e) {
      const log = this.logger.child({ key });
      if (e instanceof TerminalError) {
        this.queue.forget(key);
        log.error('reconcile failed; not retrying', { error: describe(e) });
        result = 'terminal_error';
      } else {
        const retries = this.queue.numRequeues(key);
        // A conflict is optimistic concurrency working as meant: the cache was behind.
        if (e instanceof ConflictError) log.debug('reconcile conflicted; retrying', { error: describe(e), retries });
        else log.error('reconcile failed; retrying', { error: describe(e), retries });
        this.queue.addRateLimited(key);
        result = 'error';
      }
    }
    this.metrics?.reconciles.inc({ controller: this.name, result });
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`;
}
