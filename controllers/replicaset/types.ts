// The wire shapes the ReplicaSet controller reads and writes. Timestamps stay RFC 3339
// strings, as the API sends them (client-node's models say Date, which the JSON never is).

import type { KubeObject, ObjectMeta } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { LabelSelectorObject } from '../../common/selectors/labels.js';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name?: string;
  restartCount?: number;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [field: string]: unknown };
  status?: { phase?: string; conditions?: PodCondition[]; containerStatuses?: ContainerStatus[]; [field: string]: unknown };
}

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface PodTemplate {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'> & Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: LabelSelectorObject; template?: PodTemplate };
  status?: ReplicaSetStatus;
}

export const podsResource = resourceFor('Pod', '');
export const replicaSetsResource = resourceFor('ReplicaSet', 'apps');

/** The ownerReference kind and apiVersion of what this controller creates. */
export const replicaSetKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;
