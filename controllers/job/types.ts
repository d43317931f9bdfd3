// The wire shapes the Job controller reads and writes, and the names Kubernetes gives the
// labels, annotations and finalizer it puts on a job's pods. Timestamps stay RFC 3339 strings.

import type { KubeObject, ObjectMeta } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { LabelSelectorObject } from '../../common/selectors/labels.js';

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  terminating?: number;
  succeeded?: number;
  failed?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
  conditions?: JobCondition[];
}

export interface PodTemplate {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'> & Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  suspend?: boolean;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  podFailurePolicy?: PodFailurePolicy;
  managedBy?: string;
  selector?: LabelSelectorObject;
  template?: PodTemplate;
}

/** What happens to a job when a rule matches one of its failed pods. */
export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PodFailurePolicyRule {
  /** A string on the wire: an action this controller does not know skips the rule, as Kubernetes' does. */
  action: PodFailurePolicyAction | (string & {});
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn' | (string & {}); values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface PodFailurePolicy {
  rules: PodFailurePolicyRule[];
}

export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

export interface ContainerStatus {
  name?: string;
  restartCount?: number;
  state?: { terminated?: { exitCode?: number; finishedAt?: string; reason?: string } };
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; restartPolicy?: string; [field: string]: unknown };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    [field: string]: unknown;
  };
}

export const jobsResource = resourceFor('Job', 'batch');
export const podsResource = resourceFor('Pod', '');

/** The ownerReference kind and apiVersion of the pods a job creates. */
export const jobKind = { apiVersion: 'batch/v1', kind: 'Job' } as const;

/** Held by every pod the controller creates until its result is counted in the job's status. */
export const trackingFinalizer = 'batch.kubernetes.io/job-tracking';
/** An Indexed job pod's index: an annotation (read by JOB_COMPLETION_INDEX) and a label. */
export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';
/** A job whose managedBy names another controller is left to it. */
export const jobControllerName = 'kubernetes.io/job-controller';

/** Condition types and reasons, as Kubernetes 1.31+ writes them. */
export const conditionTypes = {
  complete: 'Complete',
  failed: 'Failed',
  suspended: 'Suspended',
  failureTarget: 'FailureTarget',
  successCriteriaMet: 'SuccessCriteriaMet',
} as const;

export const reasons = {
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  completionsReached: 'CompletionsReached',
  suspended: 'JobSuspended',
  resumed: 'JobResumed',
  podFailurePolicy: 'PodFailurePolicy',
} as const;
