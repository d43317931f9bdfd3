import { expect } from 'chai';
import { colorEnabled, colorsFor } from './color.js';

describe('kube colour', () => {
  const cases: { name: string; isTTY: boolean; env: NodeJS.ProcessEnv; want: boolean }[] = [
    { name: 'a terminal gets colour', isTTY: true, env: {}, want: true },
    { name: 'a pipe gets none', isTTY: false, env: {}, want: false },
    { name: 'NO_COLOR turns it off on a terminal', isTTY: true, env: { NO_COLOR: '1' }, want: false },
    { name: 'an empty NO_COLOR does not', isTTY: true, env: { NO_COLOR: '' }, want: true },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(colorEnabled(tc)).to.equal(tc.want);
      expect(colorsFor(tc).red('x')).to.equal(tc.want ? '\x1b[31mx\x1b[39m' : 'x');
    });
  }
});
