// The scheduler without an API: informer events fed by hand, a binder and reporter that
// record, and an injected clock.

import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { makeNode, makePod, makePriorityClass } from '../../common/testing/builders.js';
import { buildFramework, resolveProfile } from '../config/profile.js';
import type { Binder } from '../framework/interfaces.js';
import type { Pod } from '../framework/types.js';
import { podKey } from '../framework/types.js';
import { SchedulerMetrics } from '../metrics.js';
import type { SchedulingReporter } from './reporter.js';
import { ConflictError } from '../../common/errors.js';
import { Scheduler, type Evictor } from './scheduler.js';

class Recorder implements Binder, SchedulingReporter, Evictor {
  bound = new Map<string, string>();
  failBinds = 0;
  /** Answer binds with 409 "already assigned to node <this>" (a lost reply, or another scheduler). */
  conflictNode: string | undefined;
  unschedulableMsgs: { pod: string; message: string; nominated?: string }[] = [];
  events: string[] = [];
  evicted: string[] = [];
  async bind(pod: Pod, nodeName: string): Promise<void> {
    if (this.conflictNode !== undefined) throw new ConflictError({ resource: 'pods', name: pod.metadata?.name ?? '' }, `pod ${pod.metadata?.name} is already assigned to node "${this.conflictNode}"`);
    if (this.failBinds > 0) {
      this.failBinds--;
      throw new Error('bind refused');
    }
    this.bound.set(podKey(pod), nodeName);
  }
  scheduled(pod: Pod, nodeName: string): void {
    this.events.push(`Scheduled ${pod.metadata?.name} ${nodeName}`);
  }
  unschedulable(pod: Pod, message: string, _r: string, nominated?: string): void {
    this.unschedulableMsgs.push({ pod: pod.metadata?.name ?? '', message, ...(nominated ? { nominated } : {}) });
  }
  preempted(victim: Pod, _by: Pod, node: string): void {
    this.events.push(`Preempted ${victim.metadata?.name} ${node}`);
  }
  clearNomination(): void {}
  async evict(pod: Pod): Promise<void> {
    this.evicted.push(pod.metadata?.name ?? '');
  }
}

function setup(profile = resolveProfile()) {
  const clock = new FakeClock();
  const rec = new Recorder();
  const metrics = new SchedulerMetrics();
  const store = new Map<string, Pod>();
  const s = new Scheduler({ framework: buildFramework('default-scheduler', profile), binder: rec, reporter: rec, evictor: rec, clock, metrics, random: () => 0, lookupPod: (k) => store.get(k) });
  const addPod = (pod: Pod): void => {
    store.set(podKey(pod), pod);
    s.onPodAdd(pod);
  };
  const drain = async (): Promise<void> => {
    while (s.scheduleNext()) {
      /* decide everything queued */
    }
    await s.idle();
  };
  return { clock, rec, s, metrics, addPod, drain, store };
}

const node = (name: string, cpu = '4') => makeNode().name(name).capacity({ cpu, memory: '16Gi' }).obj();

describe('Scheduler', () => {
  it('binds pending pods, packing them onto as few nodes as fit (assumed pods count at once)', async () => {
    const { rec, s, addPod, drain } = setup();
    for (const n of ['a', 'b', 'c']) s.onNodeAdd(node(n));
    for (let i = 0; i < 8; i++) addPod(makePod().name(`p${i}`).requests({ cpu: '1', memory: '1Gi' }).obj());
    await drain();
    expect(rec.bound.size).to.equal(8);
    const used = new Set(rec.bound.values());
    expect(used.size).to.equal(2);
    expect(rec.events.filter((e) => e.startsWith('Scheduled'))).to.have.length(8);
  });

  it('ignores pods for other schedulers and pods already bound, but counts bound pods against their node', async () => {
    const { rec, s, addPod, drain } = setup();
    s.onNodeAdd(node('a', '2'));
    s.onNodeAdd(node('b', '2'));
    addPod(makePod().name('other').schedulerName('someone-else').requests({ cpu: '1' }).obj());
    addPod(makePod().name('bound').nodeName('a').requests({ cpu: '2' }).obj());
    addPod(makePod().name('mine').requests({ cpu: '2' }).obj());
    await drain();
    expect([...rec.bound]).to.deep.equal([['default/mine', 'b']]);
  });

  it('an unschedulable pod gets the message and waits; a new node lets it in', async () => {
    const { clock, rec, s, addPod, drain, metrics } = setup();
    s.onNodeAdd(node('small', '1'));
    s.onNodeAdd(makeNode().name('gpu').capacity({ cpu: '8' }).taint('dedicated', 'gpu', 'NoSchedule').obj());
    addPod(makePod().name('big').requests({ cpu: '2' }).obj());
    await drain();
    expect(rec.bound.size).to.equal(0);
    expect(rec.unschedulableMsgs[0]?.message).to.equal(
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    expect(s.queue.pending()).to.deep.equal({ active: 0, backoff: 0, unschedulable: 1 });
    clock.advance(1_000);
    s.onNodeAdd(node('large', '4'));
    await drain();
    expect(rec.bound.get('default/big')).to.equal('large');
    const text = await metrics.registry.metrics();
    expect(text).to.match(/scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} 1/);
    expect(text).to.match(/scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 1/);
    expect(text).to.match(/scheduler_pending_pods\{queue="unschedulable"\} 0/);
  });

  it('a failed bind forgets the assumed pod and retries after back-off', async () => {
    const { clock, rec, s, addPod, drain } = setup();
    s.onNodeAdd(node('a', '1'));
    rec.failBinds = 1;
    addPod(makePod().name('p').requests({ cpu: '1' }).obj());
    await drain();
    expect(rec.bound.size).to.equal(0);
    expect(s.cache.podCount()).to.equal(0);
    expect(s.queue.pending().backoff).to.equal(1);
    clock.advance(1_000);
    s.queue.flushBackoffCompleted();
    await drain();
    expect(rec.bound.get('default/p')).to.equal('a');
  });

  it('409 "already assigned" to our node settles the bind (a retry of a bind that landed)', async () => {
    const { rec, s, addPod, drain } = setup();
    s.onNodeAdd(node('a', '1'));
    rec.conflictNode = 'a';
    addPod(makePod().name('p').requests({ cpu: '1' }).obj());
    await drain();
    expect(s.cache.isAssumedPod('default/p')).to.equal(true); // still counted, awaiting the informer
    expect(s.queue.pendingPods()).to.deep.equal([]);
    expect(rec.unschedulableMsgs).to.deep.equal([]);
    expect(s.stats.bound).to.equal(1);
  });

  it('409 "already assigned" elsewhere: forgotten, not retried, not reported', async () => {
    const { rec, s, addPod, drain } = setup();
    s.onNodeAdd(node('a', '1'));
    rec.conflictNode = 'other';
    addPod(makePod().name('p').requests({ cpu: '1' }).obj());
    await drain();
    expect(s.cache.podCount()).to.equal(0);
    expect(s.queue.pendingPods()).to.deep.equal([]);
    expect(rec.unschedulableMsgs).to.deep.equal([]);
  });

  it('a pod deleted while binding is not retried', async () => {
    const { rec, s, addPod, drain, store } = setup();
    s.onNodeAdd(node('a', '1'));
    rec.failBinds = 1;
    const p = makePod().name('gone').requests({ cpu: '1' }).obj();
    addPod(p);
    s.scheduleNext();
    store.delete('default/gone');
    s.onPodDelete(p);
    await drain();
    expect(s.queue.pendingPods()).to.deep.equal([]);
  });

  it('the informer confirming a binding keeps the pod counted once', async () => {
    const { rec, s, addPod, drain } = setup();
    s.onNodeAdd(node('a', '2'));
    const p = makePod().name('p').requests({ cpu: '1' }).obj();
    addPod(p);
    await drain();
    s.onPodUpdate(p, { ...p, spec: { ...p.spec!, nodeName: rec.bound.get('default/p')! } });
    s.cache.updateSnapshot(s.snapshot);
    expect(s.snapshot.get('a')!.requested.milliCPU).to.equal(1000);
    expect(s.cache.isAssumedPod('default/p')).to.equal(false);
  });

  describe('priority and preemption', () => {
    it('resolves priorityClassName and pops higher priority first', async () => {
      const { rec, s, addPod, drain } = setup();
      s.onPriorityClassSet(makePriorityClass('high', 1000));
      s.onNodeAdd(node('a', '1'));
      addPod(makePod().name('low').requests({ cpu: '1' }).obj());
      addPod(makePod().name('high').priorityClassName('high').requests({ cpu: '1' }).obj());
      await drain();
      expect([...rec.bound.keys()]).to.deep.equal(['default/high']);
    });

    it('evicts the fewest lower-priority pods and nominates the node', async () => {
      const { rec, s, addPod, drain } = setup();
      s.onNodeAdd(node('one', '2'));
      s.onNodeAdd(node('two', '2'));
      addPod(makePod().name('big-low').nodeName('one').priority(0).requests({ cpu: '2' }).obj());
      addPod(makePod().name('small-low1').nodeName('two').priority(0).requests({ cpu: '1' }).obj());
      addPod(makePod().name('small-low2').nodeName('two').priority(0).requests({ cpu: '1' }).obj());
      addPod(makePod().name('urgent').priority(100).requests({ cpu: '2' }).obj());
      await drain();
      expect(rec.evicted).to.deep.equal(['big-low']);
      expect(rec.unschedulableMsgs.at(-1)).to.deep.include({ pod: 'urgent', nominated: 'one' });
      expect(s.queue.nominator.nominatedNode('default/urgent')).to.equal('one');
    });

    it('keeps the more important of the lower-priority pods (reprieve)', async () => {
      const { rec, s, addPod, drain } = setup();
      s.onNodeAdd(node('n', '4'));
      addPod(makePod().name('p0').nodeName('n').priority(0).requests({ cpu: '1' }).obj());
      addPod(makePod().name('p5').nodeName('n').priority(5).requests({ cpu: '1' }).obj());
      addPod(makePod().name('p9').nodeName('n').priority(9).requests({ cpu: '1' }).obj());
      addPod(makePod().name('urgent').priority(100).requests({ cpu: '2' }).obj());
      await drain();
      expect(rec.evicted).to.deep.equal(['p0']);
    });

    it('does not preempt higher or equal priority pods, nor with preemptionPolicy Never', async () => {
      const { rec, s, addPod, drain } = setup();
      s.onNodeAdd(node('n', '1'));
      addPod(makePod().name('same').nodeName('n').priority(100).requests({ cpu: '1' }).obj());
      addPod(makePod().name('urgent').priority(100).requests({ cpu: '1' }).obj());
      addPod(makePod().name('polite').priority(1000).preemptionPolicy('Never').requests({ cpu: '1' }).obj());
      await drain();
      expect(rec.evicted).to.deep.equal([]);
      expect(rec.unschedulableMsgs.find((m) => m.pod === 'polite')?.message).to.match(/not eligible due to preemptionPolicy=Never\.$/);
    });

    it('space freed for a nominated pod is not taken by a lower-priority pod', async () => {
      const { clock, rec, s, addPod, drain } = setup();
      s.onNodeAdd(node('n', '2'));
      const victim = makePod().name('victim').nodeName('n').priority(0).requests({ cpu: '2' }).obj();
      addPod(victim);
      addPod(makePod().name('urgent').priority(100).requests({ cpu: '2' }).obj());
      await drain();
      expect(rec.evicted).to.deep.equal(['victim']);
      // The victim is gone while the urgent pod still backs off; a low-priority pod comes first.
      addPod(makePod().name('sneaky').priority(0).requests({ cpu: '1' }).obj());
      s.onPodDelete(victim);
      await drain();
      expect(rec.bound.has('default/sneaky')).to.equal(false);
      expect(s.queue.pending().backoff).to.equal(1);
      clock.advance(1_000);
      s.queue.flushBackoffCompleted();
      await drain();
      expect(rec.bound.get('default/urgent')).to.equal('n');
      expect(rec.bound.has('default/sneaky')).to.equal(false);
    });
  });
});
