import { expect } from 'chai';
import { mergePatch, withoutNulls } from './mergePatch.js';

describe('mergePatch', () => {
  const cases: { name: string; from: unknown; to: unknown; want: unknown }[] = [
    { name: 'equal objects give nothing', from: { a: 1, b: { c: 2 } }, to: { a: 1, b: { c: 2 } }, want: undefined },
    { name: 'changed scalar', from: { phase: 'Pending' }, to: { phase: 'Running' }, want: { phase: 'Running' } },
    { name: 'removed key becomes null', from: { podIP: '10.0.0.2', phase: 'Running' }, to: { phase: 'Running' }, want: { podIP: null } },
    { name: 'nested change only', from: { a: { b: 1, c: 2 } }, to: { a: { b: 1, c: 3 } }, want: { a: { c: 3 } } },
    { name: 'arrays are replaced whole', from: { l: [1, 2] }, to: { l: [1, 2, 3] }, want: { l: [1, 2, 3] } },
    { name: 'equal arrays are left out', from: { l: [{ x: 1 }] }, to: { l: [{ x: 1 }] }, want: undefined },
    { name: 'added object', from: {}, to: { s: { running: {} } }, want: { s: { running: {} } } },
  ];
  for (const tc of cases) it(tc.name, () => expect(mergePatch(tc.from, tc.to)).to.deep.equal(tc.want));
});

describe('withoutNulls', () => {
  it('drops null keys at every depth, inside arrays too, so a stored status diffs as equal', () => {
    const wanted = { conditions: [{ type: 'Ready', lastProbeTime: null }], podIP: null, s: { t: { startedAt: null, exitCode: 0 } } };
    const stored = { conditions: [{ type: 'Ready' }], s: { t: { exitCode: 0 } } };
    expect(withoutNulls(wanted)).to.deep.equal(stored);
    expect(mergePatch(stored, withoutNulls(wanted))).to.equal(undefined);
  });
});
