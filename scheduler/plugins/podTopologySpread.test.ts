import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { filterReasons } from '../testing/pluginHarness.js';
import { PodTopologySpread } from './podTopologySpread.js';

const zone = 'topology.kubernetes.io/zone';
const a1 = makeNode().name('a1').labels({ [zone]: 'a' }).obj();
const a2 = makeNode().name('a2').labels({ [zone]: 'a' }).obj();
const b1 = makeNode().name('b1').labels({ [zone]: 'b' }).obj();
const bare = makeNode().name('bare').obj();
const web = (name: string) => makePod().name(name).labels({ app: 'web' });
const SKEW = "Unschedulable: node(s) didn't match pod topology spread constraints";
const LABEL = "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)";

describe('PodTopologySpread filter', () => {
  const cases = [
    { name: 'no constraints: skipped', pod: web('p').obj(), nodes: [a1, b1], placed: [], want: { a1: '', b1: '' } },
    {
      name: 'maxSkew 1 with zone a ahead: only zone b',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }).obj(),
      nodes: [a1, a2, b1],
      placed: [{ pod: web('x').obj(), node: 'a1' }],
      want: { a1: SKEW, a2: SKEW, b1: '' },
    },
    {
      name: 'balanced zones: any node',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }).obj(),
      nodes: [a1, a2, b1],
      placed: [{ pod: web('x').obj(), node: 'a1' }, { pod: web('y').obj(), node: 'b1' }],
      want: { a1: '', a2: '', b1: '' },
    },
    {
      name: 'maxSkew 2 tolerates one ahead',
      pod: web('p').spreadConstraint(2, zone, { app: 'web' }).obj(),
      nodes: [a1, b1],
      placed: [{ pod: web('x').obj(), node: 'a1' }],
      want: { a1: '', b1: '' },
    },
    {
      name: 'pods of other namespaces and other labels do not count',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }).obj(),
      nodes: [a1, b1],
      placed: [{ pod: web('x').namespace('other').obj(), node: 'a1' }, { pod: makePod().name('y').labels({ app: 'db' }).obj(), node: 'a1' }],
      want: { a1: '', b1: '' },
    },
    {
      name: 'terminating pods do not count',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }).obj(),
      nodes: [a1, b1],
      placed: [{ pod: web('x').terminating().obj(), node: 'a1' }],
      want: { a1: '', b1: '' },
    },
    {
      name: 'nodes without the key are refused and are not domains',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }).obj(),
      nodes: [a1, bare],
      placed: [{ pod: web('x').obj(), node: 'bare' }],
      want: { a1: '', bare: LABEL },
    },
    {
      name: 'minDomains above the domain count makes the minimum 0',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }, { minDomains: 3 }).obj(),
      nodes: [a1, b1],
      placed: [{ pod: web('x').obj(), node: 'a1' }, { pod: web('y').obj(), node: 'b1' }],
      want: { a1: SKEW, b1: SKEW },
    },
    {
      name: 'domains outside the pod node affinity are not counted',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }).nodeAffinityIn(zone, ['a']).obj(),
      nodes: [a1, a2, b1],
      placed: [{ pod: web('x').obj(), node: 'a1' }],
      // Only zone a is eligible: its minimum is 1, so skew stays 1 on a.
      want: { a1: '', a2: '', b1: '' },
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(filterReasons(new PodTopologySpread(), tc.pod, tc.nodes, tc.placed)).to.deep.equal(tc.want));
});
