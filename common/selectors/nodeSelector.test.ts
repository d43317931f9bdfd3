import type { V1NodeSelector } from '@kubernetes/client-node';
import { expect } from 'chai';
import { nodeSelectorMatches } from './nodeSelector.js';

const node = { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', zone: 'a', cores: '8' } };

describe('selectors/nodeSelector (node affinity terms, a volume nodeAffinity)', () => {
  const cases: { name: string; sel: V1NodeSelector | undefined; want: boolean }[] = [
    { name: 'no selector', sel: undefined, want: true },
    { name: 'no terms', sel: { nodeSelectorTerms: [] }, want: false },
    { name: 'an empty term', sel: { nodeSelectorTerms: [{}] }, want: false },
    { name: 'hostname In', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] }, want: true },
    { name: 'hostname In another', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-2'] }] }] }, want: false },
    { name: 'terms are ORed', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] }, want: true },
    { name: 'expressions are ANDed', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'zone', operator: 'NotIn', values: ['a'] }] }] }, want: false },
    { name: 'NotIn on a missing label', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['x'] }] }] }, want: true },
    { name: 'Exists / DoesNotExist', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }, { key: 'gpu', operator: 'DoesNotExist' }] }] }, want: true },
    { name: 'Gt', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }] }, want: true },
    { name: 'Lt', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }] }, want: false },
    { name: 'Gt with a non-integer', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['1'] }] }] }, want: false },
    { name: 'an unknown field', sel: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['node-1'] }] }] }, want: false },
    { name: 'an unknown operator', sel: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Like', values: ['a'] }] }] }, want: false },
  ];
  for (const tc of cases) {
    it(`${tc.name}: ${tc.want ? 'matches' : 'does not match'}`, () => {
      expect(nodeSelectorMatches(tc.sel, node)).to.equal(tc.want);
    });
  }
});
