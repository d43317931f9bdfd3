// The DisruptionTarget pod condition Kubernetes sets (since 1.26, GA in 1.31) on a pod it is
// about to delete for a reason outside the pod: an eviction through the API, a preemption, a
// NoExecute taint, PodGC. A Job's podFailurePolicy matches on it (onPodConditions), so a pod
// that failed because it was disrupted can be retried without counting against backoffLimit.
// Every component that deletes pods this way sets it with the reasons and words below.

import { rfc3339 } from '../clock.js';
import type { Api } from '../client/api.js';
import { resourceFor } from './resources.js';

export const disruptionTargetType = 'DisruptionTarget';

/** Kubernetes' reasons and messages, by who disrupts the pod. */
export const disruptions = {
  evictionApi: { reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' },
  preemption: (schedulerName: string) => ({ reason: 'PreemptionByScheduler', message: `${schedulerName}: preempting to accommodate a higher priority pod` }),
  taintManager: { reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' },
  podGc: { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' },
} as const;

export interface DisruptionCause {
  reason: string;
  message: string;
}

export interface PodConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  [k: string]: unknown;
}

/** Whether a pod has ended (a terminal pod gets no DisruptionTarget: its outcome is settled). */
export function isTerminalPhase(phase: unknown): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * The pod's conditions with DisruptionTarget=True for `cause`, or undefined when it already
 * has exactly that (nothing to write). An earlier DisruptionTarget is replaced.
 */
export function withDisruptionTarget(conditions: readonly PodConditionLike[] | undefined, cause: DisruptionCause, nowMs: number): PodConditionLike[] | undefined {
  const list = conditions ?? [];
  const was = list.find((c) => c.type === disruptionTargetType);
  if (was && was.status === 'True' && was.reason === cause.reason) return undefined;
  const condition: PodConditionLike = { type: disruptionTargetType, status: 'True', reason: cause.reason, message: cause.message, lastTransitionTime: rfc3339(nowMs) };
  return [...list.filter((c) => c.type !== disruptionTargetType), condition];
}

/** What markDisruptionTarget reads of a pod. */
export interface DisruptablePod {
  metadata?: { name?: string; namespace?: string };
  status?: { phase?: string; conditions?: readonly { type: string; status: string; reason?: string }[] };
}

/**
 * Sets DisruptionTarget=True on a pod that has not ended, through pods/status as a strategic
 * merge patch (conditions merge by type, so the node agent's own stay). A terminal pod is left
 * as it is. The caller deletes the pod afterwards.
 */
export async function markDisruptionTarget(api: Pick<Api, 'patch'>, pod: DisruptablePod, cause: DisruptionCause, nowMs: number): Promise<void> {
  if (isTerminalPhase(pod.status?.phase)) return;
  if (pod.status?.conditions?.some((c) => c.type === disruptionTargetType && c.status === 'True' && c.reason === cause.reason)) return;
  const condition: PodConditionLike = { type: disruptionTargetType, status: 'True', reason: cause.reason, message: cause.message, lastTransitionTime: rfc3339(nowMs) };
  await api.patch(resourceFor('Pod'), pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
}
