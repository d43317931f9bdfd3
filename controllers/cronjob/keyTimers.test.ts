import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { KeyTimers, maxTimerMs } from './keyTimers.js';

describe('KeyTimers', () => {
  it('one timer per key: setting again replaces it, undefined cancels it', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    const t = new KeyTimers<string>(clock, (k) => fired.push(`${k}@${clock.now()}`));
    t.set('a', 'a', 1_000);
    t.set('a', 'a', 500);
    t.set('b', 'b', 2_000);
    t.set('c', 'c', 100);
    t.set('c', 'c', undefined);
    expect(t.size()).to.equal(2);
    clock.advance(3_000);
    expect(fired).to.deep.equal(['a@500', 'b@2000']);
    expect(t.size()).to.equal(0);
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('a delay past what setTimeout holds is capped (a yearly schedule must not fire at once)', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const t = new KeyTimers<string>(clock, () => fired.push(clock.now()));
    t.set('y', 'y', 365 * 24 * 3_600_000);
    expect(clock.nextTimerAt()).to.equal(maxTimerMs);
    clock.advance(maxTimerMs);
    expect(fired).to.deep.equal([maxTimerMs]);
  });
});
