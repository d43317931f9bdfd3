// A token bucket like golang.org/x/time/rate's, behind client-go's client-side QPS limit:
// `burst` requests may go at once, then `qps` per second. Callers wait for their token in
// arrival order (each reserves the next free slot); nothing is ever dropped.

import { realClock, type Clock } from '../clock.js';

export interface TokenBucketOptions {
  /** Tokens added per second; <= 0 or Infinity means no limit. */
  qps: number;
  /** The bucket's size: how many requests may go back to back. At least 1. */
  burst: number;
  clock?: Clock;
  /** How to wait; tests pass one that advances a FakeClock. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly burst: number;

  constructor(private readonly opts: TokenBucketOptions) {
    this.clock = opts.clock ?? realClock;
    this.sleep = opts.sleep ?? realSleep;
    this.burst = Math.max(1, Math.floor(opts.burst));
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  get unlimited(): boolean {
    return !(this.opts.qps > 0) || this.opts.qps === Infinity;
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.opts.qps);
      this.last = now;
    }
  }

  /** Takes a token now if one is free. */
  tryAccept(): boolean {
    if (this.unlimited) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Reserves the next token and returns how many milliseconds until it may be used. */
  reserve(): number {
    if (this.unlimited) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.opts.qps) * 1000);
  }

  /** Resolves when the caller may go. */
  async wait(): Promise<void> {
    const ms = this.reserve();
    if (ms > 0) await this.sleep(ms);
  }
}
