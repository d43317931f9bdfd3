import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { Backoff } from './backoff.js';

describe('Backoff (CrashLoopBackOff windows)', () => {
  it('lets the first restart go at once, then doubles the window up to the maximum', () => {
    const clock = new FakeClock();
    const b = new Backoff(10_000, 40_000, clock);
    expect(b.retryAt('p/c', clock.now())).to.equal(undefined);
    const windows: number[] = [];
    for (let i = 0; i < 4; i++) {
      b.started('p/c');
      windows.push(b.delayOf('p/c'));
      clock.advance(100); // crashes right away
      const at = b.retryAt('p/c', clock.now());
      expect(at, `restart ${i + 1}`).to.be.a('number');
      clock.advance(at! - clock.now());
      expect(b.retryAt('p/c', clock.now() - 1)).to.equal(undefined);
    }
    expect(windows).to.deep.equal([10_000, 20_000, 40_000, 40_000]);
  });

  it('starts over for a container that ran longer than twice the maximum', () => {
    const clock = new FakeClock();
    const b = new Backoff(10_000, 40_000, clock);
    b.started('k');
    b.started('k');
    clock.advance(90_000);
    expect(b.retryAt('k', clock.now())).to.equal(undefined);
    b.started('k');
    expect(b.delayOf('k')).to.equal(10_000);
  });

  it('forgets keys by prefix', () => {
    const clock = new FakeClock();
    const b = new Backoff(10_000, 40_000, clock);
    b.started('uid1/a');
    b.started('uid2/a');
    b.forget('uid1/');
    expect(b.delayOf('uid1/a')).to.equal(0);
    expect(b.delayOf('uid2/a')).to.equal(10_000);
  });
});
