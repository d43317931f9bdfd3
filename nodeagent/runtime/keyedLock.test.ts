import { expect } from 'chai';
import { KeyedLock } from './keyedLock.js';

describe('KeyedLock', () => {
  it('runs operations on one key one at a time, in order, and other keys in parallel', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const op = (key: string, name: string, ms: number) =>
      lock.with(key, async () => {
        events.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        events.push(`end ${name}`);
      });
    await Promise.all([op('a', 'a1', 30), op('a', 'a2', 1), op('b', 'b1', 1)]);
    expect(events.indexOf('end a1')).to.be.below(events.indexOf('start a2'));
    expect(events.indexOf('end b1')).to.be.below(events.indexOf('end a1'));
  });
  it('releases the key when an operation throws', async () => {
    const lock = new KeyedLock();
    await lock.with('k', async () => Promise.reject(new Error('x'))).catch(() => undefined);
    expect(await lock.with('k', async () => 5)).to.equal(5);
  });
});
