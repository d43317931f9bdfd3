import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { filterReasons, scoreOn } from '../testing/pluginHarness.js';
import { InterPodAffinity } from './interPodAffinity.js';

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';
const n1 = makeNode().name('n1').labels({ [zone]: 'z1' }).obj();
const n2 = makeNode().name('n2').labels({ [zone]: 'z1' }).obj();
const n3 = makeNode().name('n3').labels({ [zone]: 'z2' }).obj();
const nolabel = makeNode().name('n4').obj();
const nodes = [n1, n2, n3];
const web = (name: string) => makePod().name(name).labels({ app: 'web' });
const db = (name: string) => makePod().name(name).labels({ app: 'db' });

const AFF = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";
const ANTI = "Unschedulable: node(s) didn't match pod anti-affinity rules";
const EXISTING = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";

describe('InterPodAffinity filter', () => {
  const cases = [
    { name: 'no terms anywhere: skipped', pod: web('p').obj(), placed: [{ pod: db('d').obj(), node: 'n1' }], want: { n1: '', n2: '', n3: '' } },
    {
      name: 'affinity to db by zone: both nodes of the zone with a db pod',
      pod: makePod().podAffinity(zone, { app: 'db' }).obj(),
      placed: [{ pod: db('d').obj(), node: 'n1' }],
      want: { n1: '', n2: '', n3: AFF },
    },
    {
      name: 'affinity by hostname: only the db node',
      pod: makePod().podAffinity(host, { app: 'db' }).obj(),
      placed: [{ pod: db('d').obj(), node: 'n2' }],
      want: { n1: AFF, n2: '', n3: AFF },
    },
    {
      name: 'affinity with no matching pod anywhere fails everywhere',
      pod: makePod().podAffinity(zone, { app: 'db' }).obj(),
      placed: [],
      want: { n1: AFF, n2: AFF, n3: AFF },
    },
    {
      name: 'the first pod of a self-affine group may go anywhere',
      pod: web('w').podAffinity(zone, { app: 'web' }).obj(),
      placed: [],
      want: { n1: '', n2: '', n3: '' },
    },
    {
      name: 'affinity only looks in the pod namespace by default',
      pod: makePod().podAffinity(zone, { app: 'db' }).obj(),
      placed: [{ pod: db('d').namespace('other').obj(), node: 'n1' }],
      want: { n1: AFF, n2: AFF, n3: AFF },
    },
    {
      name: 'affinity with listed namespaces',
      pod: makePod().podAffinity(zone, { app: 'db' }, ['other']).obj(),
      placed: [{ pod: db('d').namespace('other').obj(), node: 'n3' }],
      want: { n1: AFF, n2: AFF, n3: '' },
    },
    {
      name: 'anti-affinity by hostname spreads web pods',
      pod: web('w2').podAntiAffinity(host, { app: 'web' }).obj(),
      placed: [{ pod: web('w1').obj(), node: 'n1' }],
      want: { n1: ANTI, n2: '', n3: '' },
    },
    {
      name: 'anti-affinity by zone keeps the whole zone clear',
      pod: web('w2').podAntiAffinity(zone, { app: 'web' }).obj(),
      placed: [{ pod: web('w1').obj(), node: 'n1' }],
      want: { n1: ANTI, n2: ANTI, n3: '' },
    },
    {
      name: "an existing pod's anti-affinity repels the newcomer",
      pod: web('w').obj(),
      placed: [{ pod: db('d').podAntiAffinity(zone, { app: 'web' }).obj(), node: 'n3' }],
      want: { n1: '', n2: '', n3: EXISTING },
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(filterReasons(new InterPodAffinity(), tc.pod, nodes, tc.placed)).to.deep.equal(tc.want));

  it('a node without the topology key fails affinity', () => {
    const got = filterReasons(new InterPodAffinity(), makePod().podAffinity(zone, { app: 'db' }).obj(), [n1, nolabel], [{ pod: db('d').obj(), node: 'n1' }]);
    expect(got).to.deep.equal({ n1: '', n4: AFF });
  });
});

describe('InterPodAffinity score', () => {
  const cases = [
    { name: 'nothing preferred anywhere: skipped', pod: web('p').obj(), placed: [{ pod: db('d').obj(), node: 'n1' }], want: undefined },
    {
      name: 'preferred affinity to the zone with db',
      pod: makePod().preferredPodAffinity(10, zone, { app: 'db' }).obj(),
      placed: [{ pod: db('d').obj(), node: 'n3' }],
      want: { n1: 0, n2: 0, n3: 100 },
    },
    {
      name: 'preferred anti-affinity away from web',
      pod: web('w').preferredPodAntiAffinity(10, host, { app: 'web' }).obj(),
      placed: [{ pod: web('w1').obj(), node: 'n1' }],
      want: { n1: 0, n2: 100, n3: 100 },
    },
    {
      name: "an existing pod's preferred affinity attracts the newcomer",
      pod: web('w').obj(),
      placed: [{ pod: db('d').preferredPodAffinity(5, zone, { app: 'web' }).obj(), node: 'n1' }],
      want: { n1: 100, n2: 100, n3: 0 },
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(scoreOn(new InterPodAffinity(), tc.pod, nodes, tc.placed)).to.deep.equal(tc.want));
});
