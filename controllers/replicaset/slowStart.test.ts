import { expect } from 'chai';
import { slowStartBatch } from './slowStart.js';

describe('slowStartBatch', () => {
  const cases: { name: string; count: number; initial: number; failAt?: number[]; batches: number[]; successes: number; skipped: number }[] = [
    { name: 'doubles the batch until done', count: 10, initial: 1, batches: [1, 2, 4, 3], successes: 10, skipped: 0 },
    { name: 'nothing to do makes no calls', count: 0, initial: 1, batches: [], successes: 0, skipped: 0 },
    { name: 'stops after the first failing batch', count: 10, initial: 1, failAt: [0], batches: [1], successes: 0, skipped: 9 },
    { name: 'a failure in the third batch keeps the batch successes', count: 20, initial: 1, failAt: [4], batches: [1, 2, 4], successes: 6, skipped: 13 },
    { name: 'starts at the initial size', count: 5, initial: 4, batches: [4, 1], successes: 5, skipped: 0 },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const batches: number[] = [];
      let inFlight = 0;
      let current = 0;
      const r = await slowStartBatch(tc.count, tc.initial, async (i) => {
        if (inFlight === 0) batches.push(0);
        inFlight++;
        batches[batches.length - 1]!++;
        current = Math.max(current, inFlight);
        await new Promise((res) => setImmediate(res));
        inFlight--;
        if (tc.failAt?.includes(i)) throw new Error(`create ${i} refused`);
      });
      expect(batches).to.deep.equal(tc.batches);
      expect(r.successes).to.equal(tc.successes);
      expect(r.skipped).to.equal(tc.skipped);
      expect(r.errors.length).to.equal(tc.failAt ? 1 : 0);
    });
  }
});
