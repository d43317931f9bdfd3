import { expect } from 'chai';
import { FakeClock } from '../clock.js';
import { TokenBucket } from './tokenBucket.js';

describe('TokenBucket', () => {
  const cases: { name: string; qps: number; burst: number; calls: number; waits: number[] }[] = [
    { name: 'a burst goes at once, then one per 1/qps', qps: 10, burst: 3, calls: 6, waits: [0, 0, 0, 100, 200, 300] },
    { name: 'burst 1 spaces every request', qps: 4, burst: 1, calls: 3, waits: [0, 250, 500] },
    { name: 'qps 0 means no limit', qps: 0, burst: 1, calls: 4, waits: [0, 0, 0, 0] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const b = new TokenBucket({ qps: tc.qps, burst: tc.burst, clock: new FakeClock() });
      expect(Array.from({ length: tc.calls }, () => b.reserve())).to.deep.equal(tc.waits);
    });
  }

  it('refills with time, never above the burst', () => {
    const clock = new FakeClock();
    const b = new TokenBucket({ qps: 10, burst: 2, clock });
    expect([b.tryAccept(), b.tryAccept(), b.tryAccept()]).to.deep.equal([true, true, false]);
    clock.advance(100);
    expect([b.tryAccept(), b.tryAccept()]).to.deep.equal([true, false]);
    clock.advance(60_000);
    expect([b.tryAccept(), b.tryAccept(), b.tryAccept()]).to.deep.equal([true, true, false]);
  });

  it('wait() sleeps for the reserved slot', async () => {
    const clock = new FakeClock();
    const slept: number[] = [];
    const b = new TokenBucket({ qps: 2, burst: 1, clock, sleep: async (ms) => void slept.push(ms) });
    await b.wait();
    await b.wait();
    await b.wait();
    expect(slept).to.deep.equal([500, 1000]);
  });
});
