import { expect } from 'chai';
import { TerminalError } from '../../common/controller/types.js';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from './fenceposts.js';
import { deployment } from './fixtures.js';

describe('deployment fenceposts (maxSurge / maxUnavailable)', () => {
  const scaled: { value: number | string | undefined; total: number; up: boolean; want: number }[] = [
    { value: 2, total: 10, up: true, want: 2 },
    { value: 2, total: 10, up: false, want: 2 },
    { value: '25%', total: 10, up: true, want: 3 },
    { value: '25%', total: 10, up: false, want: 2 },
    { value: '25%', total: 4, up: true, want: 1 },
    { value: '25%', total: 4, up: false, want: 1 },
    { value: '25%', total: 3, up: true, want: 1 },
    { value: '25%', total: 3, up: false, want: 0 },
    { value: '0%', total: 7, up: true, want: 0 },
    { value: '100%', total: 7, up: false, want: 7 },
    { value: '150%', total: 2, up: true, want: 3 },
    { value: undefined, total: 5, up: true, want: 0 },
  ];
  for (const tc of scaled) {
    it(`${JSON.stringify(tc.value)} of ${tc.total} rounded ${tc.up ? 'up' : 'down'} is ${tc.want}`, () => {
      expect(scaledValue(tc.value, tc.total, tc.up)).to.equal(tc.want);
    });
  }

  for (const bad of ['5', 'abc', '-1%', '10.5%', -1, 1.5]) {
    it(`refuses ${JSON.stringify(bad)} with a TerminalError`, () => {
      expect(() => scaledValue(bad, 10, true)).to.throw(TerminalError);
    });
  }

  const resolved: { surge: number | string; unavailable: number | string; desired: number; want: [number, number] }[] = [
    { surge: '25%', unavailable: '25%', desired: 10, want: [3, 2] },
    { surge: 0, unavailable: 0, desired: 10, want: [0, 1] },
    { surge: '0%', unavailable: '0%', desired: 3, want: [0, 1] },
    { surge: '25%', unavailable: '25%', desired: 1, want: [1, 0] },
    { surge: 1, unavailable: '30%', desired: 5, want: [1, 1] },
  ];
  for (const tc of resolved) {
    it(`fenceposts ${tc.surge}/${tc.unavailable} of ${tc.desired} are ${tc.want.join('/')}`, () => {
      const r = resolveFenceposts(tc.surge, tc.unavailable, tc.desired);
      expect([r.maxSurge, r.maxUnavailable]).to.deep.equal(tc.want);
    });
  }

  it('maxUnavailable is capped by replicas and is 0 for 0 replicas; Recreate has neither', () => {
    expect(maxUnavailable(deployment({ replicas: 2, maxUnavailable: 5 }))).to.equal(2);
    expect(maxUnavailable(deployment({ replicas: 0, maxUnavailable: 5 }))).to.equal(0);
    expect(maxSurge(deployment({ replicas: 4, recreate: true }))).to.equal(0);
    expect(maxUnavailable(deployment({ replicas: 4, recreate: true }))).to.equal(0);
  });
});
