import { expect } from 'chai';
import { decide, resolveMaxUnavailable } from './decide.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';
import { podForDaemonSet, targetNodeOf } from './podForDaemonSet.js';
import { planHistory } from './revisions.js';
import type { ControllerRevision, DaemonPodSpec, DaemonSet, Node, Pod } from './types.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const node = (name: string, labels: Record<string, string> = {}, taints: { key: string; value?: string; effect: string }[] = []): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } });
const ds = (over: { spec?: DaemonPodSpec; maxUnavailable?: number | string; onDelete?: boolean; minReadySeconds?: number } = {}): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 3, annotations: { 'deprecated.daemonset.template.generation': '2' } },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...(over.spec ?? {}) } },
    updateStrategy: over.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: over.maxUnavailable ?? 1, maxSurge: 0 } },
    ...(over.minReadySeconds ? { minReadySeconds: over.minReadySeconds } : {}),
  },
});
let seq = 0;
const pod = (nodeName: string, hash: string, state: 'ready' | 'pending' | 'failed' = 'ready', bound = true): Pod => {
  const p = podForDaemonSet(ds(), nodeName, hash, '1');
  p.metadata.name = `agent-${++seq}`;
  p.metadata.uid = `p${seq}`;
  p.metadata.creationTimestamp = `2026-12-07T09:${String(seq).padStart(2, '0')}:00Z`;
  if (bound) p.spec = { ...p.spec, nodeName };
  p.status = state === 'ready' ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-07T09:00:00Z' }] } : state === 'failed' ? { phase: 'Failed' } : { phase: 'Pending' };
  return p;
};

describe('daemonset eligibility', () => {
  const cases: { name: string; node: Node; spec?: DaemonPodSpec; run: boolean; stay: boolean }[] = [
    { name: 'a plain node', node: node('n'), run: true, stay: true },
    { name: 'nodeSelector matches', node: node('n', { disk: 'ssd' }), spec: { nodeSelector: { disk: 'ssd' } }, run: true, stay: true },
    { name: 'nodeSelector misses', node: node('n', { disk: 'hdd' }), spec: { nodeSelector: { disk: 'ssd' } }, run: false, stay: false },
    {
      name: 'required affinity: a term matches',
      node: node('n', { zone: 'a' }),
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } },
      run: true,
      stay: true,
    },
    {
      name: 'required affinity: NotIn excludes',
      node: node('n', { zone: 'a' }),
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }] } } } },
      run: false,
      stay: false,
    },
    { name: 'matchFields metadata.name', node: node('n2'), spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } }, run: false, stay: false },
    { name: 'untolerated NoSchedule: no new pod, a running one stays', node: node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), run: false, stay: true },
    { name: 'untolerated NoExecute: neither', node: node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), run: false, stay: false },
    { name: 'tolerated NoExecute', node: node('n', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }] }, run: true, stay: true },
    { name: 'PreferNoSchedule does not matter', node: node('n', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]), run: true, stay: true },
    { name: 'default tolerations: not-ready NoExecute', node: node('n', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), run: true, stay: true },
    { name: 'default tolerations: unreachable NoExecute', node: node('n', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), run: true, stay: true },
    { name: 'default tolerations: cordoned', node: node('n', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), run: true, stay: true },
    { name: 'default tolerations: memory pressure', node: node('n', {}, [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }]), run: true, stay: true },
    { name: 'network-unavailable without hostNetwork', node: node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), run: false, stay: true },
    { name: 'network-unavailable with hostNetwork', node: node('n', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), spec: { hostNetwork: true }, run: true, stay: true },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(nodeShouldRunDaemonPod(tc.node, tc.spec ?? {})).to.deep.equal({ shouldRun: tc.run, shouldContinueRunning: tc.stay }));
  }
});

describe('daemon pods', () => {
  it('pinned to the node by a matchFields affinity (not nodeName), with the default tolerations and labels', () => {
    const p = podForDaemonSet(ds({ spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] } } } } }), 'n1', 'h1', '2');
    const spec = p.spec as DaemonPodSpec;
    expect(spec.nodeName).to.equal(undefined);
    expect(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).to.deep.equal({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
    expect(spec.tolerations?.map((t) => `${t.key}:${t.effect}`)).to.deep.equal([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(p.metadata.labels).to.deep.equal({ app: 'agent', 'controller-revision-hash': 'h1', 'pod-template-generation': '2' });
    expect(p.metadata.generateName).to.equal('agent-');
    expect(p.metadata.ownerReferences?.[0]).to.include({ kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true });
    expect(targetNodeOf(p)).to.equal('n1');
  });
});

describe('daemonset decide', () => {
  const names = (d: ReturnType<typeof decide>): string[] => d.delete.map((x) => `${x.why}:${targetNodeOf(x.pod) ?? ''}`).sort();
  it('a pod per eligible node; none on a tainted node; pods of gone nodes and ineligible nodes go', () => {
    const nodes = [node('a'), node('b'), node('tainted', {}, [{ key: 'k', effect: 'NoExecute' }]), node('c')];
    const pods = [pod('a', 'h'), pod('tainted', 'h'), pod('gone', 'h')];
    const d = decide({ ds: ds(), nodes, pods, hash: 'h', now: NOW, canManage: true });
    expect(d.create.sort()).to.deep.equal(['b', 'c']);
    expect(names(d)).to.deep.equal(['ineligible:tainted', 'nodeGone:gone']);
    expect(d.status).to.include({ desiredNumberScheduled: 3, currentNumberScheduled: 1, numberReady: 1, numberAvailable: 1, updatedNumberScheduled: 1, numberMisscheduled: 1, numberUnavailable: 2, observedGeneration: 3 });
  });
  it('a pod not yet bound counts for its target node; extra pods go; failed pods go (and are replaced later)', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const pods = [pod('a', 'h', 'pending', false), pod('b', 'h'), pod('b', 'h'), pod('c', 'h', 'failed')];
    const d = decide({ ds: ds(), nodes, pods, hash: 'h', now: NOW, canManage: true });
    expect(d.create).to.deep.equal([]);
    expect(names(d)).to.deep.equal(['extra:b', 'failed:c']);
    expect(d.status).to.include({ desiredNumberScheduled: 3, currentNumberScheduled: 2, numberReady: 1 });
  });
  it('while expectations are pending: counts, changes nothing', () => {
    const d = decide({ ds: ds(), nodes: [node('a')], pods: [], hash: 'h', now: NOW, canManage: false });
    expect(d.create).to.deep.equal([]);
    expect(d.status.desiredNumberScheduled).to.equal(1);
  });

  const rolling: { name: string; maxUnavailable: number | string; pods: () => Pod[]; nodes: number; want: string[] }[] = [
    { name: 'all old and available, maxUnavailable 1: one at a time', maxUnavailable: 1, nodes: 3, pods: () => [pod('n0', 'old'), pod('n1', 'old'), pod('n2', 'old')], want: ['update:n0'] },
    { name: 'maxUnavailable 2', maxUnavailable: 2, nodes: 3, pods: () => [pod('n0', 'old'), pod('n1', 'old'), pod('n2', 'old')], want: ['update:n0', 'update:n1'] },
    { name: 'a new pod not ready yet uses the budget', maxUnavailable: 1, nodes: 3, pods: () => [pod('n0', 'new', 'pending'), pod('n1', 'old'), pod('n2', 'old')], want: [] },
    { name: 'a node without a pod uses the budget', maxUnavailable: 1, nodes: 3, pods: () => [pod('n1', 'old'), pod('n2', 'old')], want: [] },
    { name: 'an old pod that is down is replaced at once', maxUnavailable: 1, nodes: 3, pods: () => [pod('n0', 'new'), pod('n1', 'old', 'pending'), pod('n2', 'old')], want: ['update:n1'] },
    { name: 'percentages round up (34% of 3 = 2)', maxUnavailable: '34%', nodes: 3, pods: () => [pod('n0', 'old'), pod('n1', 'old'), pod('n2', 'old')], want: ['update:n0', 'update:n1'] },
  ];
  for (const tc of rolling) {
    it(`rolling update: ${tc.name}`, () => {
      const nodes = Array.from({ length: tc.nodes }, (_, i) => node(`n${i}`));
      expect(names(decide({ ds: ds({ maxUnavailable: tc.maxUnavailable }), nodes, pods: tc.pods(), hash: 'new', now: NOW, canManage: true }))).to.deep.equal(tc.want);
    });
  }
  const node3 = [node('n0'), node('n1'), node('n2')];
  const surge: { name: string; maxSurge: number | string; pods: () => Pod[]; create: string[]; del: string[] }[] = [
    { name: 'maxSurge 1: a new pod beside one old one, nothing deleted yet', maxSurge: 1, pods: () => [pod('n0', 'old'), pod('n1', 'old'), pod('n2', 'old')], create: ['n0'], del: [] },
    { name: 'the new pod is available: its old pod goes, the next node surges', maxSurge: 1, pods: () => [pod('n0', 'old'), pod('n0', 'new'), pod('n1', 'old'), pod('n2', 'old')], create: [], del: ['update:n0'] },
    { name: 'the new pod is not ready: wait, no other node surges', maxSurge: 1, pods: () => [pod('n0', 'old'), pod('n0', 'new', 'pending'), pod('n1', 'old'), pod('n2', 'old')], create: [], del: [] },
    { name: 'an old pod that is down gets its new pod at once', maxSurge: 1, pods: () => [pod('n0', 'old'), pod('n0', 'new', 'pending'), pod('n1', 'old', 'pending'), pod('n2', 'old')], create: ['n1'], del: [] },
    { name: '100%: every node at once', maxSurge: '100%', pods: () => [pod('n0', 'old'), pod('n1', 'old'), pod('n2', 'old')], create: ['n0', 'n1', 'n2'], del: [] },
  ];
  for (const tc of surge) {
    it(`rolling update with surge: ${tc.name}`, () => {
      const d0 = ds();
      d0.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: tc.maxSurge } };
      const d = decide({ ds: d0, nodes: node3, pods: tc.pods(), hash: 'new', now: NOW, canManage: true });
      expect(d.create.sort()).to.deep.equal(tc.create);
      expect(names(d)).to.deep.equal(tc.del);
    });
  }
  it('without surge, a node with an old and a new pod keeps the new one', () => {
    const d = decide({ ds: ds(), nodes: [node('a')], pods: [pod('a', 'old'), pod('a', 'new')], hash: 'new', now: NOW, canManage: true });
    expect(d.delete.map((x) => `${x.why}:${x.pod.metadata.labels?.['controller-revision-hash'] ?? ''}`)).to.deep.equal(['extra:old']);
  });
  it('OnDelete: old pods stay', () => {
    const d = decide({ ds: ds({ onDelete: true }), nodes: [node('a')], pods: [pod('a', 'old')], hash: 'new', now: NOW, canManage: true });
    expect(d.delete).to.deep.equal([]);
    expect(d.status).to.include({ updatedNumberScheduled: 0, currentNumberScheduled: 1 });
  });
  it('minReadySeconds: ready but not yet available, looked at again', () => {
    const d = decide({ ds: ds({ minReadySeconds: 7200 }), nodes: [node('a')], pods: [pod('a', 'h')], hash: 'h', now: NOW, canManage: true });
    expect(d.status).to.include({ numberReady: 1, numberAvailable: 0, numberUnavailable: 1 });
    expect(d.requeueAfterMs).to.be.a('number');
  });
  it('resolveMaxUnavailable', () => {
    expect([resolveMaxUnavailable(3, 10), resolveMaxUnavailable('10%', 5), resolveMaxUnavailable(0, 5), resolveMaxUnavailable(undefined, 5)]).to.deep.equal([3, 1, 1, 1]);
  });
});

describe('daemonset history', () => {
  const rev = (hash: string, revision: number): ControllerRevision => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: `agent-${hash}`, labels: { 'controller-revision-hash': hash } }, revision });
  it('a new template gets the next revision', () => {
    const plan = planHistory(ds(), 'h3', [rev('h1', 1), rev('h2', 2)], []);
    expect(plan.create?.metadata.name).to.equal('agent-h3');
    expect(plan.create?.revision).to.equal(3);
    expect((plan.create?.data as { spec: { template: Record<string, unknown> } }).spec.template.$patch).to.equal('replace');
  });
  it('rolling back to an old template renumbers its revision', () => {
    expect(planHistory(ds(), 'h1', [rev('h1', 1), rev('h2', 2)], []).bump?.to).to.equal(3);
  });
  it('past the history limit, unused old revisions go, oldest first', () => {
    const d = ds();
    d.spec!.revisionHistoryLimit = 1;
    const used = pod('a', 'h2');
    const plan = planHistory(d, 'h4', [rev('h1', 1), rev('h2', 2), rev('h3', 3), rev('h4', 4)], [used]);
    expect(plan.prune.map((r) => r.metadata.name)).to.deep.equal(['agent-h1']);
  });
});
