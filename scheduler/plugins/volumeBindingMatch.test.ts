import { expect } from 'chai';
import { makeNode } from '../../common/testing/builders.js';
import { NodeInfo } from '../framework/nodeInfo.js';
import { makeClaim, makeStorageClass, makeVolume } from './volumeBindingBuilders.js';
import { findMatchingVolume, isClaimFullyBound, isDelayBinding, topologyAllows } from './volumeBindingMatch.js';

const nodeInfo = (name: string, labels: Record<string, string>): NodeInfo => {
  const ni = new NodeInfo(name);
  ni.setNode(makeNode().name(name).labels(labels).obj());
  return ni;
};
const a = nodeInfo('a', { 'kubernetes.io/hostname': 'a', 'topology.kubernetes.io/zone': 'z1', rack: 'r1' });

describe('findMatchingVolume', () => {
  const claim = makeClaim('data').storageClass('local').request('1Gi');
  const vol = (name: string) => makeVolume(name).storageClass('local');
  const cases = [
    { name: 'the smallest volume that is big enough', volumes: [vol('big').capacity('5Gi').obj(), vol('small').capacity('2Gi').obj(), vol('tiny').capacity('512Mi').obj()], want: 'small' },
    { name: 'exactly the requested size', volumes: [vol('exact').capacity('1Gi').obj()], want: 'exact' },
    { name: 'a volume being deleted is skipped', volumes: [{ ...vol('going').obj(), metadata: { name: 'going', deletionTimestamp: '2026-01-01T00:00:00Z' as unknown as Date } }], want: undefined },
    { name: 'a volume without a readable capacity is skipped', volumes: [vol('odd').capacity('lots').obj()], want: undefined },
    { name: 'an excluded volume is skipped', volumes: [vol('taken').obj(), vol('free').capacity('3Gi').obj()], excluded: ['taken'], want: 'free' },
    { name: 'a volume pre-bound to the claim wins over a smaller one', volumes: [vol('tight').obj(), vol('mine').capacity('9Gi').claimRef(claim.obj()).obj()], want: 'mine' },
    { name: 'a volume pre-bound to another claim of the same name (other uid) is not this claim’s', volumes: [vol('theirs').claimRef(makeClaim('data').uid('other-uid').obj()).obj()], want: undefined },
    { name: 'a volume on another node', volumes: [vol('elsewhere').onHost('b').obj()], want: undefined },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const excluded = new Set(tc.excluded ?? []);
      const got = findMatchingVolume(claim.obj(), tc.volumes, a, { excluded: (v) => excluded.has(v.metadata?.name ?? '') });
      expect(got?.metadata?.name).to.equal(tc.want);
    });
  }
});

describe('claim and class predicates', () => {
  it('isClaimFullyBound: a volume name, a volume the cache has, and the binder done', () => {
    const pv = makeVolume('pv-1').obj();
    const volume = (n: string) => (n === 'pv-1' ? pv : undefined);
    expect(isClaimFullyBound(makeClaim('c').obj(), volume)).to.equal(false);
    expect(isClaimFullyBound(makeClaim('c').volumeName('pv-1').obj(), volume), 'binder not done').to.equal(false);
    expect(isClaimFullyBound(makeClaim('c').boundTo('pv-1').obj(), volume)).to.equal(true);
    expect(isClaimFullyBound(makeClaim('c').boundTo('pv-2').obj(), volume), 'volume unknown').to.equal(false);
  });
  it('isDelayBinding: only a class that exists and says WaitForFirstConsumer', () => {
    const classes = new Map([['wait', makeStorageClass('wait').waitForFirstConsumer().obj()], ['now', makeStorageClass('now').obj()]]);
    const lookup = (n: string) => classes.get(n);
    expect(isDelayBinding(makeClaim('c').storageClass('wait').obj(), lookup)).to.equal(true);
    expect(isDelayBinding(makeClaim('c').storageClass('now').obj(), lookup)).to.equal(false);
    expect(isDelayBinding(makeClaim('c').storageClass('gone').obj(), lookup)).to.equal(false);
    expect(isDelayBinding(makeClaim('c').obj(), lookup)).to.equal(false);
  });
  const topo = [
    { name: 'no allowedTopologies: anywhere', sc: makeStorageClass('s').obj(), want: true },
    { name: 'the node’s zone listed', sc: makeStorageClass('s').allowedTopology('topology.kubernetes.io/zone', ['z0', 'z1']).obj(), want: true },
    { name: 'the node’s zone not listed', sc: makeStorageClass('s').allowedTopology('topology.kubernetes.io/zone', ['z2']).obj(), want: false },
    { name: 'terms are ORed', sc: makeStorageClass('s').allowedTopology('topology.kubernetes.io/zone', ['z2']).allowedTopology('rack', ['r1']).obj(), want: true },
    { name: 'a label the node lacks', sc: makeStorageClass('s').allowedTopology('gpu', ['yes']).obj(), want: false },
  ];
  for (const tc of topo) it(`topologyAllows: ${tc.name}`, () => expect(topologyAllows(tc.sc, a)).to.equal(tc.want));
});
