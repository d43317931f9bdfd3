import { expect } from 'chai';
import { isQuantity } from './quantity.js';

describe('isQuantity', () => {
  const cases: { value: unknown; ok: boolean }[] = [
    { value: '100m', ok: true },
    { value: '1.5', ok: true },
    { value: '2Gi', ok: true },
    { value: '1e3', ok: true },
    { value: '1E-3', ok: true },
    { value: '+1', ok: true },
    { value: '-0.5', ok: true },
    { value: '.5', ok: true },
    { value: '64Mi', ok: true },
    { value: '1k', ok: true },
    { value: '3E', ok: true },
    { value: '0', ok: true },
    { value: 1, ok: true },
    { value: 0.25, ok: true },
    { value: '1.2.3', ok: false },
    { value: 'abc', ok: false },
    { value: '5GB', ok: false },
    { value: '', ok: false },
    { value: '1e', ok: false },
    { value: '1 Gi', ok: false },
    { value: 'Gi', ok: false },
    { value: '1Ki1', ok: false },
    { value: Number.NaN, ok: false },
    { value: true, ok: false },
    { value: null, ok: false },
    { value: {}, ok: false },
  ];
  for (const tc of cases) {
    it(`${typeof tc.value === 'number' ? String(tc.value) : JSON.stringify(tc.value)} -> ${tc.ok}`, () => {
      expect(isQuantity(tc.value)).to.equal(tc.ok);
    });
  }
});
