import { expect } from 'chai';
import { overlaps, parseCidr, parseIpv4, subnetClash } from './subnet.js';

describe('subnet', () => {
  const parseCases = [
    { in: '10.88.0.0/16', want: { base: parseIpv4('10.88.0.0'), prefix: 16 } },
    { in: '10.88.7.9/16', want: { base: parseIpv4('10.88.0.0'), prefix: 16 } },
    { in: '0.0.0.0/0', want: { base: 0, prefix: 0 } },
    { in: '10.0.0.1/32', want: { base: parseIpv4('10.0.0.1'), prefix: 32 } },
  ];
  for (const tc of parseCases) {
    it(`parses ${tc.in}`, () => expect(parseCidr(tc.in)).to.deep.equal(tc.want));
  }
  for (const bad of ['10.88.0.0', '10.88.0.0/33', '10.256.0.0/16', 'x/8', '10.0.0/8', '10.0.0.0/']) {
    it(`refuses ${bad}`, () => expect(parseCidr(bad)).to.equal(undefined));
  }

  const overlapCases = [
    { a: '10.88.0.0/16', b: '10.88.5.0/24', want: true },
    { a: '10.88.0.0/16', b: '10.89.0.0/16', want: false },
    { a: '10.0.0.0/8', b: '10.200.1.0/24', want: true },
    { a: '192.168.1.0/24', b: '192.168.2.0/24', want: false },
    { a: '0.0.0.0/0', b: '1.2.3.4/32', want: true },
  ];
  for (const tc of overlapCases) {
    it(`${tc.a} ${tc.want ? 'overlaps' : 'does not overlap'} ${tc.b}`, () => {
      expect(overlaps(parseCidr(tc.a)!, parseCidr(tc.b)!)).to.equal(tc.want);
      expect(overlaps(parseCidr(tc.b)!, parseCidr(tc.a)!)).to.equal(tc.want);
    });
  }

  it('finds a clash with the loopback network and none with an unused one', async () => {
    expect(await subnetClash('127.0.0.0/16', 'none')).to.match(/overlaps 127\.0\.0\.1\/8 on lo/);
    expect(await subnetClash('10.0.0.0/30', 'none')).to.match(/too small/);
    expect(await subnetClash('not-a-cidr', 'none')).to.match(/not an IPv4 CIDR/);
  });
});
