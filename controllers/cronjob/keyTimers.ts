// One timer per key on an injected clock: how the CronJob and TTL-after-finished controllers
// look at an object again at a time of their choosing (the next scheduled run, a TTL running
// out) without polling. Setting a key's timer replaces the one before. Delays are capped at
// what Node's setTimeout can hold (about 24.8 days; a longer one would fire at once): a
// timer that fires early just leads to a sync that sets the next one.

import type { Timer, TimerClock } from '../../common/clock.js';

export const maxTimerMs = 2 ** 31 - 1;

export class KeyTimers<K> {
  private readonly timers = new Map<string, Timer>();

  constructor(
    private readonly clock: TimerClock,
    private readonly fire: (key: K) => void,
  ) {}

  /** Calls fire(key) after `afterMs` (capped at maxTimerMs); undefined only cancels. */
  set(id: string, key: K, afterMs: number | undefined): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
    if (afterMs === undefined) return;
    const timer = this.clock.setTimer(() => {
      if (this.timers.get(id) === timer) this.timers.delete(id);
      this.fire(key);
    }, Math.min(Math.max(0, afterMs), maxTimerMs));
    this.timers.set(id, timer);
  }

  size(): number {
    return this.timers.size;
  }
}
