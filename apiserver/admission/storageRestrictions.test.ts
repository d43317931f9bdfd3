import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { ForbiddenError } from '../../common/errors.js';
import { admitPersistentVolumeClaimUpdate, admitPersistentVolumeUpdate } from './storageRestrictions.js';
import type { StorageClassLookup } from './storageDefaults.js';

type Requester = { name: string; uid: string; groups: string[] };
const scheduler: Requester = { name: 'system:kube-scheduler', uid: 's', groups: ['system:authenticated'] };
const n1: Requester = { name: 'system:node:n1', uid: 'n1', groups: ['system:nodes'] };
const admin: Requester = { name: 'admin', uid: 'a', groups: ['system:masters'] };
const controllers: Requester = { name: 'system:kube-controller-manager', uid: 'c', groups: [] };

const classes: StorageClassLookup = {
  get: (n) => ({ fixed: { metadata: { name: 'fixed' }, provisioner: 'p' }, growable: { metadata: { name: 'growable' }, provisioner: 'p', allowVolumeExpansion: true } })[n] as KubeObject | undefined,
  list: () => [],
};

const claim = (className: string): KubeObject => ({
  metadata: { name: 'c', namespace: 'a', resourceVersion: '7', annotations: { keep: 'x' } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: className, volumeName: 'pv' },
  status: { phase: 'Bound' },
});

const outcome = (fn: () => void): string => {
  try {
    fn();
    return 'allowed';
  } catch (e) {
    if (e instanceof ForbiddenError) return 'forbidden';
    throw e;
  }
};

describe('claim updates: the scheduler\'s annotation, growth by class', () => {
  const cases: { name: string; who: Requester; className?: string; sub?: 'status'; change: (c: KubeObject) => void; want: string }[] = [
    { name: 'the scheduler sets the selected node', who: scheduler, change: (c) => (c.metadata.annotations!['volume.kubernetes.io/selected-node'] = 'n1'), want: 'allowed' },
    { name: 'the scheduler removes it', who: scheduler, change: (c) => delete c.metadata.annotations!['volume.kubernetes.io/selected-node'], want: 'allowed' },
    { name: 'a write that changes nothing (a new resourceVersion only)', who: scheduler, change: (c) => (c.metadata.resourceVersion = '8'), want: 'allowed' },
    { name: 'the scheduler changes another annotation', who: scheduler, change: (c) => (c.metadata.annotations!.keep = 'y'), want: 'forbidden' },
    { name: 'the scheduler adds a label', who: scheduler, change: (c) => (c.metadata.labels = { a: 'b' }), want: 'forbidden' },
    { name: 'the scheduler drops the protection finalizer', who: scheduler, change: (c) => (c.metadata.finalizers = []), want: 'forbidden' },
    { name: 'the scheduler changes the spec', who: scheduler, change: (c) => ((c.spec as Record<string, unknown>).volumeName = 'other'), want: 'forbidden' },
    { name: 'the scheduler writes status', who: scheduler, sub: 'status', change: (c) => (c.status = { phase: 'Lost' }), want: 'forbidden' },
    { name: 'growth where the class does not allow it', who: admin, className: 'fixed', change: (c) => (((c.spec as { resources: { requests: Record<string, string> } }).resources.requests.storage = '2Gi')), want: 'forbidden' },
    { name: 'growth of a claim whose class does not exist', who: admin, className: 'gone', change: (c) => (((c.spec as { resources: { requests: Record<string, string> } }).resources.requests.storage = '2Gi')), want: 'forbidden' },
    { name: 'growth where the class allows it', who: admin, className: 'growable', change: (c) => (((c.spec as { resources: { requests: Record<string, string> } }).resources.requests.storage = '2Gi')), want: 'allowed' },
    { name: 'the same size written differently is no growth', who: admin, className: 'fixed', change: (c) => (((c.spec as { resources: { requests: Record<string, string> } }).resources.requests.storage = '1024Mi')), want: 'allowed' },
    { name: 'the controllers annotate a claim', who: controllers, change: (c) => (c.metadata.annotations!['pv.kubernetes.io/bind-completed'] = 'yes'), want: 'allowed' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const old = claim(tc.className ?? 'fixed');
      const next = structuredClone(old);
      tc.change(next);
      expect(outcome(() => admitPersistentVolumeClaimUpdate(next, old, tc.who, tc.sub, classes))).to.equal(tc.want);
    });
  }
});

describe('volume updates by nodes: only their own volume\'s cleanup finalizer', () => {
  const volume = (node: string | undefined, finalizers: string[]): KubeObject => ({
    metadata: { name: 'pvc-1', resourceVersion: '5', labels: node ? { 'storage.gantry.dev/node': node } : {}, finalizers },
    spec: { capacity: { storage: '1Gi' }, persistentVolumeReclaimPolicy: 'Delete' },
  });
  const both = ['kubernetes.io/pv-protection', 'storage.gantry.dev/local-path-cleanup'];
  const cases: { name: string; who: Requester; old: KubeObject; sub?: 'status'; change: (v: KubeObject) => void; want: string }[] = [
    { name: 'drops the cleanup finalizer of its own volume', who: n1, old: volume('n1', both), change: (v) => (v.metadata.finalizers = ['kubernetes.io/pv-protection']), want: 'allowed' },
    { name: 'drops its last finalizer', who: n1, old: volume('n1', ['storage.gantry.dev/local-path-cleanup']), change: (v) => delete v.metadata.finalizers, want: 'allowed' },
    { name: 'drops its last finalizer, leaving an empty list (a JSON patch remove)', who: n1, old: volume('n1', ['storage.gantry.dev/local-path-cleanup']), change: (v) => (v.metadata.finalizers = []), want: 'allowed' },
    { name: 'another node\'s volume', who: n1, old: volume('n2', both), change: (v) => (v.metadata.finalizers = ['kubernetes.io/pv-protection']), want: 'forbidden' },
    { name: 'an unlabelled volume', who: n1, old: volume(undefined, both), change: (v) => (v.metadata.finalizers = ['kubernetes.io/pv-protection']), want: 'forbidden' },
    { name: 'drops the protection finalizer', who: n1, old: volume('n1', both), change: (v) => (v.metadata.finalizers = ['storage.gantry.dev/local-path-cleanup']), want: 'forbidden' },
    { name: 'drops both', who: n1, old: volume('n1', both), change: (v) => (v.metadata.finalizers = []), want: 'forbidden' },
    { name: 'a no-op (nothing to drop)', who: n1, old: volume('n1', ['kubernetes.io/pv-protection']), change: () => undefined, want: 'forbidden' },
    { name: 'relabels it to itself while dropping the finalizer', who: n1, old: volume('n1', both), change: (v) => Object.assign(v.metadata, { finalizers: ['kubernetes.io/pv-protection'], labels: { 'storage.gantry.dev/node': 'n1', extra: 'x' } }), want: 'forbidden' },
    { name: 'changes the spec', who: n1, old: volume('n1', both), change: (v) => Object.assign(v.metadata, { finalizers: ['kubernetes.io/pv-protection'] }) && ((v.spec as Record<string, unknown>).persistentVolumeReclaimPolicy = 'Retain'), want: 'forbidden' },
    { name: 'writes status', who: n1, old: volume('n1', both), sub: 'status', change: (v) => (v.status = { phase: 'Failed' }), want: 'forbidden' },
    { name: 'others are not narrowed', who: controllers, old: volume('n2', both), change: (v) => (v.metadata.labels = {}), want: 'allowed' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const next = structuredClone(tc.old);
      tc.change(next);
      next.metadata.resourceVersion = '6';
      expect(outcome(() => admitPersistentVolumeUpdate(next, tc.old, tc.who, tc.sub))).to.equal(tc.want);
    });
  }
});
