// A pass that runs now and then again a fixed interval after each one ends, until stopped
// (kube-apiserver's endpoint reconciler, identity lease renewal). The next pass is timed from
// the end of the last, so a slow pass never overlaps the next; stop() waits for the pass in
// flight, so whoever stops it may then undo what the passes did.

import type { Timer, TimerClock } from './clock.js';

export class PeriodicPass {
  private timer: Timer | undefined;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();

  /** `pass` must not reject: report its own failures (a rejection would only be dropped). */
  constructor(
    private readonly clock: TimerClock,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<unknown>,
  ) {}

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.pass()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = this.clock.setTimer(tick, this.intervalMs);
        });
    };
    tick();
  }

  /** No pass starts after this; resolves once the one in flight (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }
}
