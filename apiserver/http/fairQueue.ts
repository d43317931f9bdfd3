// Fairness among the users (flows) sharing one in-flight budget: a small form of API
// Priority and Fairness's fair queuing inside a priority level.
//  - One flow may hold at most maxSeatsPerFlow of the budget's seats, so a single user
//    flooding with slow requests can never take every seat from the others.
//  - A request finding no seat for it waits in its own flow's queue (at most
//    queueLengthPerFlow, and maxQueued over all flows); a freed seat goes to the flows
//    round-robin, one request per turn, whoever holds how many requests waiting.
//  - A full queue, or a wait longer than maxWaitMs, is refused (the caller answers 429 with
//    Retry-After), as APF rejects when a queue is full or a request waited too long.
// Flows are keyed by user name, as APF's flow schemas distinguish by user.

import type { Timer, TimerClock } from '../../common/clock.js';

export interface FairQueueOptions {
  /** Seats of the budget; 0: unlimited (nothing ever waits). */
  seats: number;
  /** Seats one flow may hold at once (at least 1, at most seats). */
  maxSeatsPerFlow: number;
  /** Requests one flow may have waiting; 0: no waiting, a request without a seat is refused at once. */
  queueLengthPerFlow: number;
  /** Requests waiting over all flows. */
  maxQueued: number;
  /** How long a request may wait for a seat. */
  maxWaitMs: number;
  clock: TimerClock;
}

export type Refusal = 'queue full' | 'waited too long';

interface Waiter {
  flow: string;
  grant: (release: () => void) => void;
  timer: Timer;
}

export class FairQueue {
  private inUse = 0;
  private readonly held = new Map<string, number>();
  /** Flows with waiting requests; Map order is the round-robin order (a served flow moves to the end). */
  private readonly queues = new Map<string, Waiter[]>();
  private queuedCount = 0;

  constructor(private readonly opts: FairQueueOptions) {
    if (opts.seats > 0 && !(opts.maxSeatsPerFlow >= 1 && opts.maxSeatsPerFlow <= opts.seats)) {
      throw new RangeError(`maxSeatsPerFlow must be within 1..${opts.seats}, got ${opts.maxSeatsPerFlow}`);
    }
  }

  /**
   * Asks for a seat for `flow`. Exactly one of `grant` (with the release to call once the
   * request ends; possibly before this returns) and `refuse` is called, unless the returned
   * cancel() is called first (the client went away while waiting). cancel() after a grant does nothing.
   */
  request(flow: string, grant: (release: () => void) => void, refuse: (why: Refusal) => void): () => void {
    if (this.mayTake(flow) && !this.queues.has(flow)) {
      this.take(flow, grant);
      return () => undefined;
    }
    const q = this.queues.get(flow) ?? [];
    if (q.length >= this.opts.queueLengthPerFlow || this.queuedCount >= this.opts.maxQueued) {
      refuse('queue full');
      return () => undefined;
    }
    const waiter: Waiter = {
      flow,
      grant,
      timer: this.opts.clock.setTimer(() => {
        if (this.unqueue(waiter)) refuse('waited too long');
      }, this.opts.maxWaitMs),
    };
    q.push(waiter);
    if (!this.queues.has(flow)) this.queues.set(flow, q);
    this.queuedCount++;
    return () => {
      if (this.unqueue(waiter)) waiter.timer.cancel();
    };
  }

  /** Seats held now, in all or by one flow (for tests and metrics). */
  inflight(flow?: string): number {
    return flow === undefined ? this.inUse : (this.held.get(flow) ?? 0);
  }

  /** Requests waiting now, in all or of one flow. */
  queued(flow?: string): number {
    return flow === undefined ? this.queuedCount : (this.queues.get(flow)?.length ?? 0);
  }

  private mayTake(flow: string): boolean {
    if (this.opts.seats <= 0) return true;
    return this.inUse < this.opts.seats && (this.held.get(flow) ?? 0) < this.opts.maxSeatsPerFlow;
  }

  private take(flow: string, grant: (release: () => void) => void): void {
    this.inUse++;
    this.held.set(flow, (this.held.get(flow) ?? 0) + 1);
    let released = false;
    grant(() => {
      if (released) return;
      released = true;
      this.inUse--;
      const left = (this.held.get(flow) ?? 1) - 1;
      if (left > 0) this.held.set(flow, left);
      else this.held.delete(flow);
      this.dispatch();
    });
  }

  /** Hands free seats to waiting flows, round-robin, skipping flows at their own cap. */
  private dispatch(): void {
    for (;;) {
      let next: Waiter | undefined;
      for (const [flow, q] of this.queues) {
        if (!this.mayTake(flow)) continue;
        next = q.shift()!;
        this.queues.delete(flow);
        if (q.length) this.queues.set(flow, q);
        break;
      }
      if (!next) return;
      this.queuedCount--;
      next.timer.cancel();
      this.take(next.flow, next.grant);
    }
  }

  /** Removes a waiter still queued; false when it was already served or refused. */
  private unqueue(w: Waiter): boolean {
    const q = this.queues.get(w.flow);
    const i = q ? q.indexOf(w) : -1;
    if (!q || i < 0) return false;
    q.splice(i, 1);
    if (!q.length) this.queues.delete(w.flow);
    this.queuedCount--;
    return true;
  }
}
