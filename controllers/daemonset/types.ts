// The wire shapes the DaemonSet controller reads and writes, and the names Kubernetes gives
// the labels, tolerations and events of daemon pods.

import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { TaintKey, TolerationMatch } from '../../common/api/tolerations.js';
import type { LabelSelectorObject } from '../../common/selectors/labels.js';
import type { Pod, PodTemplate } from '../replicaset/types.js';

export type { Pod, PodTemplate };
export type { ControllerRevision } from '../history/types.js';
export { controllerRevisionsResource } from '../history/types.js';
export type IntOrString = number | string;

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}
export interface Toleration extends TolerationMatch {
  tolerationSeconds?: number;
}

/** The parts of a pod spec eligibility reads. */
export interface DaemonPodSpec {
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] }; [k: string]: unknown }; [k: string]: unknown };
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  [field: string]: unknown;
}

export interface DaemonSetSpec {
  selector?: LabelSelectorObject;
  template?: PodTemplate;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface DaemonSet extends KubeObject {
  spec?: DaemonSetSpec;
  status?: DaemonSetStatus;
}

export interface Node extends KubeObject {
  spec?: { taints?: (TaintKey & { timeAdded?: string })[]; unschedulable?: boolean };
}

export const daemonSetsResource = resourceFor('DaemonSet', 'apps');
export const podsResource = resourceFor('Pod', '');
export const nodesResource = resourceFor('Node', '');

export const daemonSetKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;

/** The template hash a pod and its ControllerRevision carry. */
export const revisionHashLabel = 'controller-revision-hash';
/** The template generation a pod was made from (the DaemonSet's annotation of that name). */
export const templateGenerationLabel = 'pod-template-generation';
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';
