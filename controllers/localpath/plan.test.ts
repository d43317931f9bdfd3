import { expect } from 'chai';
import { claim, node, storageClass, volume } from '../persistentvolume/fixtures.js';
import { annBetaStorageProvisioner, annProvisionedBy, annStorageProvisioner } from '../persistentvolume/names.js';
import type { Node, PersistentVolumeClaim, StorageClass } from '../persistentvolume/types.js';
import { localPathRootAnnotation } from './names.js';
import { chooseNode, volumeFor, wantsProvisioning } from './plan.js';

const handed = (c: PersistentVolumeClaim, to = 'gantry.dev/local-path'): PersistentVolumeClaim => ({ ...c, metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, [annStorageProvisioner]: to } } });
const readyNode = (name: string, o: { root?: string; ready?: boolean; unschedulable?: boolean; hostname?: string; taint?: 'NoSchedule' | 'PreferNoSchedule' } = {}): Node => {
  const n = node(name, { 'kubernetes.io/hostname': o.hostname ?? name });
  n.metadata.annotations = o.root === undefined ? {} : { [localPathRootAnnotation]: o.root };
  n.spec = { unschedulable: o.unschedulable, taints: o.taint ? [{ key: 'k', effect: o.taint }] : [] };
  return { ...n, status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] } } as Node;
};

describe('localpath wantsProvisioning', () => {
  const lp = storageClass('local-path', { wait: true });
  const cases: { name: string; claim: PersistentVolumeClaim; sc?: StorageClass; want: boolean }[] = [
    { name: 'handed over by the binder', claim: handed(claim('c', { className: 'local-path' })), sc: lp, want: true },
    { name: 'the beta annotation counts too', claim: { ...claim('c'), metadata: { ...claim('c').metadata, annotations: { [annBetaStorageProvisioner]: 'gantry.dev/local-path' } } }, sc: lp, want: true },
    { name: 'not handed over yet (the binder may still find a volume)', claim: claim('c', { className: 'local-path' }), sc: lp, want: false },
    { name: 'handed to another provisioner', claim: handed(claim('c'), 'example.com/nfs'), sc: lp, want: false },
    { name: 'the class is another provisioner', claim: handed(claim('c')), sc: storageClass('nfs', { provisioner: 'example.com/nfs' }), want: false },
    { name: 'no class', claim: handed(claim('c')), want: false },
    { name: 'already bound', claim: handed(claim('c', { volumeName: 'v' })), sc: lp, want: false },
    { name: 'being deleted', claim: handed(claim('c', { deleting: true })), sc: lp, want: false },
  ];
  for (const tc of cases) it(tc.name, () => expect(wantsProvisioning(tc.claim, tc.sc)).to.equal(tc.want));
});

describe('localpath chooseNode', () => {
  const wait = storageClass('local-path', { wait: true });
  const now = storageClass('fast');
  const name = (c: ReturnType<typeof chooseNode>): unknown => (c.kind === 'node' ? c.node.metadata.name : c.kind === 'failed' ? `${c.event.message}${c.missingNode ? ` (missing ${c.missingNode})` : ''}` : c.kind);
  const cases: { name: string; claim: PersistentVolumeClaim; sc: StorageClass; nodes: Node[]; pvs?: number[]; want: string }[] = [
    { name: 'the selected node', claim: claim('c', { selectedNode: 'n2' }), sc: wait, nodes: [readyNode('n1', { root: '/r' }), readyNode('n2', { root: '/r' })], want: 'n2' },
    { name: 'the selected node even for an Immediate class', claim: claim('c', { selectedNode: 'n2' }), sc: now, nodes: [readyNode('n1', { root: '/r' }), readyNode('n2', { root: '/r' })], want: 'n2' },
    { name: 'the selected node is gone', claim: claim('c', { selectedNode: 'n9' }), sc: wait, nodes: [readyNode('n1')], want: 'failed to provision volume: node "n9" not found (missing n9)' },
    { name: 'WaitForFirstConsumer without a node waits', claim: claim('c'), sc: wait, nodes: [readyNode('n1', { root: '/r' })], want: 'wait' },
    {
      name: 'Immediate: a Ready schedulable node with a root, fewest volumes first',
      claim: claim('c'),
      sc: now,
      nodes: [readyNode('a', { root: '/r' }), readyNode('b', { root: '/r' }), readyNode('c', { root: '/r', ready: false }), readyNode('d', { root: '/r', unschedulable: true }), readyNode('e'), readyNode('f', { root: '/r', taint: 'NoSchedule' })],
      pvs: [0],
      want: 'b',
    },
    { name: 'Immediate: PreferNoSchedule does not keep a node out', claim: claim('c'), sc: now, nodes: [readyNode('a', { root: '/r', taint: 'PreferNoSchedule' })], want: 'a' },
    { name: 'Immediate: none fits', claim: claim('c'), sc: now, nodes: [readyNode('e'), readyNode('c', { root: '/r', ready: false })], want: 'failed to provision volume: no Ready, schedulable node has a local-path root (annotation storage.gantry.dev/local-path-root)' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const pvs = (tc.pvs ?? []).map((i) => ({ ...volume(`v${i}`), metadata: { name: `v${i}`, labels: { 'storage.gantry.dev/node': tc.nodes[i]!.metadata.name! } } }));
      expect(name(chooseNode(tc.claim, tc.sc, tc.nodes, pvs))).to.equal(tc.want);
    });
  }
});

describe('localpath volumeFor', () => {
  const lp = { ...storageClass('local-path', { wait: true, reclaim: 'Retain' }), mountOptions: ['noatime'] };
  it('the volume the contract specifies', () => {
    const c = claim('data', { className: 'local-path', size: '2Gi', modes: ['ReadWriteOnce'], selectedNode: 'n1' });
    const plan = volumeFor(c, lp, readyNode('n1', { root: '/var/lib/gantry/hosts/h1/local-path/', hostname: 'host-1' }));
    expect(plan.kind).to.equal('volume');
    if (plan.kind !== 'volume') return;
    expect(plan.volume).to.deep.equal({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pvc-uid-data', labels: { 'storage.gantry.dev/node': 'n1' }, annotations: { [annProvisionedBy]: 'gantry.dev/local-path' }, finalizers: ['storage.gantry.dev/local-path-cleanup'] },
      spec: {
        capacity: { storage: '2Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'local-path',
        volumeMode: 'Filesystem',
        mountOptions: ['noatime'],
        local: { path: '/var/lib/gantry/hosts/h1/local-path/pvc-uid-data_ns_data' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-1'] }] }] } },
        claimRef: { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'data', uid: 'uid-data', apiVersion: 'v1', resourceVersion: '5' },
      },
    });
  });
  it('reclaim policy defaults to Delete', () => {
    const plan = volumeFor(claim('c'), { ...storageClass('x'), reclaimPolicy: undefined }, readyNode('n1', { root: '/r' }));
    expect(plan.kind === 'volume' && plan.volume.spec?.persistentVolumeReclaimPolicy).to.equal('Delete');
  });
  const failures: { name: string; claim: PersistentVolumeClaim; node: Node; message: string; retry: boolean }[] = [
    { name: 'a node without the root annotation', claim: claim('c'), node: readyNode('n1'), message: 'failed to provision volume: node "n1" has no storage.gantry.dev/local-path-root annotation (its node agent sets it when it starts)', retry: true },
    { name: 'a relative root', claim: claim('c'), node: readyNode('n1', { root: 'rel/dir' }), message: 'failed to provision volume: node "n1" has a relative storage.gantry.dev/local-path-root "rel/dir"', retry: true },
    { name: 'a selector', claim: claim('c', { selector: { matchLabels: { a: 'b' } } }), node: readyNode('n1', { root: '/r' }), message: 'failed to provision volume: claim Selector is not supported', retry: false },
    { name: 'Block mode', claim: claim('c', { volumeMode: 'Block' }), node: readyNode('n1', { root: '/r' }), message: 'failed to provision volume: volumeMode Block is not supported (local-path volumes are directories)', retry: false },
  ];
  for (const tc of failures) {
    it(`fails: ${tc.name}`, () => {
      const plan = volumeFor(tc.claim, lp, tc.node);
      expect(plan).to.deep.equal({ kind: 'failed', event: { type: 'Warning', reason: 'ProvisioningFailed', message: tc.message }, retry: tc.retry });
    });
  }
});
