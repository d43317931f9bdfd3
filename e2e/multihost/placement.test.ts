import { expect } from 'chai';
import { countsPerHost, skew } from './placement.js';

describe('e2e/multihost placement arithmetic', () => {
  const hosts = ['host-1', 'host-2', 'host-3'];
  const cases = [
    { name: 'one replica per host', pods: ['host-1', 'host-2', 'host-3'], want: 0 },
    { name: 'ten replicas 3/3/4', pods: [...Array(3).fill('host-1'), ...Array(3).fill('host-2'), ...Array(4).fill('host-3')], want: 1 },
    { name: 'a host without any counts as 0', pods: ['host-1', 'host-1', 'host-2'], want: 2 },
    { name: 'all on one host', pods: Array(3).fill('host-2'), want: 3 },
    { name: 'no pods', pods: [], want: 0 },
  ];
  for (const tc of cases) it(`skew: ${tc.name}`, () => expect(skew(tc.pods, hosts)).to.equal(tc.want));

  it('counts every host, and refuses a pod on an unknown one', () => {
    expect([...countsPerHost(['host-3'], hosts)]).to.deep.equal([['host-1', 0], ['host-2', 0], ['host-3', 1]]);
    expect(() => countsPerHost(['host-9'], hosts)).to.throw(/host-9/);
  });
});
