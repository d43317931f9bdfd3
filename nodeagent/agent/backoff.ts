// Per-key exponential back-off for restarting crashed containers and re-pulling images, the
// kubelet's way: the first restart is immediate; a container that fails again within the
// current window waits until the window ends; each restart doubles the window up to the
// maximum; a container that ran for twice the maximum without failing starts over.

import type { Clock } from '../../common/clock.js';

interface Entry {
  delayMs: number;
  lastStartMs: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly clock: Clock,
  ) {}

  /**
   * When `key` failed at `failedAtMs`: the time it may be retried, or undefined if now.
   * A failure long after the last start (the container ran well) resets the key.
   */
  retryAt(key: string, failedAtMs: number): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (failedAtMs - e.lastStartMs > 2 * this.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    const until = e.lastStartMs + e.delayMs;
    return this.clock.now() < until ? until : undefined;
  }

  /** The current window of `key` (for messages), in ms; 0 when it has none. */
  delayOf(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Records a (re)start now: the next failure waits the doubled window. */
  started(key: string): void {
    const e = this.entries.get(key);
    const delayMs = e ? Math.min(e.delayMs * 2, this.maxMs) : this.initialMs;
    this.entries.set(key, { delayMs, lastStartMs: this.clock.now() });
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
