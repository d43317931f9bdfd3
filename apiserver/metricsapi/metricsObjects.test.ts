import { expect } from 'chai';
import { cpuQuantity, goDuration, memoryQuantity } from './metricsObjects.js';

describe('metrics objects: wire formats', () => {
  const durations: [number, string][] = [
    [0, '0s'],
    [10, '10s'],
    [10.0125, '10.013s'],
    [0.5, '0.5s'],
    [60, '1m0s'],
    [75.25, '1m15.25s'],
    [3600, '1h0m0s'],
  ];
  for (const [s, want] of durations) it(`window ${s} s is ${want} (Go's time.Duration)`, () => expect(goDuration(s)).to.equal(want));

  const quantities: { name: string; got: string; want: string }[] = [
    { name: 'cpu in nanocores', got: cpuQuantity(123_456_789), want: '123456789n' },
    { name: 'idle cpu', got: cpuQuantity(0), want: '0n' },
    { name: 'memory in Ki when whole', got: memoryQuantity(8 * 1024 * 1024), want: '8192Ki' },
    { name: 'memory in bytes otherwise', got: memoryQuantity(1000), want: '1000' },
  ];
  for (const tc of quantities) it(tc.name, () => expect(tc.got).to.equal(tc.want));
});
