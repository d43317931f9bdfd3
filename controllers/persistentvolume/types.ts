// The wire shapes the storage controllers read and write (core v1 PersistentVolume and
// PersistentVolumeClaim, storage.k8s.io/v1 StorageClass), reduced to the fields they use.

import type { KubeObject } from '../../common/api/meta.js';
import type { LabelSelectorObject } from '../../common/selectors/labels.js';
import type { Node, NodeSelectorTerm } from '../daemonset/types.js';
import type { Pod } from '../replicaset/types.js';

export type { Node, NodeSelectorTerm, Pod };

export type AccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export type ReclaimPolicy = 'Retain' | 'Delete' | 'Recycle';
export type VolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
export type ClaimPhase = 'Pending' | 'Bound' | 'Lost';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface PersistentVolumeSpec {
  capacity?: Record<string, string>;
  accessModes?: string[];
  persistentVolumeReclaimPolicy?: ReclaimPolicy;
  storageClassName?: string;
  claimRef?: ObjectReference | null;
  nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
  volumeMode?: string;
  mountOptions?: string[];
  local?: { path: string; fsType?: string };
  hostPath?: { path: string; type?: string };
  [field: string]: unknown;
}

export interface PersistentVolume extends KubeObject {
  spec?: PersistentVolumeSpec;
  status?: { phase?: VolumePhase; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaimSpec {
  accessModes?: string[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  storageClassName?: string | null;
  volumeName?: string;
  volumeMode?: string;
  selector?: LabelSelectorObject | null;
  [field: string]: unknown;
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: PersistentVolumeClaimSpec;
  status?: { phase?: ClaimPhase; capacity?: Record<string, string>; accessModes?: string[]; [field: string]: unknown };
}

export interface StorageClass extends KubeObject {
  provisioner?: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: ReclaimPolicy;
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
}

/** An event the caller records on an object: what the pure deciders return instead of recording. */
export interface VolumeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}
