import { expect } from 'chai';
import { decide, type Decision } from './decide.js';
import { makeStatefulSet, revision, stsClaim, stsPod, type PodState, type StatefulSetBuilder } from './testing.js';
import type { PersistentVolumeClaim, Pod, StatefulSet } from './types.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');

interface Case {
  name: string;
  set: (b: StatefulSetBuilder) => StatefulSetBuilder;
  /** ordinal -> state, at the old ('o') or new ('n') revision: e.g. { 0: 'ready', 1: 'o:ready' }. */
  pods?: Record<number, PodState | `${'o' | 'n'}:${PodState}`>;
  claims?: (set: StatefulSet) => PersistentVolumeClaim[];
  canManage?: boolean;
  want: { create?: string[]; createRevision?: string[]; claims?: string[]; delete?: string[]; waiting?: RegExp; requeue?: number };
}

const OLD = 'web-old';
const NEW = 'web-new';

function run(tc: Case): { d: Decision; set: StatefulSet } {
  const set = tc.set(makeStatefulSet()).obj();
  const current = revision(OLD, set, { ...set.spec!.template, metadata: { labels: { app: 'web', v: 'old' } } });
  const update = revision(NEW, set);
  const pods: Pod[] = Object.entries(tc.pods ?? {}).map(([ord, s]) => {
    const [rev, state] = s.includes(':') ? (s.split(':') as ['o' | 'n', PodState]) : (['n', s] as ['n', PodState]);
    return stsPod(set, Number(ord), rev === 'o' ? current : update, state);
  });
  const claims = new Map((tc.claims?.(set) ?? []).map((c) => [c.metadata.name ?? '', c]));
  const d = decide({ set, pods, claims, current, update, now: NOW, canManage: tc.canManage ?? true });
  return { d, set };
}

describe('statefulset decide', () => {
  const cases: Case[] = [
    { name: 'OrderedReady, nothing yet: only web-0, its claim first', set: (b) => b.claim('data'), want: { create: ['web-0'], claims: ['data-web-0'], waiting: /creating web-0/ } },
    { name: 'OrderedReady: web-0 Running and Ready -> web-1', set: (b) => b, pods: { 0: 'ready' }, want: { create: ['web-1'] } },
    { name: 'OrderedReady: web-0 pending -> wait', set: (b) => b, pods: { 0: 'pending' }, want: { waiting: /web-0 is not Running and Ready/ } },
    { name: 'OrderedReady: web-0 running but not ready -> wait', set: (b) => b, pods: { 0: 'running' }, want: { waiting: /web-0 is not Running and Ready/ } },
    { name: 'OrderedReady: a gap is filled before going on', set: (b) => b, pods: { 0: 'ready', 2: 'ready' }, want: { create: ['web-1'] } },
    { name: 'Parallel: every missing pod at once', set: (b) => b.parallel().claim('data'), pods: { 1: 'pending' }, want: { create: ['web-0', 'web-2'], claims: ['data-web-0', 'data-web-2'] } },
    { name: 'ordinals.start 5: web-5 first', set: (b) => b.start(5), want: { create: ['web-5'] } },
    { name: 'ordinals.start 5: web-0 is out of range and goes', set: (b) => b.start(5).replicas(1), pods: { 0: 'ready', 5: 'ready' }, want: { delete: ['scaleDown:web-0'] } },
    { name: 'minReadySeconds: ready but not available -> wait and look again then', set: (b) => b.minReadySeconds(3600 + 60), pods: { 0: 'ready' }, want: { waiting: /not available yet/, requeue: 60_000 } },
    { name: 'an existing claim is not made again', set: (b) => b.claim('data'), pods: { 0: 'ready' }, claims: (s) => [stsClaim(s, 'data', 1)], want: { create: ['web-1'], claims: [] } },
    {
      name: 'a claim being deleted: the pod waits for it to go',
      set: (b) => b.claim('data'),
      claims: (s) => [{ ...stsClaim(s, 'data', 0), metadata: { ...stsClaim(s, 'data', 0).metadata, deletionTimestamp: '2026-12-07T09:59:00Z' } }],
      want: { waiting: /claim data-web-0 is being deleted/ },
    },
    { name: 'a failed pod is deleted (made again next sync), OrderedReady stops there', set: (b) => b, pods: { 0: 'failed' }, want: { delete: ['failed:web-0'], waiting: /web-0 failed/ } },
    { name: 'a succeeded pod too', set: (b) => b.parallel(), pods: { 0: 'ready', 1: 'succeeded', 2: 'ready' }, want: { delete: ['failed:web-1'] } },
    { name: 'scale down 3 -> 1: web-2 alone first', set: (b) => b.replicas(1), pods: { 0: 'ready', 1: 'ready', 2: 'ready' }, want: { delete: ['scaleDown:web-2'] } },
    { name: 'scale down waits while web-2 terminates', set: (b) => b.replicas(1), pods: { 0: 'ready', 1: 'ready', 2: 'terminating' }, want: { waiting: /web-2 is terminating/ } },
    { name: 'scale down waits for an unhealthy pod in range', set: (b) => b.replicas(2), pods: { 0: 'ready', 1: 'pending', 2: 'ready' }, want: { waiting: /web-1 is not Running and Ready/ } },
    { name: 'scale down: web-2 unhealthy waits while web-1 is the first unhealthy pod', set: (b) => b.replicas(1), pods: { 0: 'ready', 1: 'pending', 2: 'pending' }, want: { waiting: /web-2 is not Running and Ready: not scaling down/ } },
    { name: 'scale down: the first unhealthy pod may go', set: (b) => b.replicas(1), pods: { 0: 'ready', 1: 'ready', 2: 'pending' }, want: { delete: ['scaleDown:web-2'] } },
    { name: 'Parallel scale down: all at once, whatever their health', set: (b) => b.replicas(1).parallel(), pods: { 0: 'ready', 1: 'pending', 2: 'ready' }, want: { delete: ['scaleDown:web-1', 'scaleDown:web-2'] } },
    { name: 'rolling update: the highest old pod first, one at a time', set: (b) => b, pods: { 0: 'o:ready', 1: 'o:ready', 2: 'o:ready' }, want: { delete: ['update:web-2'] } },
    { name: 'rolling update: waits while a pod is down', set: (b) => b, pods: { 0: 'o:ready', 1: 'o:ready', 2: 'n:pending' }, want: { waiting: /web-2 is not Running/ } },
    { name: 'rolling update: next one once the updated pod is ready', set: (b) => b, pods: { 0: 'o:ready', 1: 'o:ready', 2: 'n:ready' }, want: { delete: ['update:web-1'] } },
    { name: 'rolling update: the missing pod is made at the update revision', set: (b) => b, pods: { 0: 'o:ready', 1: 'o:ready' }, want: { create: ['web-2'], createRevision: [NEW] } },
    { name: 'partition 2: only ordinals >= 2 are updated', set: (b) => b.partition(2), pods: { 0: 'o:ready', 1: 'o:ready', 2: 'n:ready' }, want: {} },
    { name: 'partition 2: a missing pod below it is made at the current revision', set: (b) => b.partition(2), pods: { 1: 'o:ready', 2: 'n:ready' }, want: { create: ['web-0'], createRevision: [OLD] } },
    { name: 'partition with ordinals.start: relative to the start', set: (b) => b.start(3).partition(2), pods: { 3: 'o:ready', 4: 'o:ready', 5: 'o:ready' }, want: { delete: ['update:web-5'] } },
    { name: 'maxUnavailable 2: two at once', set: (b) => b.maxUnavailable(2), pods: { 0: 'o:ready', 1: 'o:ready', 2: 'o:ready' }, want: { delete: ['update:web-1', 'update:web-2'] } },
    { name: 'maxUnavailable 50% of 3 rounds up to 2', set: (b) => b.parallel().maxUnavailable('50%'), pods: { 0: 'o:ready', 1: 'o:ready', 2: 'o:ready' }, want: { delete: ['update:web-1', 'update:web-2'] } },
    { name: 'maxUnavailable 2 with one pod down: one more', set: (b) => b.parallel().maxUnavailable(2), pods: { 0: 'o:ready', 1: 'o:ready', 2: 'n:pending' }, want: { delete: ['update:web-1'] } },
    { name: 'Parallel: an old pod that is down is replaced whatever the budget', set: (b) => b.parallel(), pods: { 0: 'o:ready', 1: 'o:running', 2: 'n:pending' }, want: { delete: ['update:web-1'] } },
    { name: 'OnDelete: old pods stay', set: (b) => b.onDelete(), pods: { 0: 'o:ready', 1: 'o:ready', 2: 'o:ready' }, want: {} },
    { name: 'OnDelete: a deleted pod comes back at the update revision', set: (b) => b.onDelete(), pods: { 0: 'o:ready', 1: 'o:ready' }, want: { create: ['web-2'], createRevision: [NEW] } },
    { name: 'scale-down wins over an update', set: (b) => b.replicas(2), pods: { 0: 'o:ready', 1: 'o:ready', 2: 'o:ready' }, want: { delete: ['scaleDown:web-2'] } },
    { name: 'expectations pending: nothing changes', set: (b) => b, canManage: false, want: {} },
    { name: 'a set being deleted: nothing changes', set: (b) => b.deleting(), pods: { 0: 'failed' }, want: {} },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { d } = run(tc);
      expect(d.create.map((c) => c.pod.metadata.name), 'create').to.deep.equal(tc.want.create ?? []);
      if (tc.want.createRevision) expect(d.create.map((c) => c.pod.metadata.labels?.['controller-revision-hash'])).to.deep.equal(tc.want.createRevision);
      if (tc.want.claims) expect(d.create.flatMap((c) => c.claims.map((x) => x.metadata.name))).to.deep.equal(tc.want.claims);
      expect(d.delete.map((x) => `${x.why}:${x.pod.metadata.name ?? ''}`).sort(), 'delete').to.deep.equal(tc.want.delete ?? []);
      if (tc.want.waiting) expect(d.waiting).to.match(tc.want.waiting);
      if (tc.want.requeue !== undefined) expect(d.requeueAfterMs).to.equal(tc.want.requeue);
    });
  }

  it('a failed pod already terminating: waits for it to go, makes nothing', () => {
    const set = makeStatefulSet().obj();
    const rev = revision(NEW, set);
    const p = stsPod(set, 0, rev, 'failed');
    p.metadata.deletionTimestamp = '2026-12-07T09:59:00Z';
    const d = decide({ set, pods: [p], claims: new Map(), current: rev, update: rev, now: NOW, canManage: true });
    expect([d.delete, d.create]).to.deep.equal([[], []]);
  });

  it('a pod made below the partition has the current revision template', () => {
    const { d } = run({ name: '', set: (b) => b.partition(2), pods: { 1: 'o:ready', 2: 'n:ready' }, want: {} });
    expect(d.create[0]!.pod.metadata.labels).to.include({ v: 'old', 'controller-revision-hash': OLD });
  });

  it('RollingUpdate without a rollingUpdate block: new pods below status.currentReplicas keep the current revision; every ordinal is updated', () => {
    const set = makeStatefulSet().obj();
    set.spec!.updateStrategy = { type: 'RollingUpdate' };
    set.status = { replicas: 3, currentReplicas: 2 };
    const current = revision(OLD, set);
    const update = revision(NEW, set);
    const missing0 = decide({ set, pods: [stsPod(set, 1, current), stsPod(set, 2, update)], claims: new Map(), current, update, now: NOW, canManage: true });
    expect(missing0.create.map((x) => x.pod.metadata.labels?.['controller-revision-hash'])).to.deep.equal([OLD]);
    const all = decide({ set, pods: [stsPod(set, 0, current), stsPod(set, 1, current), stsPod(set, 2, update)], claims: new Map(), current, update, now: NOW, canManage: true });
    expect(all.delete.map((x) => x.pod.metadata.name)).to.deep.equal(['web-1']);
  });

  it('a pod that lost its identity labels gets them back', () => {
    const set = makeStatefulSet().replicas(1).obj();
    const rev = revision(NEW, set);
    const p = stsPod(set, 0, rev);
    delete p.metadata.labels!['statefulset.kubernetes.io/pod-name'];
    const d = decide({ set, pods: [p], claims: new Map(), current: rev, update: rev, now: NOW, canManage: true });
    expect(d.relabel.map((r) => r.labels)).to.deep.equal([{ 'statefulset.kubernetes.io/pod-name': 'web-0' }]);
  });

  it('a pending pod whose claim was deleted gets the claim again', () => {
    const set = makeStatefulSet().replicas(1).claim('data').claim('logs').obj();
    const rev = revision(NEW, set);
    const d = decide({ set, pods: [stsPod(set, 0, rev, 'pending')], claims: new Map([['data-web-0', stsClaim(set, 'data', 0)]]), current: rev, update: rev, now: NOW, canManage: true });
    expect(d.restoreClaims.map((c) => c.metadata.name)).to.deep.equal(['logs-web-0']);
  });

  describe('retention policy on claims', () => {
    const claimsOf = (set: StatefulSet): PersistentVolumeClaim[] => [0, 1, 2].map((o) => stsClaim(set, 'data', o));
    const owners = (d: Decision): Record<string, string[]> => Object.fromEntries(d.claimOwners.map((c) => [c.claim.metadata.name ?? '', c.ownerReferences.map((r) => `${r.kind}/${r.name}`)]));
    const cases: { name: string; policy: ['Retain' | 'Delete', 'Retain' | 'Delete']; want: Record<string, string[]> }[] = [
      { name: 'Retain/Retain: no owners', policy: ['Retain', 'Retain'], want: {} },
      { name: 'whenDeleted Delete: every claim owned by the set', policy: ['Delete', 'Retain'], want: { 'data-web-0': ['StatefulSet/web'], 'data-web-1': ['StatefulSet/web'], 'data-web-2': ['StatefulSet/web'] } },
      { name: 'whenScaled Delete: the scaled-down pod owns its claim', policy: ['Retain', 'Delete'], want: { 'data-web-2': ['Pod/web-2'] } },
      { name: 'both Delete: the set, and the pod alone for a scaled-down claim', policy: ['Delete', 'Delete'], want: { 'data-web-0': ['StatefulSet/web'], 'data-web-1': ['StatefulSet/web'], 'data-web-2': ['Pod/web-2'] } },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const set = makeStatefulSet().replicas(2).claim('data').retention(...tc.policy).obj();
        const rev = revision(NEW, set);
        const pods = [0, 1, 2].map((o) => stsPod(set, o, rev));
        const d = decide({ set, pods, claims: new Map(claimsOf(set).map((c) => [c.metadata.name ?? '', c])), current: rev, update: rev, now: NOW, canManage: true });
        expect(owners(d)).to.deep.equal(tc.want);
        expect(d.delete.map((x) => x.pod.metadata.name)).to.deep.equal(['web-2']);
      });
    }
    it('back to Retain: our references go, others stay; a claim already right is left alone', () => {
      const set = makeStatefulSet().replicas(2).claim('data').obj();
      const rev = revision(NEW, set);
      const c0 = stsClaim(set, 'data', 0);
      c0.metadata.ownerReferences = [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'web-uid' },
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm-uid' },
      ];
      const d = decide({ set, pods: [stsPod(set, 0, rev), stsPod(set, 1, rev)], claims: new Map([['data-web-0', c0], ['data-web-1', stsClaim(set, 'data', 1)]]), current: rev, update: rev, now: NOW, canManage: true });
      expect(owners(d)).to.deep.equal({ 'data-web-0': ['ConfigMap/keep'] });
    });
  });

  describe('status', () => {
    const statusOf = (tc: Omit<Case, 'name' | 'want'>): Decision['status'] => run({ ...tc, name: '', want: {} }).d.status;
    it('counts replicas, ready, available, current and updated; the revisions; observedGeneration', () => {
      expect(statusOf({ set: (b) => b.partition(1), pods: { 0: 'o:ready', 1: 'n:ready', 2: 'n:pending' } })).to.deep.equal({
        replicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        currentReplicas: 1,
        updatedReplicas: 2,
        currentRevision: OLD,
        updateRevision: NEW,
        observedGeneration: 1,
        collisionCount: 0,
      });
    });
    it('every pod updated and ready: the update revision becomes current', () => {
      expect(statusOf({ set: (b) => b, pods: { 0: 'n:ready', 1: 'n:ready', 2: 'n:ready' } })).to.include({ currentRevision: NEW, currentReplicas: 3, updatedReplicas: 3 });
    });
    it('OnDelete: the current revision stays', () => {
      expect(statusOf({ set: (b) => b.onDelete(), pods: { 0: 'n:ready', 1: 'n:ready', 2: 'n:ready' } })).to.include({ currentRevision: OLD, currentReplicas: 0 });
    });
    it('terminating pods count as replicas but not as current or updated', () => {
      expect(statusOf({ set: (b) => b, pods: { 0: 'n:ready', 1: 'n:terminating' } })).to.include({ replicas: 2, updatedReplicas: 1 });
    });
    it('minReadySeconds: ready is not yet available', () => {
      expect(statusOf({ set: (b) => b.minReadySeconds(7200), pods: { 0: 'ready' } })).to.include({ readyReplicas: 1, availableReplicas: 0 });
    });
  });
});
