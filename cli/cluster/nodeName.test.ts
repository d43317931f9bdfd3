import { expect } from 'chai';
import { isDnsLabel, nodeNameFromHostname } from './nodeName.js';

describe('nodeNameFromHostname', () => {
  const cases = [
    { name: 'a plain hostname stays', host: 'vm', want: 'vm' },
    { name: 'upper case is lowered', host: 'DevBox', want: 'devbox' },
    { name: 'dots and underscores become dashes', host: 'Dev_Box.local', want: 'dev-box-local' },
    { name: 'runs of invalid characters become one dash', host: 'a..__b', want: 'a-b' },
    { name: 'leading and trailing dashes go', host: '-x-', want: 'x' },
    { name: 'long names are cut to 63 without a trailing dash', host: `${'a'.repeat(62)}.b`, want: 'a'.repeat(62) },
    { name: 'nothing usable falls back', host: '___', want: 'gantry-node' },
    { name: 'non-ASCII is replaced', host: 'café', want: 'caf' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = nodeNameFromHostname(tc.host);
      expect(got).to.equal(tc.want);
      expect(isDnsLabel(got), got).to.equal(true);
    });
  }
});

describe('isDnsLabel', () => {
  const cases = [
    { name: 'lowercase and digits', v: 'node-1', want: true },
    { name: 'upper case', v: 'Node', want: false },
    { name: 'a dot', v: 'a.b', want: false },
    { name: 'leading dash', v: '-a', want: false },
    { name: 'too long', v: 'a'.repeat(64), want: false },
    { name: 'empty', v: '', want: false },
  ];
  for (const tc of cases) it(tc.name, () => expect(isDnsLabel(tc.v)).to.equal(tc.want));
});
