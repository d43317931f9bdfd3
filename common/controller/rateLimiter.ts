// The work queue's rate limiters, as client-go's DefaultControllerRateLimiter composes them:
// a per-item exponential back-off (a key that keeps failing waits longer each time) and a
// global token bucket (a burst of failures across many keys cannot hammer the API server),
// combined by taking the longer delay.

import { KeyedBackoff } from '../backoff.js';
import type { Clock } from '../clock.js';
import { TokenBucket } from '../client/tokenBucket.js';

/** How long a key waits before it is retried; forget() after a success resets the key. */
export interface RateLimiter<K> {
  /** The delay for `key` now; counts as one more retry of it. */
  when(key: K): number;
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** Per-key exponential back-off: base·2^n, capped (client-go: 5 ms to 1000 s). */
export class ItemExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly backoff: KeyedBackoff<K>;

  constructor(opts: { baseDelayMs: number; maxDelayMs: number }) {
    this.backoff = new KeyedBackoff<K>({ initialMs: opts.baseDelayMs, maxMs: opts.maxDelayMs });
  }
  when(key: K): number {
    return this.backoff.next(key);
  }
  forget(key: K): void {
    this.backoff.forget(key);
  }
  numRequeues(key: K): number {
    return this.backoff.attempts(key);
  }
}

/**
 * A global token bucket (the client's TokenBucket, golang.org/x/time/rate's Reserve): `qps`
 * tokens a second, at most `burst` saved up. Each when() reserves a token; when none is left
 * the caller is told how long until its token exists, and later callers queue behind it.
 */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private readonly bucket: TokenBucket;

  constructor(opts: { qps: number; burst: number }, clock: Clock) {
    if (!(opts.qps > 0) || !(opts.burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1, got ${opts.qps}, ${opts.burst}`);
    this.bucket = new TokenBucket({ qps: opts.qps, burst: opts.burst, clock });
  }

  when(_key: K): number {
    return this.bucket.reserve();
  }
  forget(_key: K): void {}
  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay of several limiters; every limiter counts the retry. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }
  when(key: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(key));
    return max;
  }
  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }
  numRequeues(key: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

export interface ControllerRateLimitOptions {
  /** Per-key back-off start; default 5 ms. */
  baseDelayMs?: number;
  /** Per-key back-off cap; default 1000 s. */
  maxDelayMs?: number;
  /** Global retries a second; default 10. */
  qps?: number;
  /** Global burst; default 100. */
  burst?: number;
}

export const defaultControllerRateLimits: Required<ControllerRateLimitOptions> = { baseDelayMs: 5, maxDelayMs: 1_000_000, qps: 10, burst: 100 };

/** client-go's DefaultControllerRateLimiter, with the numbers configurable. */
export function controllerRateLimiter<K>(clock: Clock, opts: ControllerRateLimitOptions = {}): RateLimiter<K> {
  const d = defaultControllerRateLimits;
  const o = { baseDelayMs: opts.baseDelayMs ?? d.baseDelayMs, maxDelayMs: opts.maxDelayMs ?? d.maxDelayMs, qps: opts.qps ?? d.qps, burst: opts.burst ?? d.burst };
  return new MaxOfRateLimiter<K>(new ItemExponentialRateLimiter<K>({ baseDelayMs: o.baseDelayMs, maxDelayMs: o.maxDelayMs }), new BucketRateLimiter<K>({ qps: o.qps, burst: o.burst }, clock));
}
