import { expect } from 'chai';
import { firstFree, indexOf, parseClusterCidr, subnetAt } from './cidrs.js';

describe('node IPAM CIDR arithmetic', () => {
  const c = parseClusterCidr('10.244.0.0/16', 24);
  const cases: { name: string; cidr: string; want: number | undefined }[] = [
    { name: 'the first subnet', cidr: '10.244.0.0/24', want: 0 },
    { name: 'a middle subnet', cidr: '10.244.17.0/24', want: 17 },
    { name: 'the last subnet', cidr: '10.244.255.0/24', want: 255 },
    { name: 'outside the range', cidr: '10.88.0.0/24', want: undefined },
    { name: 'another mask size', cidr: '10.244.0.0/25', want: undefined },
    { name: 'not aligned', cidr: '10.244.0.128/24', want: undefined },
    { name: 'garbage', cidr: 'ten/24', want: undefined },
    { name: 'IPv6', cidr: 'fd00::/64', want: undefined },
  ];
  for (const tc of cases) it(`indexOf: ${tc.name}`, () => expect(indexOf(c, tc.cidr)).to.equal(tc.want));

  it('subnetAt and indexOf agree over the whole range', () => {
    expect(c.size).to.equal(256);
    for (let i = 0; i < c.size; i++) expect(indexOf(c, subnetAt(c, i))).to.equal(i);
    expect(subnetAt(c, 3)).to.equal('10.244.3.0/24');
  });
  it('a host address in the cluster CIDR is reduced to its network', () => {
    expect(subnetAt(parseClusterCidr('10.1.2.3/16', 20), 1)).to.equal('10.1.16.0/20');
  });
  it('firstFree takes the lowest hole and answers undefined when full', () => {
    const small = parseClusterCidr('10.0.0.0/30', 30);
    expect(firstFree(c, new Set([0, 1, 3]))).to.equal(2);
    expect(firstFree(small, new Set([0]))).to.equal(undefined);
  });
  const bad: { cidr: string; mask: number; message: string }[] = [
    { cidr: 'nope', mask: 24, message: 'is not a CIDR' },
    { cidr: 'fd00::/48', mask: 64, message: 'only IPv4' },
    { cidr: '10.0.0.0/16', mask: 8, message: 'must be between' },
    { cidr: '10.0.0.0/16', mask: 31, message: 'must be between' },
  ];
  for (const tc of bad) it(`refuses ${tc.cidr} with /${tc.mask}`, () => expect(() => parseClusterCidr(tc.cidr, tc.mask)).to.throw(tc.message));
});
