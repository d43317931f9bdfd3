import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { SliceExpectations } from './staleness.js';
import type { EndpointSlice } from './types.js';

const slice = (name: string, generation: number): EndpointSlice => ({ metadata: { name, namespace: 'default', generation }, addressType: 'IPv4' });

describe('SliceExpectations', () => {
  const cases: { name: string; write: (e: SliceExpectations) => void; cache: Record<string, EndpointSlice>; satisfied: boolean }[] = [
    { name: 'nothing written', write: () => undefined, cache: {}, satisfied: true },
    { name: 'a created slice not yet seen', write: (e) => e.written('default/web', slice('web-a', 1)), cache: {}, satisfied: false },
    { name: 'a created slice seen', write: (e) => e.written('default/web', slice('web-a', 1)), cache: { 'web-a': slice('web-a', 1) }, satisfied: true },
    { name: 'an update seen at an older generation', write: (e) => e.written('default/web', slice('web-a', 3)), cache: { 'web-a': slice('web-a', 2) }, satisfied: false },
    { name: 'a deleted slice still cached', write: (e) => e.deleted('default/web', 'web-a'), cache: { 'web-a': slice('web-a', 2) }, satisfied: false },
    { name: 'a deleted slice gone', write: (e) => e.deleted('default/web', 'web-a'), cache: {}, satisfied: true },
    { name: 'another service\'s writes do not matter', write: (e) => e.written('default/other', slice('other-a', 1)), cache: {}, satisfied: true },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const e = new SliceExpectations(new FakeClock());
      tc.write(e);
      expect(e.satisfied('default/web', (n) => tc.cache[n])).to.equal(tc.satisfied);
    });
  }

  it('expires, so a slice someone else removed cannot block the service', () => {
    const clock = new FakeClock();
    const e = new SliceExpectations(clock, 30_000);
    e.written('default/web', slice('web-a', 1));
    expect(e.satisfied('default/web', () => undefined)).to.equal(false);
    clock.advance(31_000);
    expect(e.satisfied('default/web', () => undefined)).to.equal(true);
  });
});
