import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { makePodInfo } from '../framework/podInfo.js';
import { SchedulerCache } from './schedulerCache.js';
import { Snapshot } from './snapshot.js';

const node = (name: string, extra: Record<string, string> = {}) => makeNode().name(name).labels(extra).capacity({ cpu: '4', memory: '8Gi' }).obj();
const pod = (name: string, cpu = '1') => makePodInfo(makePod().name(name).requests({ cpu }).obj());
const bound = (name: string, nodeName: string, cpu = '1') => makePodInfo(makePod().name(name).requests({ cpu }).nodeName(nodeName).obj());

function setup(ttl = 30_000): { clock: FakeClock; cache: SchedulerCache; snap: Snapshot } {
  const clock = new FakeClock();
  const cache = new SchedulerCache({ clock, assumedPodTTLms: ttl });
  for (const n of ['n1', 'n2', 'n3']) cache.addNode(node(n));
  const snap = new Snapshot();
  cache.updateSnapshot(snap);
  return { clock, cache, snap };
}

describe('SchedulerCache', () => {
  it('an assumed pod counts against its node at once; forgetting it frees the space', () => {
    const { cache, snap } = setup();
    cache.assumePod(pod('a', '3'), 'n1');
    cache.updateSnapshot(snap);
    expect(snap.get('n1')!.requested.milliCPU).to.equal(3000);
    expect(snap.get('n1')!.pods[0]!.pod.spec?.nodeName).to.equal('n1');
    expect(cache.isAssumedPod('default/a')).to.equal(true);
    cache.forgetPod('default/a');
    cache.updateSnapshot(snap);
    expect(snap.get('n1')!.requested.milliCPU).to.equal(0);
    expect(cache.podCount()).to.equal(0);
  });

  it('the informer confirms an assumed pod: counted once, no longer assumed', () => {
    const { cache, snap } = setup();
    cache.assumePod(pod('a'), 'n1');
    cache.finishBinding('default/a');
    cache.addPod(bound('a', 'n1'));
    cache.updateSnapshot(snap);
    expect(cache.isAssumedPod('default/a')).to.equal(false);
    expect(snap.get('n1')!.pods).to.have.length(1);
    expect(snap.get('n1')!.requested.milliCPU).to.equal(1000);
  });

  it('a confirmation on another node (someone else bound it) moves the pod', () => {
    const { cache, snap } = setup();
    cache.assumePod(pod('a'), 'n1');
    cache.addPod(bound('a', 'n2'));
    cache.updateSnapshot(snap);
    expect(snap.get('n1')!.pods).to.have.length(0);
    expect(snap.get('n2')!.pods).to.have.length(1);
  });

  it('assumed pods expire only after the bind finished and the TTL passed unconfirmed', () => {
    const { clock, cache } = setup(10_000);
    cache.assumePod(pod('a'), 'n1');
    clock.advance(60_000);
    expect(cache.cleanupExpiredAssumedPods()).to.deep.equal([]); // still binding
    cache.finishBinding('default/a');
    clock.advance(9_999);
    expect(cache.cleanupExpiredAssumedPods()).to.deep.equal([]);
    clock.advance(2);
    expect(cache.cleanupExpiredAssumedPods()).to.deep.equal(['default/a']);
    expect(cache.getPod('default/a')).to.equal(undefined);
  });

  it('refuses to assume a pod it already has', () => {
    const { cache } = setup();
    cache.addPod(bound('a', 'n1'));
    expect(() => cache.assumePod(pod('a'), 'n2')).to.throw(/already in the cache/);
  });

  it('removing a bound pod frees its node', () => {
    const { cache, snap } = setup();
    cache.addPod(bound('a', 'n3', '2'));
    cache.updateSnapshot(snap);
    expect(snap.get('n3')!.requested.milliCPU).to.equal(2000);
    cache.removePod('default/a');
    cache.updateSnapshot(snap);
    expect(snap.get('n3')!.requested.milliCPU).to.equal(0);
  });

  it('refreshes a snapshot incrementally: unchanged nodes are not copied, the list is kept', () => {
    const { cache, snap } = setup();
    const list = snap.nodeInfoList;
    const before = new Map([...snap.nodeInfoMap].map(([k, v]) => [k, v.generation]));
    cache.assumePod(pod('a'), 'n2');
    cache.updateSnapshot(snap);
    expect(snap.nodeInfoList).to.equal(list); // same array: no rebuild
    expect(snap.get('n1')!.generation).to.equal(before.get('n1'));
    expect(snap.get('n3')!.generation).to.equal(before.get('n3'));
    expect(snap.get('n2')!.generation).to.be.greaterThan(before.get('n2')!);
    // The snapshot's copy is independent of the cache's.
    cache.forgetPod('default/a');
    expect(snap.get('n2')!.pods).to.have.length(1);
  });

  it('nodes added and removed change the snapshot list; a deleted node with pods is never listed', () => {
    const { cache, snap } = setup();
    cache.addNode(node('n4'));
    cache.updateSnapshot(snap);
    expect(snap.nodeInfoList.map((n) => n.name).sort()).to.deep.equal(['n1', 'n2', 'n3', 'n4']);
    cache.addPod(bound('a', 'n4'));
    cache.removeNode('n4');
    cache.removeNode('n1');
    cache.updateSnapshot(snap);
    expect(snap.nodeInfoList.map((n) => n.name).sort()).to.deep.equal(['n2', 'n3']);
    expect(cache.nodeCount()).to.equal(2);
    cache.removePod('default/a');
    cache.updateSnapshot(snap);
    expect(snap.nodeInfoMap.has('n4')).to.equal(false);
  });

  it('interleaves zones in the node order', () => {
    const clock = new FakeClock();
    const cache = new SchedulerCache({ clock });
    const z = 'topology.kubernetes.io/zone';
    for (const [n, zone] of [['a1', 'a'], ['a2', 'a'], ['a3', 'a'], ['b1', 'b'], ['c1', 'c'], ['b2', 'b']] as const) cache.addNode(node(n, { [z]: zone }));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    expect(snap.nodeInfoList.map((n) => n.name)).to.deep.equal(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('tracks how many nodes have each image', () => {
    const { cache, snap } = setup();
    cache.addNode(makeNode().name('n1').images([{ names: ['app:1'], sizeBytes: 1 }]).obj());
    cache.addNode(makeNode().name('n2').images([{ names: ['app:1', 'app'], sizeBytes: 1 }]).obj());
    cache.updateSnapshot(snap);
    expect(snap.imageNodeCount.get('app:1')).to.equal(2);
    expect(snap.imageNodeCount.get('app:latest')).to.equal(1);
    cache.removeNode('n2');
    cache.updateSnapshot(snap);
    expect(snap.imageNodeCount.get('app:1')).to.equal(1);
  });

  it('keeps a 5,000-node snapshot fresh in well under a millisecond per cycle', () => {
    const clock = new FakeClock();
    const cache = new SchedulerCache({ clock });
    for (let i = 0; i < 5000; i++) cache.addNode(node(`n${i}`));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) {
      cache.assumePod(pod(`p${i}`, '100m'), `n${(i * 7) % 5000}`);
      cache.updateSnapshot(snap);
    }
    const perCycleMs = Number(process.hrtime.bigint() - t0) / 1e6 / 2000;
    expect(perCycleMs).to.be.lessThan(0.2);
  });
});
