// Builders of PersistentVolumes, claims and classes for the storage controllers' tests.

import { annBindCompleted, annSelectedNode } from './names.js';
import type { LabelSelectorObject } from '../../common/selectors/labels.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass, VolumePhase } from './types.js';

export interface VolumeOpts {
  size?: string;
  modes?: string[];
  className?: string;
  phase?: VolumePhase;
  labels?: Record<string, string>;
  claimRef?: { namespace: string; name: string; uid?: string };
  reclaim?: 'Retain' | 'Delete';
  volumeMode?: string;
  annotations?: Record<string, string>;
  hostname?: string;
}

export function volume(name: string, o: VolumeOpts = {}): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1', labels: o.labels, annotations: o.annotations },
    spec: {
      capacity: { storage: o.size ?? '1Gi' },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      storageClassName: o.className ?? '',
      persistentVolumeReclaimPolicy: o.reclaim ?? 'Retain',
      ...(o.volumeMode ? { volumeMode: o.volumeMode } : {}),
      ...(o.claimRef ? { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...o.claimRef } } : {}),
      ...(o.hostname ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.hostname] }] }] } } } : {}),
      hostPath: { path: `/tmp/${name}` },
    },
    status: { phase: o.phase ?? 'Available' },
  };
}

export interface ClaimOpts {
  size?: string;
  modes?: string[];
  className?: string;
  volumeName?: string;
  selector?: LabelSelectorObject;
  bound?: boolean;
  selectedNode?: string;
  volumeMode?: string;
  annotations?: Record<string, string>;
  deleting?: boolean;
}

export function claim(name: string, o: ClaimOpts = {}): PersistentVolumeClaim {
  const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
  if (o.bound) annotations[annBindCompleted] = 'yes';
  if (o.selectedNode) annotations[annSelectedNode] = o.selectedNode;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '5', annotations, ...(o.deleting ? { deletionTimestamp: '2026-12-07T12:00:00Z' } : {}) },
    spec: {
      accessModes: o.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: o.size ?? '1Gi' } },
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(o.volumeName ? { volumeName: o.volumeName } : {}),
      ...(o.selector ? { selector: o.selector } : {}),
      ...(o.volumeMode ? { volumeMode: o.volumeMode } : {}),
    },
    status: { phase: 'Pending' },
  };
}

export function storageClass(name: string, o: { provisioner?: string; wait?: boolean; reclaim?: 'Retain' | 'Delete' } = {}): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: o.provisioner ?? 'gantry.dev/local-path',
    reclaimPolicy: o.reclaim ?? 'Delete',
    volumeBindingMode: o.wait ? 'WaitForFirstConsumer' : 'Immediate',
  };
}

export function node(name: string, labels: Record<string, string> = { 'kubernetes.io/hostname': name }): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } };
}
