// Time for the simulated runtime as a dependency: a clock for "now" and one-shot timers
// for the few things that must happen later (configured delays, grace periods, exec
// deadlines). Idle containers never hold a timer: when a container exits on its own is
// computed from its start time and observed lazily.

import type { Clock } from '../../common/clock.js';

export interface SimulatedTimers {
  /** Calls `fn` once after `ms`; returns a function that cancels the call. */
  after(ms: number, fn: () => void): () => void;
}

export const realSimulatedTimers: SimulatedTimers = {
  after(ms: number, fn: () => void): () => void {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock and timers that move only when a test says so. `advance` fires the timers that
 * fall due, in order, letting the promise continuations of each run before the next one.
 */
export class SimulatedManualTime implements Clock, SimulatedTimers {
  private t: number;
  private seq = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: PendingTimer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }

  /** Timers scheduled and not yet fired or cancelled. */
  pending(): number {
    return this.timers.size;
  }

  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      let next: PendingTimer | undefined;
      for (const timer of this.timers) {
        if (timer.due <= target && (!next || timer.due < next.due || (timer.due === next.due && timer.seq < next.seq))) next = timer;
      }
      if (!next) break;
      this.timers.delete(next);
      this.t = Math.max(this.t, next.due);
      next.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }
}

/** Lets pending promise continuations (and stream events) run. */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
