import { expect } from 'chai';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { CycleState } from '../framework/cycleState.js';
import { makePodInfo } from '../framework/podInfo.js';
import type { Node } from '../framework/types.js';
import { noWorkloads, staticWorkloads } from '../framework/listers.js';
import { filterReasons, scoreOn, snapshotOf } from '../testing/pluginHarness.js';
import { makeReplicaSet, makeService, ownedBy } from '../testing/workloads.js';
import { PodTopologySpread } from './podTopologySpread.js';
import type { ParsedSpreadArgs } from './podTopologySpreadArgs.js';

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
  for (const tc of cases) it(tc.name, () => expect(filterReasons(new PodTopologySpread(noWorkloads), tc.pod, tc.nodes, tc.placed)).to.deep.equal(tc.want));

  // Kubernetes' defaultingType List may add hard constraints to pods that set none.
  const listArgs: ParsedSpreadArgs = { systemDefaulted: false, defaults: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule' }] };
  const rsWorkloads = staticWorkloads({ replicaSets: [makeReplicaSet('web-1', { matchLabels: { app: 'web' } })] });
  const listCases = [
    { name: 'List defaults: a ReplicaSet pod is held to the default hard constraint', pod: ownedBy(web('p').obj(), { name: 'web-1' }), want: { a1: SKEW, a2: SKEW, b1: '' } },
    { name: 'List defaults: a lone pod is not', pod: web('p').obj(), want: { a1: '', a2: '', b1: '' } },
    { name: 'List defaults: a pod with its own constraints gets no defaults', pod: ownedBy(web('p').spreadConstraint(1, zone, { app: 'none' }).obj(), { name: 'web-1' }), want: { a1: '', a2: '', b1: '' } },
  ];
  for (const tc of listCases) {
    it(tc.name, () => expect(filterReasons(new PodTopologySpread(rsWorkloads, listArgs), tc.pod, [a1, a2, b1], [{ pod: web('x').obj(), node: 'a1' }])).to.deep.equal(tc.want));
  }
  it('System defaults are soft: they never filter', () => {
    expect(filterReasons(new PodTopologySpread(rsWorkloads), ownedBy(web('p').obj(), { name: 'web-1' }), [a1, b1], [{ pod: web('x').obj(), node: 'a1' }, { pod: web('y').obj(), node: 'a1' }])).to.deep.equal({ a1: '', b1: '' });
  });
});

describe('PodTopologySpread score', () => {
  const host = (name: string, labels: Record<string, string> = {}) => makeNode().name(name).labels(labels).obj();
  const n1 = host('n1');
  const n2 = host('n2');
  const n3 = host('n3');
  const hostless: Node = { ...host('nohost'), metadata: { name: 'nohost', uid: 'uid-node-nohost', labels: {} } };
  const za1 = host('a1', { [zone]: 'a' });
  const za2 = host('a2', { [zone]: 'a' });
  const zb1 = host('b1', { [zone]: 'b' });
  const bareZone = host('bare');
  const rs = makeReplicaSet('web-1', { matchLabels: { app: 'web' } });
  const rsV2 = makeReplicaSet('web-v2', { matchLabels: { app: 'web', 'pod-template-hash': 'v2' } });
  const workloads = staticWorkloads({ replicaSets: [rs, rsV2], services: [makeService('web', { app: 'web' })] });
  /** A replica of ReplicaSet web-1 (so the default constraints apply). */
  const replica = (name: string) => ownedBy(web(name).obj(), { name: 'web-1' });
  const db = (name: string) => makePod().name(name).labels({ app: 'db' }).obj();

  const cases: { name: string; pod: ReturnType<typeof replica>; nodes: Node[]; placed: { pod: ReturnType<typeof replica>; node: string }[]; want: Record<string, number> | undefined; args?: ParsedSpreadArgs }[] = [
    { name: 'a lone pod (no Service, no ReplicaSet selects it): no opinion', pod: makePod().name('p').labels({ app: 'solo' }).obj(), nodes: [n1, n2, n3], placed: [{ pod: db('d'), node: 'n1' }], want: undefined },
    // host weight log(3 + 2) = 1.609: n1 round(1.609 + 2) = 4, others 2; 100 × (4 + 2 - s) / 4.
    { name: 'ReplicaSet replica: the host with a replica scores lower', pod: replica('p'), nodes: [n1, n2, n3], placed: [{ pod: web('x').obj(), node: 'n1' }], want: { n1: 50, n2: 100, n3: 100 } },
    {
      // Raw 5 (2 × 1.609 + 2), 4, 2; 100 × (7 - s) / 5.
      name: 'Service selector: its pods count; other labels, namespaces and terminating pods do not',
      pod: web('p').labels({ tier: 'fe' }).obj(),
      nodes: [n1, n2, n3],
      placed: [
        { pod: web('x').obj(), node: 'n1' },
        { pod: web('y').obj(), node: 'n1' },
        { pod: web('z').obj(), node: 'n2' },
        { pod: db('d'), node: 'n3' },
        { pod: web('o').namespace('other').obj(), node: 'n3' },
        { pod: web('t').terminating().obj(), node: 'n3' },
      ],
      want: { n1: 40, n2: 60, n3: 100 },
    },
    {
      name: 'Service and ReplicaSet selectors are ANDed: old replicas of the Service do not count against a new ReplicaSet',
      pod: ownedBy(web('p').labels({ 'pod-template-hash': 'v2' }).obj(), { name: 'web-v2' }),
      nodes: [n1, n2, n3],
      placed: [
        { pod: web('old1').labels({ 'pod-template-hash': 'v1' }).obj(), node: 'n1' },
        { pod: web('old2').labels({ 'pod-template-hash': 'v1' }).obj(), node: 'n1' },
        { pod: web('new1').labels({ 'pod-template-hash': 'v2' }).obj(), node: 'n2' },
      ],
      want: { n1: 100, n2: 50, n3: 100 },
    },
    { name: 'no matching pods anywhere: every node alike', pod: replica('p'), nodes: [n1, n2, n3], placed: [{ pod: db('d'), node: 'n1' }], want: { n1: 100, n2: 100, n3: 100 } },
    {
      // Host: log 5 = 1.609; zone (2 domains): log 4 = 1.386, maxSkew 5 adds 4.
      // a1: 1.609 + 2 + 1.386 + 4 = 9; a2: 2 + 5.386 = 7; b1: 2 + 4 = 6; 100 × (15 - s) / 9.
      name: 'zones and hosts together: a zone with a replica weighs on all its hosts',
      pod: replica('p'),
      nodes: [za1, za2, zb1],
      placed: [{ pod: web('x').obj(), node: 'a1' }],
      want: { a1: 66, a2: 88, b1: 100 },
    },
    {
      // Zone domains a, b and "" (bare): log 5. a1, b1: 2 + 4 = 6; bare: 1.609 + 2 = 4, no zone term.
      // As in Kubernetes, a node without the zone label misses the zone term's maxSkew - 1.
      name: 'System defaults: a node without a zone label still scores by host',
      pod: replica('p'),
      nodes: [za1, zb1, bareZone],
      placed: [{ pod: web('x').obj(), node: 'bare' }],
      want: { a1: 66, b1: 66, bare: 100 },
    },
    {
      // Without a hostname label a node has no term at all (raw 0); Kubernetes nodes always have one.
      name: 'System defaults: a node without the hostname label is not ignored, it has no host term',
      pod: replica('p'),
      nodes: [n1, n2, hostless],
      placed: [{ pod: web('x').obj(), node: 'n1' }],
      want: { n1: 0, n2: 50, nohost: 100 },
    },
    {
      // Zone (2 domains): log 4 = 1.386; a1 round(1.386) = 1, b1 0.
      name: 'own ScheduleAnyway constraint: nodes lacking its key are ignored (0)',
      pod: web('p').spreadConstraint(1, zone, { app: 'web' }, { whenUnsatisfiable: 'ScheduleAnyway' }).obj(),
      nodes: [za1, zb1, bareZone],
      placed: [{ pod: web('x').obj(), node: 'a1' }],
      want: { a1: 0, b1: 100, bare: 0 },
    },
    {
      name: 'own constraints replace the defaults (here: spread from app=db, not from the replicas)',
      pod: ownedBy(web('p').spreadConstraint(1, zone, { app: 'db' }, { whenUnsatisfiable: 'ScheduleAnyway' }).obj(), { name: 'web-1' }),
      nodes: [za1, zb1],
      placed: [{ pod: web('x').obj(), node: 'a1' }, { pod: web('y').obj(), node: 'a1' }, { pod: db('d'), node: 'b1' }],
      want: { a1: 100, b1: 0 },
    },
    {
      // Host weight log 5, maxSkew 1: n2 round(1.609) = 2, the others 0.
      name: 'matchLabelKeys: only pods with the same values of those keys count (old ReplicaSet pods do not)',
      pod: (() => {
        const p = web('p').labels({ 'pod-template-hash': 'v2' }).spreadConstraint(1, 'kubernetes.io/hostname', { app: 'web' }, { whenUnsatisfiable: 'ScheduleAnyway' }).obj();
        p.spec!.topologySpreadConstraints![0]!.matchLabelKeys = ['pod-template-hash'];
        return p;
      })(),
      nodes: [n1, n2, n3],
      placed: [
        { pod: web('old1').labels({ 'pod-template-hash': 'v1' }).obj(), node: 'n1' },
        { pod: web('old2').labels({ 'pod-template-hash': 'v1' }).obj(), node: 'n1' },
        { pod: web('new1').labels({ 'pod-template-hash': 'v2' }).obj(), node: 'n2' },
      ],
      want: { n1: 100, n2: 0, n3: 100 },
    },
    {
      name: 'own DoNotSchedule constraints only: no scoring, and no defaults either',
      pod: ownedBy(web('p').spreadConstraint(1, zone, { app: 'web' }).obj(), { name: 'web-1' }),
      nodes: [za1, zb1],
      placed: [{ pod: web('x').obj(), node: 'a1' }],
      want: undefined,
    },
    {
      // Host only (List, no zone default); 2 + 3 replicas: raw 1.609 × 3 = 5, 1.609 × 2 = 3, 0 (maxSkew 1).
      name: 'List defaults replace the System ones',
      pod: replica('p'),
      nodes: [n1, n2, n3],
      placed: [{ pod: web('a').obj(), node: 'n1' }, { pod: web('b').obj(), node: 'n1' }, { pod: web('c').obj(), node: 'n1' }, { pod: web('d').obj(), node: 'n2' }, { pod: web('e').obj(), node: 'n2' }],
      args: { systemDefaulted: false, defaults: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }] },
      want: { n1: 0, n2: 40, n3: 100 },
    },
    {
      name: 'List defaults require every key: a node without one is ignored',
      pod: replica('p'),
      nodes: [za1, zb1, bareZone],
      placed: [],
      args: { systemDefaulted: false, defaults: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway' }] },
      want: { a1: 100, b1: 100, bare: 0 },
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(scoreOn(new PodTopologySpread(workloads, tc.args), tc.pod, tc.nodes, tc.placed)).to.deep.equal(tc.want));

  it('counts pods in the feasible nodes\' domains on every node the pod may use, feasible or not', () => {
    // Feasible: a2 and b1. a1 (zone a, not feasible) holds a replica: it counts for zone a. b2
    // (zone b) holds two, but the pod's node affinity excludes it: they do not count.
    // Host weight log(2 + 2), zone weight log(2 + 2) = 1.386. a2: 2 + (1.386 + 4) = 7; b1: 2 + 4 = 6.
    const zb2 = host('b2', { [zone]: 'b' });
    const pod = makePodInfo(ownedBy(web('p').nodeAffinityIn('kubernetes.io/hostname', ['a1', 'a2', 'b1']).obj(), { name: 'web-1' }));
    const snap = snapshotOf([za1, za2, zb1, zb2], [{ pod: web('x').obj(), node: 'a1' }, { pod: web('y').obj(), node: 'b2' }, { pod: web('z').obj(), node: 'b2' }]);
    const feasible = [snap.get('a2')!, snap.get('b1')!];
    const plugin = new PodTopologySpread(workloads);
    const state = new CycleState();
    expect(plugin.preScore(state, pod, feasible, snap).isSuccess()).to.equal(true);
    const scores = feasible.map((ni) => plugin.score(state, pod, ni));
    expect(scores).to.deep.equal([7, 6]);
    plugin.normalize(state, pod, scores);
    expect(scores).to.deep.equal([85, 100]);
  });
});
