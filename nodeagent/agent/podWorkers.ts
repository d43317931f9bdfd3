// One worker per pod: syncs of a pod never overlap, a request arriving during a sync
// schedules exactly one more, and different pods sync concurrently. A sync may ask to run
// again after a delay (a back-off ending); a failed sync is retried with growing delays.

import { KeyedBackoff, type BackoffPolicy } from '../../common/backoff.js';
import { realClock, type Timer, type TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';

export interface SyncOutcome {
  /** Sync again after this many ms (earliest request wins). */
  requeueAfterMs?: number;
  /** The pod is finished with on this node: forget the worker. */
  done?: boolean;
}

interface Worker {
  running: boolean;
  dirty: boolean;
  timer?: Timer;
  timerAt?: number;
}

/** A failed sync is retried after 0.5 s, doubling up to 30 s; a success starts over. */
export const podSyncRetry: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;
  private readonly idleWaiters = new Set<() => void>();
  private readonly failures: KeyedBackoff<string>;

  constructor(
    private readonly sync: (uid: string) => Promise<SyncOutcome>,
    private readonly logger: Logger,
    private readonly clock: TimerClock = realClock,
    retry: BackoffPolicy = podSyncRetry,
  ) {
    this.failures = new KeyedBackoff<string>(retry);
  }

  /** Asks for a sync of `uid` now, or after `delayMs`. */
  enqueue(uid: string, delayMs = 0): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, dirty: false };
      this.workers.set(uid, w);
    }
    if (delayMs > 0) {
      const at = this.clock.now() + delayMs;
      if (w.timer && w.timerAt !== undefined && w.timerAt <= at) return;
      w.timer?.cancel();
      w.timerAt = at;
      w.timer = this.clock.setTimer(() => {
        w.timer = undefined;
        w.timerAt = undefined;
        this.enqueue(uid);
      }, delayMs);
      return;
    }
    if (w.running) {
      w.dirty = true;
      return;
    }
    void this.run(uid, w);
  }

  private async run(uid: string, w: Worker): Promise<void> {
    w.running = true;
    do {
      w.dirty = false;
      let outcome: SyncOutcome = {};
      try {
        const started = this.clock.now();
        outcome = await this.sync(uid);
        this.logger.debug('pod synced', { uid, ms: this.clock.now() - started, ...outcome });
        this.failures.forget(uid);
      } catch (e) {
        const delay = this.failures.next(uid);
        this.logger.warn('pod sync failed', { uid, error: e instanceof Error ? e.message : String(e), retryInMs: delay });
        outcome = { requeueAfterMs: delay };
      }
      if (this.stopped) break;
      if (outcome.done && !w.dirty) {
        w.timer?.cancel();
        this.workers.delete(uid);
        this.failures.forget(uid);
        w.running = false;
        this.notifyIdle();
        return;
      }
      if (outcome.requeueAfterMs !== undefined) this.enqueue(uid, outcome.requeueAfterMs);
    } while (w.dirty && !this.stopped);
    w.running = false;
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if ([...this.workers.values()].some((w) => w.running)) return;
    for (const r of this.idleWaiters) r();
    this.idleWaiters.clear();
  }

  /** Resolves once no sync is running. */
  idle(): Promise<void> {
    if (![...this.workers.values()].some((w) => w.running)) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.add(r));
  }

  uids(): string[] {
    return [...this.workers.keys()];
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) w.timer?.cancel();
    return this.idle();
  }
}
