import { expect } from 'chai';
import { statSync } from 'node:fs';
import { hostDevices, splitDevice } from './hostDevices.js';

describe('host devices', () => {
  const cases = [
    { name: '/dev/null (1:3)', rdev: 0x103n, want: { major: 1, minor: 3 } },
    { name: 'a minor above 255 (loop 7:300)', rdev: (7n << 8n) | (300n & 0xffn) | ((300n & ~0xffn) << 12n), want: { major: 7, minor: 300 } },
    { name: 'a major above 4095 (5000:1)', rdev: ((5000n & 0xfffn) << 8n) | ((5000n & ~0xfffn) << 32n) | 1n, want: { major: 5000, minor: 1 } },
  ];
  for (const tc of cases) {
    it(`splits dev_t: ${tc.name}`, () => {
      expect(splitDevice(tc.rdev)).to.deep.equal(tc.want);
    });
  }

  it("lists the host's /dev: numbers, mode and owner; without pts, shm, fd links or the console", () => {
    const devs = hostDevices();
    const nul = devs.find((d) => d.path === '/dev/null');
    const st = statSync('/dev/null');
    expect(nul).to.deep.equal({ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    expect(devs.filter((d) => /^\/dev\/(pts|shm|fd|mqueue)\//.test(d.path) || d.path === '/dev/console')).to.deep.equal([]);
    expect(devs.every((d) => d.type === 'c' || d.type === 'b')).to.equal(true);
    expect(devs.map((d) => d.path)).to.deep.equal(devs.map((d) => d.path).sort((a, b) => a.localeCompare(b)));
  });
});
