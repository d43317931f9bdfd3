import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import { PodWorkers, type SyncOutcome } from './podWorkers.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('PodWorkers', () => {
  it('never overlaps syncs of one pod and folds requests made during a sync into one more', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const w = new PodWorkers(async () => {
      running++;
      calls++;
      maxRunning = Math.max(maxRunning, running);
      await tick(20);
      running--;
      return {};
    }, silentLogger());
    w.enqueue('a');
    for (let i = 0; i < 5; i++) w.enqueue('a');
    await tick(5);
    await w.idle();
    expect(maxRunning).to.equal(1);
    expect(calls).to.equal(2);
  });

  it('syncs different pods concurrently', async () => {
    let running = 0;
    let maxRunning = 0;
    const w = new PodWorkers(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(20);
      running--;
      return {};
    }, silentLogger());
    for (const uid of ['a', 'b', 'c']) w.enqueue(uid);
    await tick(5);
    await w.idle();
    expect(maxRunning).to.equal(3);
  });

  const outcomes: { name: string; first: SyncOutcome | Error; wantCalls: number; waitMs: number }[] = [
    { name: 'a requested requeue runs again after the delay', first: { requeueAfterMs: 30 }, wantCalls: 2, waitMs: 80 },
    { name: 'a failed sync is retried', first: new Error('boom'), wantCalls: 2, waitMs: 700 },
    { name: 'a done pod is forgotten and not run again', first: { done: true }, wantCalls: 1, waitMs: 50 },
  ];
  for (const tc of outcomes) {
    it(tc.name, async () => {
      let calls = 0;
      const w = new PodWorkers(async () => {
        calls++;
        if (calls === 1) {
          if (tc.first instanceof Error) throw tc.first;
          return tc.first;
        }
        return {};
      }, silentLogger());
      w.enqueue('a');
      await tick(tc.waitMs);
      await w.idle();
      expect(calls).to.equal(tc.wantCalls);
      await w.stop();
    });
  }

  it('keeps the earliest of two delayed requests', async () => {
    let calls = 0;
    const w = new PodWorkers(async () => {
      calls++;
      return {};
    }, silentLogger());
    w.enqueue('a', 1000);
    w.enqueue('a', 20);
    await tick(60);
    expect(calls).to.equal(1);
    await w.stop();
  });

  it('retries a failing pod after 0.5 s, doubling to 30 s, on the injected clock; a success starts over', async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    let failUntil = 9;
    const w = new PodWorkers(
      async () => {
        at.push(clock.now());
        if (at.length <= failUntil) throw new Error('runtime down');
        return {};
      },
      silentLogger(),
      clock,
    );
    w.enqueue('a');
    await clock.advanceAsync(200_000);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps).to.deep.equal([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    // After the success, the next failure waits the initial delay again.
    failUntil = at.length + 1;
    w.enqueue('a');
    await clock.advanceAsync(1_000);
    expect(at.slice(-2).map((t) => t - clock.now() + 1_000)).to.deep.equal([0, 500]);
    await w.stop();
    expect(clock.pendingTimers()).to.equal(0);
  });
});
