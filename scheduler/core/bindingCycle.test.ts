// The binding cycle without an API: Reserve in the scheduling cycle, PreBind (VolumeBinding
// waiting for a claim to be bound) in the background while other pods are decided, the bind,
// and Unreserve on every failure path. Informer events are fed by hand; time is a FakeClock.

import { expect } from 'chai';
import { FakeClock, settle } from '../../common/clock.js';
import { makeNode, makePod } from '../../common/testing/builders.js';
import { parseUnschedulableNodes } from '../../common/api/schedulerAnnotations.js';
import { buildFramework, resolveProfile } from '../config/profile.js';
import type { Binder, FilterPlugin, PreBindPlugin, ReservePlugin } from '../framework/interfaces.js';
import { MemoryVolumes } from '../framework/listers.js';
import { Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';
import { podKey } from '../framework/types.js';
import { inTreeRegistry } from '../plugins/registry.js';
import { bindClaim, makeClaim, makeStorageClass, makeVolume, MemoryVolumeBinder, withClaims } from '../plugins/volumeBindingBuilders.js';
import { ANN_SELECTED_NODE } from '../plugins/volumeBindingMatch.js';
import type { SchedulingReporter } from './reporter.js';
import { Scheduler, type Evictor } from './scheduler.js';

class Recorder implements Binder, SchedulingReporter, Evictor {
  bound = new Map<string, string>();
  failBinds = 0;
  reports: { pod: string; message: string; reason: string; nodes?: string }[] = [];
  scheduledEvents: string[] = [];
  async bind(pod: Pod, nodeName: string): Promise<void> {
    if (this.failBinds > 0) {
      this.failBinds--;
      throw new Error('bind refused');
    }
    this.bound.set(podKey(pod), nodeName);
  }
  scheduled(pod: Pod, nodeName: string): void {
    this.scheduledEvents.push(`${pod.metadata?.name} ${nodeName}`);
  }
  unschedulable(pod: Pod, message: string, reason: string, _nominated?: string, nodes?: string): void {
    this.reports.push({ pod: pod.metadata?.name ?? '', message, reason, ...(nodes ? { nodes } : {}) });
  }
  preempted(): void {}
  clearNomination(): void {}
  async evict(): Promise<void> {}
}

const host = (name: string) => makeNode().name(name).labels({ 'kubernetes.io/hostname': name }).capacity({ cpu: '4', memory: '16Gi' }).obj();
const localPath = makeStorageClass('local-path').waitForFirstConsumer().obj();

function setup(opts: { bindTimeoutSeconds?: number; registry?: typeof inTreeRegistry; filters?: string[] } = {}) {
  const clock = new FakeClock();
  const rec = new Recorder();
  const vols = new MemoryVolumes({ classes: [localPath] });
  const volumeBinder = new MemoryVolumeBinder(vols);
  const profile = opts.filters ? { filters: opts.filters, scores: [] } : resolveProfile();
  const pluginConfig = opts.bindTimeoutSeconds ? [{ name: 'VolumeBinding', args: { bindTimeoutSeconds: opts.bindTimeoutSeconds } }] : [];
  const framework = buildFramework('default-scheduler', profile, pluginConfig, { volumes: vols, volumeBinder, clock, ...(opts.registry ? { registry: opts.registry } : {}) });
  const store = new Map<string, Pod>();
  const s = new Scheduler({ framework, binder: rec, reporter: rec, evictor: rec, clock, random: () => 0, lookupPod: (k) => store.get(k) });
  const addPod = (pod: Pod): void => {
    store.set(podKey(pod), pod);
    s.onPodAdd(pod);
  };
  /** As the informer delivers a deletion: gone from its store first. */
  const deletePod = (pod: Pod): void => {
    store.delete(podKey(pod));
    s.onPodDelete(pod);
  };
  /** Decides everything queued, without waiting for binding cycles. */
  const decide = (): void => {
    while (s.scheduleNext()) {
      /* next */
    }
  };
  for (const n of ['a', 'b']) s.onNodeAdd(host(n));
  return { clock, rec, vols, volumeBinder, s, addPod, deletePod, decide };
}

describe('Scheduler binding cycle', () => {
  it('a pod waiting in PreBind for its claim does not hold up other pods; it is bound once the claim is', async () => {
    const { rec, vols, s, addPod, decide } = setup();
    vols.setClaim(makeClaim('data').storageClass('local-path').obj());
    addPod(withClaims(makePod().name('db').requests({ cpu: '1' }).obj(), 'data'));
    addPod(makePod().name('web').requests({ cpu: '1' }).obj());
    decide();
    await settle();
    expect(rec.bound.get('default/web'), 'decided and bound while db waits').to.be.a('string');
    expect(rec.bound.has('default/db')).to.equal(false);
    const chosen = vols.claim('default', 'data')!.metadata!.annotations![ANN_SELECTED_NODE]!;
    expect(chosen).to.be.oneOf(['a', 'b']);
    // The assumed pod counts on its node while it waits.
    expect(s.cache.getPod('default/db')?.nodeName).to.equal(chosen);
    // The provisioner and the binder do their part.
    bindClaim(vols, 'data', makeVolume('pvc-uid-data').storageClass('local-path').onHost(chosen).obj());
    await s.idle();
    expect(rec.bound.get('default/db')).to.equal(chosen);
    expect(rec.scheduledEvents).to.include(`db ${chosen}`);
  });

  it('PreBind timing out: Unreserve takes the annotation back, the pod is told why and retried after back-off', async () => {
    const { clock, rec, vols, volumeBinder, s, addPod, decide } = setup({ bindTimeoutSeconds: 5 });
    vols.setClaim(makeClaim('data').storageClass('local-path').obj());
    addPod(withClaims(makePod().name('db').obj(), 'data'));
    decide();
    await settle();
    const chosen = vols.claim('default', 'data')!.metadata!.annotations![ANN_SELECTED_NODE]!;
    await clock.advanceAsync(5_000);
    await s.idle();
    expect(rec.bound.size).to.equal(0);
    expect(volumeBinder.calls).to.deep.equal([`annotate data ${chosen}`, 'annotate data -']);
    expect(vols.claim('default', 'data')!.metadata!.annotations?.[ANN_SELECTED_NODE]).to.equal(undefined);
    expect(rec.reports).to.deep.equal([
      { pod: 'db', reason: 'SchedulerError', message: 'running PreBind plugin "VolumeBinding": binding volumes: timed out after 5s waiting for PersistentVolumeClaim(s) default/data to be bound' },
    ]);
    expect(s.cache.podCount(), 'the assumed pod is forgotten').to.equal(0);
    expect(s.queue.pending().backoff).to.equal(1);
    // Retried after back-off: a fresh choice, annotated again.
    clock.advance(1_000);
    s.queue.flushBackoffCompleted();
    decide();
    await settle();
    expect(vols.claim('default', 'data')!.metadata!.annotations?.[ANN_SELECTED_NODE]).to.be.oneOf(['a', 'b']);
    await s.stop();
  });

  it('a missing claim: FailedScheduling and the per-node annotation carry the reason; the claim appearing re-queues the pod', async () => {
    const { clock, rec, vols, s, addPod, decide } = setup();
    addPod(withClaims(makePod().name('db').obj(), 'data'));
    decide();
    expect(rec.reports).to.have.length(1);
    expect(rec.reports[0]!.message).to.match(/^0\/2 nodes are available: persistentvolumeclaim "data" not found\./);
    expect(rec.reports[0]!.reason).to.equal('Unschedulable');
    expect(parseUnschedulableNodes(rec.reports[0]!.nodes)).to.deep.equal({ nodes: { a: ['persistentvolumeclaim "data" not found'], b: ['persistentvolumeclaim "data" not found'] } });
    expect(s.queue.pending().unschedulable).to.equal(1);
    // An unrelated event (a node's taints) does not wake it; the claim (and its binding) does.
    s.onNodeUpdate(host('a'), makeNode().name('a').labels({ 'kubernetes.io/hostname': 'a' }).capacity({ cpu: '4', memory: '16Gi' }).taint('x', 'y', 'NoSchedule').obj());
    expect(s.queue.pending().unschedulable).to.equal(1);
    const claim = makeClaim('data').storageClass('local-path').boundTo('pv-b').obj();
    vols.setVolume(makeVolume('pv-b').storageClass('local-path').onHost('b').boundTo(claim).obj());
    vols.setClaim(claim);
    s.onStorageEvent('PvcAdd');
    expect(s.queue.pending().unschedulable).to.equal(0);
    clock.advance(1_000); // the back-off of the first attempt
    s.queue.flushBackoffCompleted();
    decide();
    await s.idle();
    expect(rec.bound.get('default/db')).to.equal('b');
  });

  describe('with a recording plugin', () => {
    const make = (log: string[], b: { reserve?: Status; preBind?: Status } = {}): FilterPlugin & ReservePlugin & PreBindPlugin => ({
      name: 'Rec',
      filter: () => Status.success,
      reserve: (_s, p, n) => {
        log.push(`reserve ${p.name} ${n}`);
        return b.reserve ?? Status.success;
      },
      unreserve: (_s, p, n) => {
        log.push(`unreserve ${p.name} ${n}`);
      },
      preBind: async (_s, p, n) => {
        log.push(`preBind ${p.name} ${n}`);
        return b.preBind ?? Status.success;
      },
    });
    const withRec = (log: string[], b: { reserve?: Status; preBind?: Status } = {}) => {
      const registry = new Map(inTreeRegistry);
      const plugin = make(log, b);
      registry.set('Rec', () => plugin);
      return setup({ registry, filters: ['NodeName', 'Rec'] });
    };

    it('success: Reserve, PreBind, then the bind; no Unreserve', async () => {
      const log: string[] = [];
      const { rec, s, addPod, decide } = withRec(log);
      addPod(makePod().name('p').nodeSelector({ 'kubernetes.io/hostname': 'a' }).obj());
      decide();
      await s.idle();
      expect(log).to.deep.equal([`reserve p ${rec.bound.get('default/p')}`, `preBind p ${rec.bound.get('default/p')}`]);
    });

    it('a failed bind after PreBind runs Unreserve and retries the pod', async () => {
      const log: string[] = [];
      const { rec, s, addPod, decide } = withRec(log);
      rec.failBinds = 1;
      addPod(makePod().name('p').obj());
      decide();
      await s.idle();
      expect(log.map((l) => l.split(' ')[0])).to.deep.equal(['reserve', 'preBind', 'unreserve']);
      expect(s.cache.podCount()).to.equal(0);
      expect(s.queue.pending().backoff).to.equal(1);
    });

    it('PreBind refusing: Unreserve, no bind, the reason reported', async () => {
      const log: string[] = [];
      const { rec, s, addPod, decide } = withRec(log, { preBind: Status.error('quota exhausted') });
      addPod(makePod().name('p').obj());
      decide();
      await s.idle();
      expect(log.map((l) => l.split(' ')[0])).to.deep.equal(['reserve', 'preBind', 'unreserve']);
      expect(rec.bound.size).to.equal(0);
      expect(rec.reports.map((r) => r.message)).to.deep.equal(['running PreBind plugin "Rec": quota exhausted']);
    });

    it('Reserve refusing: Unreserve at once, the pod forgotten, reported and retried', async () => {
      const log: string[] = [];
      const { rec, s, addPod, decide } = withRec(log, { reserve: Status.unschedulable('no room left') });
      addPod(makePod().name('p').obj());
      decide();
      await s.idle();
      expect(log.map((l) => l.split(' ')[0])).to.deep.equal(['reserve', 'unreserve']);
      expect(rec.bound.size).to.equal(0);
      expect(s.cache.podCount()).to.equal(0);
      expect(rec.reports.map((r) => `${r.reason}: ${r.message}`)).to.deep.equal(['SchedulerError: running Reserve plugin "Rec": no room left']);
      expect(s.queue.pending().backoff).to.equal(1);
    });
  });

  it('the pod deleted while PreBind waits: the wait ends, the annotation is taken back, nothing retried or reported', async () => {
    const { rec, vols, s, addPod, deletePod, decide } = setup();
    vols.setClaim(makeClaim('data').storageClass('local-path').obj());
    const db = withClaims(makePod().name('db').obj(), 'data');
    addPod(db);
    decide();
    await settle();
    expect(vols.claim('default', 'data')!.metadata!.annotations?.[ANN_SELECTED_NODE]).to.be.oneOf(['a', 'b']);
    deletePod(db);
    await s.idle();
    expect(vols.claim('default', 'data')!.metadata!.annotations?.[ANN_SELECTED_NODE]).to.equal(undefined);
    expect(rec.reports).to.deep.equal([]);
    expect(s.queue.pendingPods()).to.deep.equal([]);
    expect(s.cache.podCount()).to.equal(0);
  });

  it('stop() ends a PreBind wait at once, without a FailedScheduling report', async () => {
    const { rec, vols, s, addPod, decide } = setup();
    vols.setClaim(makeClaim('data').storageClass('local-path').obj());
    addPod(withClaims(makePod().name('db').obj(), 'data'));
    decide();
    await settle();
    await s.stop();
    expect(rec.reports).to.deep.equal([]);
    expect(vols.claim('default', 'data')!.metadata!.annotations?.[ANN_SELECTED_NODE], 'taken back').to.equal(undefined);
    expect(vols.subscriberCount()).to.equal(0);
  });
});
