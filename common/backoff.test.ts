import { expect } from 'chai';
import { Backoff, backoffDelay, KeyedBackoff, RestartBackoff, retry } from './backoff.js';
import { FakeClock } from './clock.js';

describe('backoffDelay', () => {
  const cases: { name: string; policy: Parameters<typeof backoffDelay>[0]; failures: number[]; want: number[] }[] = [
    { name: 'doubles from the initial delay', policy: { initialMs: 5, maxMs: 1_000_000 }, failures: [0, 1, 2, 3], want: [5, 10, 20, 40] },
    { name: 'stops at the cap', policy: { initialMs: 5, maxMs: 1_000_000 }, failures: [17, 18, 19, 1_000, 1e9], want: [655_360, 1_000_000, 1_000_000, 1_000_000, 1_000_000] },
    { name: 'grows by another factor', policy: { initialMs: 100, maxMs: 10_000, factor: 3 }, failures: [0, 1, 2, 5], want: [100, 300, 900, 10_000] },
    { name: 'adds jitter after the cap', policy: { initialMs: 100, maxMs: 400, jitter: 0.5, random: () => 0.5 }, failures: [0, 5], want: [125, 500] },
    { name: 'factor 1 is constant', policy: { initialMs: 2_000, maxMs: 2_000, factor: 1 }, failures: [0, 9], want: [2_000, 2_000] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(tc.failures.map((f) => backoffDelay(tc.policy, f))).to.deep.equal(tc.want);
    });
  }

  const bad: { name: string; policy: Parameters<typeof backoffDelay>[0] }[] = [
    { name: 'max below initial', policy: { initialMs: 10, maxMs: 5 } },
    { name: 'negative initial', policy: { initialMs: -1, maxMs: 5 } },
    { name: 'shrinking factor', policy: { initialMs: 1, maxMs: 5, factor: 0.5 } },
    { name: 'negative jitter', policy: { initialMs: 1, maxMs: 5, jitter: -1 } },
    { name: 'NaN', policy: { initialMs: NaN, maxMs: 5 } },
  ];
  for (const tc of bad) {
    it(`refuses a policy with ${tc.name}`, () => {
      expect(() => new Backoff(tc.policy)).to.throw(RangeError);
      expect(() => new KeyedBackoff(tc.policy)).to.throw(RangeError);
    });
  }
});

describe('Backoff', () => {
  it('grows with each failure and starts over after reset', () => {
    const b = new Backoff({ initialMs: 200, maxMs: 1_000 });
    expect(b.peek()).to.equal(200);
    expect([b.next(), b.next(), b.next(), b.next()]).to.deep.equal([200, 400, 800, 1_000]);
    expect(b.attempts).to.equal(4);
    b.reset();
    expect(b.attempts).to.equal(0);
    expect(b.next()).to.equal(200);
  });

  it('wait() sleeps the next delay on the injected clock', async () => {
    const clock = new FakeClock(0);
    const b = new Backoff({ initialMs: 100, maxMs: 1_000 });
    let done = false;
    const p = b.wait(clock).then(() => (done = true));
    await clock.advanceAsync(99);
    expect(done).to.equal(false);
    await clock.advanceAsync(1);
    await p;
    expect(done).to.equal(true);
  });
});

describe('KeyedBackoff', () => {
  it('counts each key on its own and forgets one without the others', () => {
    const b = new KeyedBackoff<string>({ initialMs: 5, maxMs: 1_000_000 });
    expect([b.next('a'), b.next('a'), b.next('b'), b.next('a')]).to.deep.equal([5, 10, 5, 20]);
    expect(b.attempts('a')).to.equal(3);
    expect(b.attempts('b')).to.equal(1);
    b.forget('a');
    expect(b.attempts('a')).to.equal(0);
    expect(b.next('a')).to.equal(5);
    expect(b.attempts('b')).to.equal(1);
    b.forget('a');
    b.forget('b');
    expect(b.size()).to.equal(0);
  });
});

describe('retry', () => {
  it('retries with growing delays on the clock until the call succeeds', async () => {
    const clock = new FakeClock(0);
    const calls: number[] = [];
    const delays: number[] = [];
    const p = retry(
      async (attempt) => {
        calls.push(clock.now());
        if (attempt < 4) throw new Error(`fail ${attempt}`);
        return 'ok';
      },
      { clock, policy: { initialMs: 100, maxMs: 250 }, onRetry: (_e, d) => delays.push(d) },
    );
    await clock.advanceAsync(10_000);
    expect(await p).to.equal('ok');
    expect(delays).to.deep.equal([100, 200, 250]);
    expect(calls).to.deep.equal([0, 100, 300, 550]);
  });

  it('throws at once what is not retryable, and the last error after maxAttempts', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    const notRetryable = retry(
      async () => {
        n++;
        throw new TypeError('bad input');
      },
      { clock, policy: { initialMs: 1, maxMs: 1 }, retryable: (e) => !(e instanceof TypeError) },
    );
    expect(await notRetryable.catch((e: unknown) => e)).to.be.instanceOf(TypeError);
    expect(n).to.equal(1);

    n = 0;
    const bounded = retry(
      async () => {
        throw new Error(`attempt ${++n}`);
      },
      { clock, policy: { initialMs: 1, maxMs: 1 }, maxAttempts: 3 },
    );
    const settled = bounded.catch((e: Error) => e);
    await clock.advanceAsync(10);
    expect(((await settled) as Error).message).to.equal('attempt 3');
  });

  it('stops waiting when its signal aborts', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const p = retry(
      async () => {
        throw new Error('down');
      },
      { clock, policy: { initialMs: 60_000, maxMs: 60_000 }, signal: ac.signal },
    ).catch((e: Error) => e.message);
    await clock.advanceAsync(1);
    ac.abort();
    expect(await p).to.equal('down');
    expect(clock.pendingTimers()).to.equal(0);
  });
});

describe('RestartBackoff (CrashLoopBackOff windows)', () => {
  it('lets the first restart go at once, then doubles the window up to the maximum', () => {
    const clock = new FakeClock();
    const b = new RestartBackoff({ initialMs: 10_000, maxMs: 40_000 }, clock);
    expect(b.retryAt('p/c', clock.now())).to.equal(undefined);
    const windows: number[] = [];
    for (let i = 0; i < 4; i++) {
      b.started('p/c');
      windows.push(b.delayOf('p/c'));
      clock.advance(100); // crashes right away
      const at = b.retryAt('p/c', clock.now());
      expect(at, `restart ${i + 1}`).to.equal(clock.now() - 100 + windows[i]!);
      clock.advance(at! - clock.now());
      expect(b.retryAt('p/c', clock.now() - 1)).to.equal(undefined);
    }
    expect(windows).to.deep.equal([10_000, 20_000, 40_000, 40_000]);
  });

  const resets: { name: string; resetAfterMs?: number; ranMs: number; wantReset: boolean }[] = [
    { name: 'starts over after running longer than twice the maximum', ranMs: 80_001, wantReset: true },
    { name: 'keeps growing after running exactly twice the maximum', ranMs: 80_000, wantReset: false },
    { name: 'starts over after a configured run time', resetAfterMs: 60_000, ranMs: 60_001, wantReset: true },
    { name: 'keeps growing below the configured run time', resetAfterMs: 60_000, ranMs: 59_000, wantReset: false },
  ];
  for (const tc of resets) {
    it(tc.name, () => {
      const clock = new FakeClock();
      const b = new RestartBackoff({ initialMs: 10_000, maxMs: 40_000, resetAfterMs: tc.resetAfterMs }, clock);
      b.started('k');
      b.started('k');
      clock.advance(tc.ranMs);
      expect(b.retryAt('k', clock.now())).to.equal(undefined);
      b.started('k');
      expect(b.delayOf('k')).to.equal(tc.wantReset ? 10_000 : 40_000);
    });
  }

  it('forgets one key exactly, or all keys a predicate accepts', () => {
    const clock = new FakeClock();
    const b = new RestartBackoff({ initialMs: 10_000, maxMs: 40_000 }, clock);
    for (const k of ['uid1/a', 'uid1/ab', 'uid2/a']) b.started(k);
    b.forget('uid1/a');
    expect([b.delayOf('uid1/a'), b.delayOf('uid1/ab')]).to.deep.equal([0, 10_000]);
    b.forgetWhere((k) => k.startsWith('uid1/'));
    expect([b.delayOf('uid1/ab'), b.delayOf('uid2/a'), b.size()]).to.deep.equal([0, 10_000, 1]);
  });
});
