import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { makePod } from '../../common/testing/builders.js';
import type { ClusterEvent } from '../framework/interfaces.js';
import { makePodInfo } from '../framework/podInfo.js';
import { schedulerUnschedulableNodesAnnotation as unschedulableNodesAnnotation } from '../../common/api/schedulerAnnotations.js';
import { SchedulingQueue, type QueuedPodInfo } from './schedulingQueue.js';

const pi = (name: string, priority = 0, labels: Record<string, string> = {}) => makePodInfo(makePod().name(name).priority(priority).labels(labels).obj());
const pluginEvents = new Map<string, Set<ClusterEvent>>([
  ['NodeResourcesFit', new Set<ClusterEvent>(['NodeAdd', 'AssignedPodDelete'])],
  ['TaintToleration', new Set<ClusterEvent>(['NodeAdd', 'NodeTaintChange'])],
]);

function setup(): { clock: FakeClock; q: SchedulingQueue } {
  const clock = new FakeClock();
  return { clock, q: new SchedulingQueue({ clock, pluginEvents }) };
}

/** Pops and fails the pod as rejected by `plugin`. */
function fail(q: SchedulingQueue, plugin?: string): QueuedPodInfo {
  const p = q.tryPop()!;
  if (plugin) p.unschedulablePlugins = new Set([plugin]);
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle());
  return p;
}

describe('SchedulingQueue', () => {
  it('pops by priority, then first come first served', () => {
    const { clock, q } = setup();
    q.add(pi('low1', 0));
    clock.advance(1);
    q.add(pi('high', 100));
    clock.advance(1);
    q.add(pi('low2', 0));
    q.add(pi('mid', 50));
    const order: string[] = [];
    for (let p = q.tryPop(); p; p = q.tryPop()) order.push(p.pi.name);
    expect(order).to.deep.equal(['high', 'mid', 'low1', 'low2']);
  });

  it('pop() waits for the next pod and resolves undefined on close', async () => {
    const { q } = setup();
    const waiting = q.pop();
    q.add(pi('a'));
    expect((await waiting)?.pi.name).to.equal('a');
    const never = q.pop();
    q.close();
    expect(await never).to.equal(undefined);
  });

  it('back-off starts at 1 s and doubles to at most 10 s', () => {
    const { q } = setup();
    expect([1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a))).to.deep.equal([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('an unschedulable pod waits for a relevant event, then for its back-off', () => {
    const { clock, q } = setup();
    q.add(pi('a'));
    fail(q, 'NodeResourcesFit');
    expect(q.pending()).to.deep.equal({ active: 0, backoff: 0, unschedulable: 1 });
    q.moveAllToActiveOrBackoffQueue('NodeTaintChange'); // NodeResourcesFit does not care
    expect(q.pending().unschedulable).to.equal(1);
    q.moveAllToActiveOrBackoffQueue('NodeAdd'); // it does; but 1 s of back-off is not over
    expect(q.pending()).to.deep.equal({ active: 0, backoff: 1, unschedulable: 0 });
    clock.advance(999);
    q.flushBackoffCompleted();
    expect(q.pending().backoff).to.equal(1);
    clock.advance(1);
    q.flushBackoffCompleted();
    expect(q.tryPop()?.pi.name).to.equal('a');
  });

  it('an event after the back-off sends the pod straight to activeQ', () => {
    const { clock, q } = setup();
    q.add(pi('a'));
    fail(q, 'TaintToleration');
    clock.advance(5_000);
    q.moveAllToActiveOrBackoffQueue('NodeTaintChange');
    expect(q.pending()).to.deep.equal({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('a move event during the attempt sends the failed pod to back-off, not to unschedulable', () => {
    const { q } = setup();
    q.add(pi('a'));
    const p = q.tryPop()!;
    const cycle = q.schedulingCycle();
    q.moveAllToActiveOrBackoffQueue('NodeAdd'); // happened while "a" was being scheduled
    p.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.addUnschedulableIfNotPresent(p, cycle);
    expect(q.pending()).to.deep.equal({ active: 0, backoff: 1, unschedulable: 0 });
  });

  it('errors (no rejecting plugin) go to back-off', () => {
    const { q } = setup();
    q.add(pi('a'));
    fail(q);
    expect(q.pending().backoff).to.equal(1);
  });

  it('updates: status-only changes keep an unschedulable pod parked; spec or label changes retry it', () => {
    const { clock, q } = setup();
    q.add(pi('a'));
    fail(q, 'NodeResourcesFit');
    const withStatus = makePodInfo({ ...makePod().name('a').priority(0).labels({}).obj(), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } });
    q.update(withStatus);
    expect(q.pending().unschedulable).to.equal(1);
    // Nor does the per-node verdict the scheduler itself annotates the pod with.
    const annotated = makePodInfo({ ...makePod().name('a').priority(0).labels({}).obj(), metadata: { name: 'a', namespace: 'default', uid: 'uid-a', labels: {}, annotations: { [unschedulableNodesAnnotation]: '{"nodes":{}}' } } });
    q.update(annotated);
    expect(q.pending().unschedulable).to.equal(1);
    clock.advance(2_000);
    q.update(pi('a', 0, { tier: 'x' }));
    expect(q.pending()).to.deep.equal({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('unschedulable pods are retried after five minutes without events', () => {
    const { clock, q } = setup();
    q.add(pi('a'));
    fail(q, 'NodeResourcesFit');
    clock.advance(5 * 60_000);
    q.flushUnschedulableLeftover();
    expect(q.pending().unschedulable).to.equal(1);
    clock.advance(1);
    q.flushUnschedulableLeftover();
    expect(q.pending().active).to.equal(1);
  });

  it('delete removes a pod wherever it is, with its nomination', () => {
    const { q } = setup();
    q.add(makePodInfo(makePod().name('a').nominatedNodeName('n1').obj()));
    expect(q.nominator.podsForNode('n1')).to.have.length(1);
    q.add(pi('b'));
    fail(q, 'NodeResourcesFit');
    q.delete('default/a');
    q.delete('default/b');
    expect(q.pendingPods()).to.deep.equal([]);
    expect(q.nominator.size).to.equal(0);
  });

  it('adding a known pod updates it instead of queueing it twice', () => {
    const { q } = setup();
    q.add(pi('a', 1));
    q.add(pi('a', 5));
    expect(q.pending().active).to.equal(1);
    expect(q.tryPop()?.pi.priority).to.equal(5);
  });
});
