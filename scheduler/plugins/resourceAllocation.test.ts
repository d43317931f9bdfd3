import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { scoreOn } from '../testing/pluginHarness.js';
import { BalancedAllocation, LeastAllocated, MostAllocated, parseResourceArgs } from './resourceAllocation.js';

const node = (name: string) => makeNode().name(name).capacity({ cpu: '4', memory: '8Gi' }).obj();
const placed = [
  { pod: makePod().name('x').requests({ cpu: '2', memory: '2Gi' }).obj(), node: 'busy' },
  { pod: makePod().name('y').requests({ cpu: '1', memory: '6Gi' }).obj(), node: 'lopsided' },
];
const nodes = [node('empty'), node('busy'), node('lopsided')];
const pod = makePod().requests({ cpu: '1', memory: '2Gi' }).obj();

describe('resource allocation scores', () => {
  const cases = [
    // empty: cpu 1/4, mem 2/8 -> 25; busy: 3/4, 4/8 -> 62.5; lopsided: 2/4, 8/8 -> 75
    { name: 'MostAllocated prefers the fullest node', plugin: new MostAllocated(parseResourceArgs('m', undefined)), want: { empty: 25, busy: 62.5, lopsided: 75 } },
    { name: 'LeastAllocated prefers the emptiest node', plugin: new LeastAllocated(parseResourceArgs('l', undefined)), want: { empty: 75, busy: 37.5, lopsided: 25 } },
    // |cpu - mem| / 2: empty 0 -> 100; busy |.75-.5|/2 -> 87.5; lopsided |.5-1|/2 -> 75
    { name: 'BalancedAllocation prefers even fill', plugin: new BalancedAllocation(parseResourceArgs('b', undefined)), want: { empty: 100, busy: 87.5, lopsided: 75 } },
    {
      name: 'weights per resource',
      plugin: new MostAllocated(parseResourceArgs('m', { resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] })),
      // busy: (75*3 + 50)/4 = 68.75; lopsided: (50*3 + 100)/4 = 62.5; empty: 25
      want: { empty: 25, busy: 68.75, lopsided: 62.5 },
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(scoreOn(tc.plugin, pod, nodes, placed)).to.deep.equal(tc.want));

  it('skips pods without requests', () => {
    expect(scoreOn(new MostAllocated(parseResourceArgs('m', undefined)), makePod().obj(), nodes, placed)).to.equal(undefined);
  });
  it('rejects bad args with the plugin name', () => {
    expect(() => parseResourceArgs('MostAllocated', { resources: [{ name: 'cpu', weight: 0 }] })).to.throw(/invalid args for plugin MostAllocated/);
    expect(() => parseResourceArgs('MostAllocated', { bogus: 1 })).to.throw(/must NOT have additional properties/);
  });
});
