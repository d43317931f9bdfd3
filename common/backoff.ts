// The one exponential back-off of Gantry (ARCHITECTURE.md, convention 10): a delay that
// starts at `initialMs`, multiplies by `factor` per failure up to `maxMs`, optionally with
// jitter on top (client-go's wait.Backoff: jitter spreads retries of many clients that failed
// together, so it is added after the cap). Time comes from an injected TimerClock, so tests
// advance a FakeClock instead of sleeping.

import type { Clock, TimerClock } from './clock.js';
import { sleep } from './clock.js';

export interface BackoffPolicy {
  /** The first delay. */
  initialMs: number;
  /** The largest delay before jitter. */
  maxMs: number;
  /** Growth per failure; default 2. */
  factor?: number;
  /** Adds up to this fraction of the delay at random (0.1: [d, 1.1·d)); default 0. */
  jitter?: number;
  /** Injected for deterministic jitter in tests; default Math.random. */
  random?: () => number;
}

function validate(p: BackoffPolicy): void {
  if (!(p.initialMs >= 0) || !(p.maxMs >= p.initialMs)) throw new RangeError(`back-off needs 0 <= initialMs <= maxMs, got ${p.initialMs}, ${p.maxMs}`);
  if (p.factor !== undefined && !(p.factor >= 1)) throw new RangeError(`back-off factor must be >= 1, got ${p.factor}`);
  if (p.jitter !== undefined && !(p.jitter >= 0)) throw new RangeError(`back-off jitter must be >= 0, got ${p.jitter}`);
}

/** The delay before retry number `failures` (0: after the first failure). */
export function backoffDelay(p: BackoffPolicy, failures: number): number {
  const base = Math.min(p.initialMs * Math.pow(p.factor ?? 2, failures), p.maxMs);
  const jitter = p.jitter ? base * p.jitter * (p.random ?? Math.random)() : 0;
  return base + jitter;
}

/** One retry loop's back-off: next() after each failure, reset() after a success. */
export class Backoff {
  private failures = 0;

  constructor(private readonly policy: BackoffPolicy) {
    validate(policy);
  }

  /** The delay to wait now, and counts one more failure. */
  next(): number {
    return backoffDelay(this.policy, this.failures++);
  }

  /** The delay next() would return, without counting. */
  peek(): number {
    return backoffDelay(this.policy, this.failures);
  }

  reset(): void {
    this.failures = 0;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** Waits next() on `clock`; returns early when `signal` aborts. */
  wait(clock: TimerClock, signal?: AbortSignal): Promise<void> {
    return sleep(clock, this.next(), signal);
  }
}

/** A back-off per key (the work queue's per-item limiter, per-pod restarts). */
export class KeyedBackoff<K> {
  private readonly failures = new Map<K, number>();

  constructor(private readonly policy: BackoffPolicy) {
    validate(policy);
  }

  /** The delay for `key` now, and counts one more failure of it. */
  next(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return backoffDelay(this.policy, n);
  }

  /** Failures of `key` since it was last forgotten. */
  attempts(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  /** Keys with a failure count (for tests and leak checks). */
  size(): number {
    return this.failures.size;
  }
}

interface RestartEntry {
  delayMs: number;
  lastStartMs: number;
}

/**
 * Back-off for restarting something that runs and may fail (client-go's flowcontrol.Backoff,
 * the kubelet's CrashLoopBackOff, a supervisor's crash loop): the window is counted from the
 * last start, so the first failure may restart at once, a failure within the current window
 * waits for its end, each restart grows the window up to `maxMs`, and something that ran
 * for `resetAfterMs` (default 2 × maxMs) before failing starts over.
 */
export class RestartBackoff<K = string> {
  private readonly entries = new Map<K, RestartEntry>();
  private readonly resetAfterMs: number;

  constructor(
    private readonly policy: BackoffPolicy & { resetAfterMs?: number },
    private readonly clock: Clock,
  ) {
    validate(policy);
    this.resetAfterMs = policy.resetAfterMs ?? 2 * policy.maxMs;
  }

  /**
   * When `key`, which failed at `failedAtMs`, may be restarted: a time, or undefined for now.
   * A failure long after the last start (it ran well) resets the key.
   */
  retryAt(key: K, failedAtMs: number): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (failedAtMs - e.lastStartMs > this.resetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    const until = e.lastStartMs + e.delayMs;
    return this.clock.now() < until ? until : undefined;
  }

  /** The current window of `key` in ms (for messages); 0 when it has none. */
  delayOf(key: K): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Records a (re)start now: the next failure waits the grown window. */
  started(key: K): void {
    const e = this.entries.get(key);
    const factor = this.policy.factor ?? 2;
    const base = e ? Math.min(e.delayMs * factor, this.policy.maxMs) : this.policy.initialMs;
    this.entries.set(key, { delayMs: base, lastStartMs: this.clock.now() });
  }

  forget(key: K): void {
    this.entries.delete(key);
  }

  /** Forgets every key `pred` accepts (e.g. all containers of a pod). */
  forgetWhere(pred: (key: K) => boolean): void {
    for (const k of [...this.entries.keys()]) if (pred(k)) this.entries.delete(k);
  }

  size(): number {
    return this.entries.size;
  }
}

export interface RetryOptions {
  clock: TimerClock;
  policy: BackoffPolicy;
  /** Stops retrying: the last error is thrown (or an AbortError if none yet). */
  signal?: AbortSignal;
  /** Gives up after this many attempts in all (default: unbounded). */
  maxAttempts?: number;
  /** False: throw at once (e.g. a 4xx that retrying cannot fix). Default: retry everything. */
  retryable?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (err: unknown, delayMs: number, attempt: number) => void;
}

/** Calls `fn` until it resolves, waiting the back-off between failures. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const backoff = new Backoff(opts.policy);
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    try {
      return await fn(attempt);
    } catch (e) {
      if (opts.retryable && !opts.retryable(e)) throw e;
      if (opts.maxAttempts !== undefined && attempt >= opts.maxAttempts) throw e;
      if (opts.signal?.aborted) throw e;
      const delay = backoff.next();
      opts.onRetry?.(e, delay, attempt);
      await sleep(opts.clock, delay, opts.signal);
      if (opts.signal?.aborted) throw e;
    }
  }
}
