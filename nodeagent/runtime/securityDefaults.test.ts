import { expect } from 'chai';
import { currentBoundingSet, normalizeCapability } from './securityDefaults.js';

describe('securityDefaults', () => {
  it('reads the bounding set from /proc/self/status', () => {
    // CAP_CHOWN (0), CAP_KILL (5), CAP_SYS_ADMIN (21)
    const mask = ((1 << 0) | (1 << 5) | (1 << 21)).toString(16).padStart(16, '0');
    expect(currentBoundingSet(`Name:\tx\nCapBnd:\t${mask}\n`)).to.deep.equal(['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN']);
    expect(currentBoundingSet().length).to.be.greaterThan(0);
  });
  const cases = [
    ['net_admin', 'CAP_NET_ADMIN'],
    ['CAP_KILL', 'CAP_KILL'],
    [' all ', 'ALL'],
  ] as const;
  for (const [input, want] of cases) it(`normalizes ${JSON.stringify(input)}`, () => expect(normalizeCapability(input)).to.equal(want));
});
