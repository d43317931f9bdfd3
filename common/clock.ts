/** Time as a dependency, so tests control it instead of sleeping. */
export interface Clock {
  now(): number;
}

/** A scheduled callback; cancel() is idempotent and harmless after it fired. */
export interface Timer {
  cancel(): void;
}

/**
 * A clock that can also schedule: delays, back-offs and periodic work run on it, so a test
 * with a FakeClock moves them by advancing time instead of sleeping.
 */
export interface TimerClock extends Clock {
  /** Runs `fn` once, `ms` from now (never synchronously, even for ms <= 0). */
  setTimer(fn: () => void, ms: number): Timer;
}

export const realClock: TimerClock = {
  now: () => Date.now(),
  setTimer(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * Resolves after `ms` on `clock`; resolves early (without error) when `signal` aborts, so a
 * loop's stop() never waits out a back-off. The caller checks whether it was stopped.
 */
export function sleep(clock: TimerClock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimer(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. Timers fire during advance(), in due order, with
 * now() set to each timer's due time while it runs; timers a callback sets that fall due
 * within the same advance fire too.
 */
export class FakeClock implements TimerClock {
  private timers: FakeTimer[] = [];
  private seq = 0;

  constructor(private t = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): Timer {
    const timer: FakeTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return {
      cancel: () => {
        this.timers = this.timers.filter((x) => x !== timer);
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let next = this.popDue(end); next; next = this.popDue(end)) {
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }

  /**
   * advance() for code that awaits: after each timer fires, lets promise continuations (and
   * the macrotask queue) run, so a loop that sleeps, wakes and sleeps again makes progress.
   */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (let next = this.popDue(end); next; next = this.popDue(end)) {
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = end;
  }

  /** Timers not yet fired (for tests asserting nothing is left scheduled). */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next timer is due, or undefined. */
  nextTimerAt(): number | undefined {
    let min: number | undefined;
    for (const x of this.timers) if (min === undefined || x.at < min) min = x.at;
    return min;
  }

  private popDue(end: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const x of this.timers) if (x.at <= end && (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq))) best = x;
    if (best) this.timers = this.timers.filter((x) => x !== best);
    return best;
  }
}

/** Lets pending promise continuations and I/O callbacks run (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** RFC 3339 at second precision, as Kubernetes writes metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
