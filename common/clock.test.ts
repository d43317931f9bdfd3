import { expect } from 'chai';
import { FakeClock, realClock, sleep } from './clock.js';

describe('FakeClock timers', () => {
  it('fires due timers in due order during advance, with now() at each due time', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimer(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimer(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimer(() => seen.push(`c@${clock.now()}`), 30);
    clock.advance(25);
    expect(seen).to.deep.equal(['a@10', 'b@20']);
    expect(clock.now()).to.equal(25);
    expect(clock.pendingTimers()).to.equal(1);
    expect(clock.nextTimerAt()).to.equal(30);
  });

  it('fires timers with the same due time in the order they were set', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) clock.setTimer(() => seen.push(i), 7);
    clock.advance(7);
    expect(seen).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('fires timers that a callback sets when they fall due within the same advance', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    clock.setTimer(() => {
      seen.push(clock.now());
      clock.setTimer(() => seen.push(clock.now()), 5);
    }, 5);
    clock.advance(12);
    expect(seen).to.deep.equal([5, 10]);
  });

  it('never fires a cancelled timer, nor a zero-delay timer synchronously', () => {
    const clock = new FakeClock(0);
    let fired = 0;
    const t = clock.setTimer(() => fired++, 5);
    clock.setTimer(() => fired++, 0);
    expect(fired).to.equal(0);
    t.cancel();
    t.cancel();
    clock.advance(10);
    expect(fired).to.equal(1);
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('advanceAsync lets a sleeping loop wake and sleep again', async () => {
    const clock = new FakeClock(0);
    const wakes: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(clock, 100);
        wakes.push(clock.now());
      }
    })();
    await clock.advanceAsync(1_000);
    await loop;
    expect(wakes).to.deep.equal([100, 200, 300]);
  });

  it('sleep resolves early when its signal aborts, leaving no timer behind', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const p = sleep(clock, 60_000, ac.signal);
    expect(clock.pendingTimers()).to.equal(1);
    ac.abort();
    await p;
    expect(clock.pendingTimers()).to.equal(0);
    await sleep(clock, 60_000, ac.signal); // already aborted: at once
  });

  it('the real clock schedules on real time', async () => {
    const start = Date.now();
    await sleep(realClock, 20);
    expect(Date.now() - start).to.be.at.least(15);
    let fired = false;
    realClock.setTimer(() => (fired = true), 5).cancel();
    await sleep(realClock, 20);
    expect(fired).to.equal(false);
  });
});
