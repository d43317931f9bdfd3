import { expect } from 'chai';
import { NOW, make } from './fixtures.js';
import { podDisruptionBudgetPrinter } from './podDisruptionBudgets.js';

describe('podDisruptionBudgetPrinter', () => {
  it('kubectl\'s columns', () => {
    expect(podDisruptionBudgetPrinter.columns.map((c) => c.name.toUpperCase()).join(' ')).to.equal('NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE');
  });
  const cases: { name: string; spec: object; status?: object; want: unknown[] }[] = [
    { name: 'minAvailable as a number', spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 }, want: ['web', '2', 'N/A', 1, '10m'] },
    { name: 'maxUnavailable as a percentage', spec: { maxUnavailable: '25%' }, status: { disruptionsAllowed: 0 }, want: ['web', 'N/A', '25%', 0, '10m'] },
    { name: 'neither, no status yet', spec: {}, want: ['web', 'N/A', 'N/A', 0, '10m'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(podDisruptionBudgetPrinter.cells(make('PodDisruptionBudget', 'web', { spec: tc.spec, status: tc.status }), NOW)).to.deep.equal(tc.want));
  }
});
