import { expect } from 'chai';
import { FakeClock } from '../clock.js';
import { BucketRateLimiter, controllerRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, type RateLimiter } from './rateLimiter.js';

interface Step {
  /** Advance the clock first. */
  advanceMs?: number;
  when?: string;
  forget?: string;
  /** Expected delay of `when`. */
  want?: number;
  requeues?: [string, number];
}

const cases: { name: string; make: (clock: FakeClock) => RateLimiter<string>; steps: Step[] }[] = [
  {
    name: 'per-item: 5 ms doubling per key, capped at 1000 s',
    make: () => new ItemExponentialRateLimiter<string>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    steps: [
      { when: 'a', want: 5 },
      { when: 'a', want: 10 },
      { when: 'b', want: 5 },
      { when: 'a', want: 20 },
      { requeues: ['a', 3] },
      { requeues: ['b', 1] },
      { forget: 'a' },
      { requeues: ['a', 0] },
      { when: 'a', want: 5 },
    ],
  },
  {
    name: 'per-item: the cap holds for a key failing forever',
    make: () => new ItemExponentialRateLimiter<string>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    steps: [...Array.from({ length: 18 }, () => ({ when: 'k' })), { when: 'k', want: 1_000_000 }, { when: 'k', want: 1_000_000 }],
  },
  {
    name: 'bucket: the burst is free, then one token every 1/qps',
    make: (clock) => new BucketRateLimiter<string>({ qps: 10, burst: 3 }, clock),
    steps: [
      { when: 'a', want: 0 },
      { when: 'b', want: 0 },
      { when: 'c', want: 0 },
      { when: 'd', want: 100 },
      { when: 'e', want: 200 },
      // 250 ms refill 2.5 tokens against a debt of 2: f takes the half and waits 50 ms
      { advanceMs: 250, when: 'f', want: 50 },
      { requeues: ['f', 0] },
    ],
  },
  {
    name: 'bucket: refills at most to the burst',
    make: (clock) => new BucketRateLimiter<string>({ qps: 10, burst: 2 }, clock),
    steps: [{ advanceMs: 60_000, when: 'a', want: 0 }, { when: 'b', want: 0 }, { when: 'c', want: 100 }],
  },
  {
    name: 'max-of: the longer of per-item and bucket',
    make: (clock) => new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000 }), new BucketRateLimiter({ qps: 1, burst: 2 }, clock)),
    steps: [
      { when: 'a', want: 5 },
      { when: 'a', want: 10 },
      { when: 'a', want: 1_000 }, // bucket empty: 1 s for the next token
      { requeues: ['a', 3] },
      { forget: 'a' },
      { requeues: ['a', 0] },
    ],
  },
  {
    name: 'controller default: 5 ms per key until 100 distinct retries in a burst, then 10/s',
    make: (clock) => controllerRateLimiter<string>(clock),
    steps: [...Array.from({ length: 99 }, (_, i) => ({ when: `k${i}`, want: 5 })), { when: 'k99', want: 5 }, { when: 'k100', want: 100 }, { when: 'k101', want: 200 }],
  },
  {
    name: 'controller limits are configurable',
    make: (clock) => controllerRateLimiter<string>(clock, { baseDelayMs: 50, maxDelayMs: 200, qps: 1, burst: 1 }),
    steps: [{ when: 'a', want: 50 }, { when: 'a', want: 1_000 }, { advanceMs: 10_000, when: 'a', want: 200 }],
  },
];

describe('rate limiters', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const clock = new FakeClock(0);
      const l = tc.make(clock);
      tc.steps.forEach((s, i) => {
        if (s.advanceMs) clock.advance(s.advanceMs);
        if (s.forget) l.forget(s.forget);
        if (s.when) {
          const got = l.when(s.when);
          if (s.want !== undefined) expect(got, `step ${i}: when(${s.when})`).to.be.closeTo(s.want, 1e-9);
        }
        if (s.requeues) expect(l.numRequeues(s.requeues[0]), `step ${i}: numRequeues(${s.requeues[0]})`).to.equal(s.requeues[1]);
      });
    });
  }

  it('refuses a bucket without rate or burst', () => {
    const clock = new FakeClock(0);
    expect(() => new BucketRateLimiter({ qps: 0, burst: 1 }, clock)).to.throw(RangeError);
    expect(() => new BucketRateLimiter({ qps: 1, burst: 0 }, clock)).to.throw(RangeError);
  });
});
