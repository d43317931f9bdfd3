// Test fixtures for VolumeBinding: claims, volumes and classes built the way the common
// builders build pods and nodes (`makeClaim('data').storageClass('local').request('1Gi').obj()`).

import type { V1Pod } from '@kubernetes/client-node';
import type { VolumeBinder } from '../framework/interfaces.js';
import type { MemoryVolumes } from '../framework/listers.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../framework/types.js';
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE } from './volumeBindingMatch.js';

export class ClaimBuilder {
  private readonly c: PersistentVolumeClaim;
  constructor(name: string) {
    this.c = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: 'default', uid: `uid-${name}` },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    };
  }
  namespace(ns: string): this {
    this.c.metadata!.namespace = ns;
    return this;
  }
  uid(uid: string): this {
    this.c.metadata!.uid = uid;
    return this;
  }
  storageClass(name: string): this {
    this.c.spec!.storageClassName = name;
    return this;
  }
  request(storage: string): this {
    this.c.spec!.resources = { requests: { storage } };
    return this;
  }
  accessModes(...modes: string[]): this {
    this.c.spec!.accessModes = modes;
    return this;
  }
  volumeMode(mode: 'Filesystem' | 'Block'): this {
    this.c.spec!.volumeMode = mode;
    return this;
  }
  selector(matchLabels: Record<string, string>): this {
    this.c.spec!.selector = { matchLabels };
    return this;
  }
  selectedNode(node: string): this {
    this.c.metadata!.annotations = { ...this.c.metadata!.annotations, [ANN_SELECTED_NODE]: node };
    return this;
  }
  /** Bound as the binder leaves it: volumeName, phase Bound, bind-completed. */
  boundTo(volume: string): this {
    this.c.spec!.volumeName = volume;
    this.c.status = { phase: 'Bound' };
    this.c.metadata!.annotations = { ...this.c.metadata!.annotations, [ANN_BIND_COMPLETED]: 'yes' };
    return this;
  }
  /** Names a volume the binder has not confirmed yet. */
  volumeName(volume: string): this {
    this.c.spec!.volumeName = volume;
    return this;
  }
  terminating(): this {
    this.c.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z' as unknown as Date;
    return this;
  }
  ownedByPod(podName: string, podUid: string): this {
    this.c.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: podName, uid: podUid, controller: true, blockOwnerDeletion: true }];
    return this;
  }
  obj(): PersistentVolumeClaim {
    return structuredClone(this.c);
  }
}

export class VolumeBuilder {
  private readonly v: PersistentVolume;
  constructor(name: string) {
    this.v = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, uid: `uid-${name}` },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', local: { path: `/mnt/${name}` } },
      status: { phase: 'Available' },
    };
  }
  storageClass(name: string): this {
    this.v.spec!.storageClassName = name;
    return this;
  }
  capacity(storage: string): this {
    this.v.spec!.capacity = { storage };
    return this;
  }
  accessModes(...modes: string[]): this {
    this.v.spec!.accessModes = modes;
    return this;
  }
  volumeMode(mode: 'Filesystem' | 'Block'): this {
    this.v.spec!.volumeMode = mode;
    return this;
  }
  labels(l: Record<string, string>): this {
    this.v.metadata!.labels = l;
    return this;
  }
  /** nodeAffinity.required: `key In values`. */
  affinity(key: string, values: string[]): this {
    this.v.spec!.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values }] }] } };
    return this;
  }
  /** Pinned to a host by its kubernetes.io/hostname label, as local-path volumes are. */
  onHost(host: string): this {
    return this.affinity('kubernetes.io/hostname', [host]);
  }
  phase(p: string): this {
    this.v.status = { phase: p };
    return this;
  }
  claimRef(claim: PersistentVolumeClaim): this {
    this.v.spec!.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata!.namespace!, name: claim.metadata!.name!, uid: claim.metadata!.uid! };
    return this;
  }
  /** Bound to the claim, as the binder leaves it. */
  boundTo(claim: PersistentVolumeClaim): this {
    return this.claimRef(claim).phase('Bound');
  }
  obj(): PersistentVolume {
    return structuredClone(this.v);
  }
}

export class StorageClassBuilder {
  private readonly sc: StorageClass;
  constructor(name: string) {
    this.sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'gantry.dev/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' };
  }
  waitForFirstConsumer(): this {
    this.sc.volumeBindingMode = 'WaitForFirstConsumer';
    return this;
  }
  provisioner(p: string): this {
    this.sc.provisioner = p;
    return this;
  }
  allowedTopology(key: string, values: string[]): this {
    this.sc.allowedTopologies = [...(this.sc.allowedTopologies ?? []), { matchLabelExpressions: [{ key, values }] }];
    return this;
  }
  obj(): StorageClass {
    return structuredClone(this.sc);
  }
}

export const makeClaim = (name: string): ClaimBuilder => new ClaimBuilder(name);
export const makeVolume = (name: string): VolumeBuilder => new VolumeBuilder(name);
export const makeStorageClass = (name: string): StorageClassBuilder => new StorageClassBuilder(name);

/** The pod with a persistentVolumeClaim volume per claim name (volume names vol-0, vol-1, ...). */
export function withClaims(pod: V1Pod, ...claimNames: string[]): V1Pod {
  const volumes = [...(pod.spec!.volumes ?? []), ...claimNames.map((c, i) => ({ name: `vol-${i}`, persistentVolumeClaim: { claimName: c } }))];
  return { ...pod, spec: { ...pod.spec!, volumes } };
}

/** The pod with a generic ephemeral volume named `volume` (its claim is `<pod>-<volume>`). */
export function withEphemeral(pod: V1Pod, volume: string): V1Pod {
  const eph = { name: volume, ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } };
  return { ...pod, spec: { ...pod.spec!, volumes: [...(pod.spec!.volumes ?? []), eph] } };
}

/** A VolumeBinder that records its calls and, unless told otherwise, applies them to the listers as API server + informer would. */
export class MemoryVolumeBinder implements VolumeBinder {
  calls: string[] = [];
  apply = true;
  fail: Error | undefined;
  constructor(private readonly vols: MemoryVolumes) {}
  async setSelectedNode(claim: PersistentVolumeClaim, nodeName: string | undefined): Promise<void> {
    this.calls.push(`annotate ${claim.metadata?.name} ${nodeName ?? '-'}`);
    if (this.fail) throw this.fail;
    if (!this.apply) return;
    const cur = structuredClone(this.vols.claim(claim.metadata!.namespace!, claim.metadata!.name!)!);
    const ann = { ...cur.metadata!.annotations };
    if (nodeName === undefined) delete ann[ANN_SELECTED_NODE];
    else ann[ANN_SELECTED_NODE] = nodeName;
    cur.metadata!.annotations = ann;
    this.vols.setClaim(cur);
  }
}

function boundCopy(v: PersistentVolume, claim: PersistentVolumeClaim): PersistentVolume {
  const out = structuredClone(v);
  out.spec!.claimRef = { namespace: claim.metadata!.namespace!, name: claim.metadata!.name!, uid: claim.metadata!.uid! };
  return out;
}

/** The binder (PV controller) finishing: the claim bound to `pv`, the volume Bound. */
export function bindClaim(vols: MemoryVolumes, claimName: string, pv: PersistentVolume): void {
  const claim = vols.claim('default', claimName)!;
  const boundPv = boundCopy(pv, claim);
  boundPv.status = { phase: 'Bound' };
  vols.setVolume(boundPv);
  const bound = structuredClone(claim);
  bound.spec!.volumeName = pv.metadata!.name!;
  bound.status = { phase: 'Bound' };
  bound.metadata!.annotations = { ...bound.metadata!.annotations, 'pv.kubernetes.io/bind-completed': 'yes' };
  vols.setClaim(bound);
}
