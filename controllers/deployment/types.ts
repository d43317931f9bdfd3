// The shapes the Deployment controller reads and writes, as they travel on the wire (times are
// RFC 3339 strings, optional fields really are optional), and the names Kubernetes users know:
// annotations, condition types and reasons. Only the fields the controller uses are typed.

import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

/** An int or a percentage (`"25%"`), as maxSurge and maxUnavailable are written. */
export type IntOrString = number | string;

export interface DeploymentStrategy {
  type?: 'RollingUpdate' | 'Recreate' | string;
  rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString };
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface DeploymentCondition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

export interface ReplicaSetCondition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ReplicaSet extends KubeObject {
  spec: { replicas?: number; selector?: LabelSelector; template?: PodTemplateSpec; minReadySeconds?: number };
  status?: {
    replicas?: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: ReplicaSetCondition[];
  };
}

export interface Pod extends KubeObject {
  status?: { phase?: string };
}

export const deploymentsResource = resourceFor('Deployment', 'apps');
export const replicaSetsResource = resourceFor('ReplicaSet', 'apps');
export const podsResource = resourceFor('Pod', '');

/** Label every ReplicaSet and pod of a Deployment carries: the hash of its pod template. */
export const podTemplateHashLabel = 'pod-template-hash';

/** Annotation keys Kubernetes' deployment controller and kubectl agree on. */
export const annotations = {
  revision: 'deployment.kubernetes.io/revision',
  revisionHistory: 'deployment.kubernetes.io/revision-history',
  desiredReplicas: 'deployment.kubernetes.io/desired-replicas',
  maxReplicas: 'deployment.kubernetes.io/max-replicas',
  changeCause: 'kubernetes.io/change-cause',
  lastAppliedConfig: 'kubectl.kubernetes.io/last-applied-configuration',
  deprecatedRollbackTo: 'deprecated.deployment.rollback.to',
  /**
   * Gantry's opt-in: `"true"` on a Deployment rolls it back to the newest revision that ever
   * became Available when a rollout exceeds its progress deadline.
   */
  autoRollback: 'deployment.gantry.dev/auto-rollback',
} as const;

/**
 * Gantry's label on a ReplicaSet whose rollout once completed (every replica updated and
 * available): the candidates of an automatic rollback. A label, not an annotation, because
 * `kubectl rollout undo` copies a ReplicaSet's annotations onto the Deployment.
 */
export const wasAvailableLabel = 'deployment.gantry.dev/was-available';

/** The Deployment condition types. */
export const conditionTypes = {
  available: 'Available',
  progressing: 'Progressing',
  replicaFailure: 'ReplicaFailure',
} as const;

/** The condition reasons `kubectl rollout status` and users look for. */
export const reasons = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedRSCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** A ReplicaSet's desired size, read as Kubernetes defaults it (1 when unset). */
export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 1;
}

export function deploymentReplicas(d: Deployment): number {
  return d.spec.replicas ?? 1;
}
