import { expect } from 'chai';
import { NodePortRange, RangeConfigError, ServiceIPRange } from './ranges.js';

describe('service ranges', () => {
  describe('ServiceIPRange.parse', () => {
    const cases: { name: string; cidr: string; text?: string; size?: number; lowerBand?: number; first?: string; last?: string; error?: RegExp }[] = [
      { name: "kubeadm's default", cidr: '10.96.0.0/12', text: '10.96.0.0/12', size: 2 ** 20 - 2, lowerBand: 256, first: '10.96.0.1', last: '10.111.255.254' },
      { name: 'a /24: the lower band is at least 16', cidr: '192.168.10.0/24', size: 254, lowerBand: 16, first: '192.168.10.1', last: '192.168.10.254' },
      { name: 'a /20: size/16', cidr: '10.0.0.0/20', size: 4094, lowerBand: 255 },
      { name: 'a /28 is too small to split', cidr: '10.0.0.0/28', size: 14, lowerBand: 0 },
      { name: 'host bits are masked off', cidr: '10.96.3.7/12', text: '10.96.0.0/12' },
      { name: 'wider than a /12', cidr: '10.0.0.0/8', error: /too large; for 32-bit addresses, the mask must be >= 12/ },
      { name: 'IPv6', cidr: 'fd00::/108', error: /only IPv4/ },
      { name: 'not a CIDR', cidr: '10.96.0.0', error: /is not a CIDR/ },
      { name: 'a /31', cidr: '10.0.0.0/31', error: /too small/ },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        if (tc.error) {
          expect(() => ServiceIPRange.parse(tc.cidr)).to.throw(RangeConfigError, tc.error);
          return;
        }
        const r = ServiceIPRange.parse(tc.cidr);
        if (tc.text) expect(r.text).to.equal(tc.text);
        if (tc.size !== undefined) expect(r.size).to.equal(tc.size);
        if (tc.lowerBand !== undefined) expect(r.lowerBand).to.equal(tc.lowerBand);
        if (tc.first) expect(r.at(0)).to.equal(tc.first);
        if (tc.last) expect(r.at(r.size - 1)).to.equal(tc.last);
      });
    }

    const slots: { ip: string; slot: number | undefined }[] = [
      { ip: '10.96.0.1', slot: 0 },
      { ip: '10.96.0.10', slot: 9 },
      { ip: '10.96.1.0', slot: 255 },
      { ip: '10.96.0.0', slot: undefined },
      { ip: '10.111.255.255', slot: undefined },
      { ip: '10.112.0.1', slot: undefined },
      { ip: '010.96.0.1', slot: undefined },
      { ip: 'fd00::1', slot: undefined },
      { ip: 'nonsense', slot: undefined },
    ];
    for (const tc of slots) {
      it(`slot of ${tc.ip} in 10.96.0.0/12 is ${String(tc.slot)}`, () => {
        const r = ServiceIPRange.parse('10.96.0.0/12');
        expect(r.slotOf(tc.ip)).to.equal(tc.slot);
        if (tc.slot !== undefined) expect(r.at(tc.slot)).to.equal(tc.ip);
      });
    }
  });

  describe('NodePortRange.parse', () => {
    const cases: { name: string; text: string; base?: number; last?: number; lowerBand?: number; error?: RegExp }[] = [
      { name: 'the default', text: '30000-32767', base: 30000, last: 32767, lowerBand: 86 },
      { name: "Kubernetes' base+size form", text: '30000+2767', base: 30000, last: 32767 },
      { name: 'a tiny range has no lower band', text: '30000-30009', lowerBand: 0 },
      { name: 'a large range caps the lower band at 128', text: '20000-32767', lowerBand: 128 },
      { name: 'reversed', text: '32767-30000', error: /end at or after its start/ },
      { name: 'beyond 65535', text: '60000-70000', error: /within 1-65535/ },
      { name: 'garbage', text: '30000', error: /not of the form/ },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        if (tc.error) {
          expect(() => NodePortRange.parse(tc.text)).to.throw(RangeConfigError, tc.error);
          return;
        }
        const r = NodePortRange.parse(tc.text);
        if (tc.base !== undefined) expect([r.base, r.last, r.text]).to.deep.equal([tc.base, tc.last, `${tc.base}-${tc.last}`]);
        if (tc.lowerBand !== undefined) expect(r.lowerBand).to.equal(tc.lowerBand);
        expect(r.slotOf(String(r.base))).to.equal(0);
        expect(r.slotOf(String(r.last + 1))).to.equal(undefined);
      });
    }
  });
});
