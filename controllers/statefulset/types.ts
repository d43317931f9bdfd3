// The wire shapes the StatefulSet controller reads and writes (apps/v1 StatefulSet, the parts
// of core/v1 PersistentVolumeClaim it makes) and the names Kubernetes gives its labels.

import type { KubeObject, ObjectMeta } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { LabelSelectorObject } from '../../common/selectors/labels.js';
import type { Pod, PodTemplate } from '../replicaset/types.js';

export type { Pod, PodTemplate };
export type { ControllerRevision } from '../history/types.js';
export type IntOrString = number | string;

export type RetentionPolicyType = 'Retain' | 'Delete';

export interface PersistentVolumeClaim extends KubeObject {
  spec?: { [field: string]: unknown };
  status?: { phase?: string; [field: string]: unknown };
}

/** A volumeClaimTemplates entry: a claim without namespace or owner. */
export interface ClaimTemplate {
  metadata?: Pick<ObjectMeta, 'name' | 'labels' | 'annotations'> & Record<string, unknown>;
  spec?: { [field: string]: unknown };
}

export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplate;
  volumeClaimTemplates?: ClaimTemplate[];
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicyType; whenScaled?: RetentionPolicyType };
  ordinals?: { start?: number };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface StatefulSet extends KubeObject {
  spec?: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export const statefulSetsResource = resourceFor('StatefulSet', 'apps');
export const claimsResource = resourceFor('PersistentVolumeClaim', '');
export const podsResource = resourceFor('Pod', '');

export const statefulSetKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const podKind = { apiVersion: 'v1', kind: 'Pod' } as const;

/** The revision (ControllerRevision name) a pod was made from. */
export const revisionLabel = 'controller-revision-hash';
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
