// PeriodicPass on a fake clock: a pass now, the next one an interval after the last ended
// (never overlapping a slow one), none after stop(), which waits for the pass in flight.

import { expect } from 'chai';
import { FakeClock } from './clock.js';
import { PeriodicPass } from './periodic.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('PeriodicPass', () => {
  it('runs now, then an interval after each pass ends, and survives a failing pass', async () => {
    const clock = new FakeClock();
    const starts: number[] = [];
    const p = new PeriodicPass(clock, 1_000, () => {
      starts.push(clock.now());
      return starts.length === 2 ? Promise.reject(new Error('boom')) : Promise.resolve();
    });
    const t0 = clock.now();
    p.start();
    await flush();
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(starts.map((t) => t - t0)).to.deep.equal([0, 1_000, 2_000, 3_000]);
    await p.stop();
  });

  it('times the next pass from the end of a slow one, and stop() waits for the pass in flight', async () => {
    const clock = new FakeClock();
    let finish!: () => void;
    let passes = 0;
    const p = new PeriodicPass(clock, 1_000, () => {
      passes++;
      return new Promise<void>((r) => (finish = r));
    });
    p.start();
    clock.advance(5_000);
    await flush();
    expect(passes, 'no second pass while the first runs').to.equal(1);
    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await flush();
    expect(stopped, 'stop waits for the pass').to.equal(false);
    finish();
    await stopping;
    clock.advance(10_000);
    await flush();
    expect(passes, 'none after stop').to.equal(1);
  });
});
