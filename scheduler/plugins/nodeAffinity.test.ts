import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { filterReasons, scoreOn } from '../testing/pluginHarness.js';
import { NodeAffinity } from './nodeAffinity.js';

const a = makeNode().name('a').labels({ zone: 'z1', disk: 'ssd', cores: '8' }).obj();
const b = makeNode().name('b').labels({ zone: 'z2', cores: '2' }).obj();
const no = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";

describe('NodeAffinity filter', () => {
  const cases = [
    { name: 'no selector or affinity: everything', pod: makePod().obj(), want: { a: '', b: '' } },
    { name: 'nodeSelector', pod: makePod().nodeSelector({ disk: 'ssd' }).obj(), want: { a: '', b: no } },
    { name: 'nodeSelector needs every pair', pod: makePod().nodeSelector({ disk: 'ssd', zone: 'z2' }).obj(), want: { a: no, b: no } },
    { name: 'In', pod: makePod().nodeAffinityIn('zone', ['z2', 'z3']).obj(), want: { a: no, b: '' } },
    { name: 'NotIn (missing label counts as not in)', pod: makePod().nodeAffinityTerm({ key: 'disk', operator: 'NotIn', values: ['ssd'] }).obj(), want: { a: no, b: '' } },
    { name: 'Exists', pod: makePod().nodeAffinityTerm({ key: 'disk', operator: 'Exists' }).obj(), want: { a: '', b: no } },
    { name: 'DoesNotExist', pod: makePod().nodeAffinityTerm({ key: 'disk', operator: 'DoesNotExist' }).obj(), want: { a: no, b: '' } },
    { name: 'Gt compares integers', pod: makePod().nodeAffinityTerm({ key: 'cores', operator: 'Gt', values: ['4'] }).obj(), want: { a: '', b: no } },
    { name: 'Lt compares integers', pod: makePod().nodeAffinityTerm({ key: 'cores', operator: 'Lt', values: ['4'] }).obj(), want: { a: no, b: '' } },
    { name: 'expressions in a term are ANDed', pod: makePod().nodeAffinityTerm({ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'cores', operator: 'Lt', values: ['4'] }).obj(), want: { a: no, b: no } },
    { name: 'terms are ORed', pod: makePod().nodeAffinityIn('zone', ['z1']).nodeAffinityIn('zone', ['z2']).obj(), want: { a: '', b: '' } },
    { name: 'nodeSelector AND affinity', pod: makePod().nodeSelector({ zone: 'z1' }).nodeAffinityIn('cores', ['2']).obj(), want: { a: no, b: no } },
  ];
  for (const tc of cases) it(tc.name, () => expect(filterReasons(new NodeAffinity(), tc.pod, [a, b])).to.deep.equal(tc.want));

  it('matchFields on metadata.name', () => {
    const pod = makePod().obj();
    pod.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } };
    expect(filterReasons(new NodeAffinity(), pod, [a, b])).to.deep.equal({ a: no, b: '' });
  });
});

describe('NodeAffinity score (preferred terms)', () => {
  const c = makeNode().name('c').labels({ zone: 'z1' }).obj();
  const cases = [
    { name: 'no preferences: skipped', pod: makePod().obj(), want: undefined },
    { name: 'weights of matched terms, best node 100', pod: makePod().preferredNodeAffinity(10, 'zone', ['z1']).preferredNodeAffinity(30, 'disk', ['ssd']).obj(), want: { a: 100, b: 0, c: 25 } },
  ];
  for (const tc of cases) it(tc.name, () => expect(scoreOn(new NodeAffinity(), tc.pod, [a, b, c])).to.deep.equal(tc.want));
});
