// A ReplicaSet's status from the pods it owns: the counters kubectl shows and Deployments
// add up, observedGeneration (so a reader knows the counters answer the current spec), and
// the ReplicaFailure condition while pods cannot be created or deleted.

import { isDeepStrictEqual } from 'node:util';
import { rfc3339 } from '../../common/clock.js';
import { isPodAvailable, isPodReady, msUntilAvailable } from './podState.js';
import type { Pod, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from './types.js';

export const replicaFailure = 'ReplicaFailure';

/** What went wrong while creating or deleting pods in this sync, if anything. */
export interface ManageFailure {
  /** FailedCreate or FailedDelete, as Kubernetes names the condition's reason. */
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

function hasAllLabels(pod: Pod, labels: Record<string, string>): boolean {
  const have = pod.metadata.labels ?? {};
  return Object.entries(labels).every(([k, v]) => have[k] === v);
}

/**
 * The status `rs` should have, given its active pods and this sync's failure. The condition
 * keeps its lastTransitionTime while it stays; it goes once a sync succeeds.
 */
export function computeStatus(rs: ReplicaSet, pods: readonly Pod[], failure: ManageFailure | undefined, now: number): ReplicaSetStatus {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) => hasAllLabels(p, templateLabels)).length,
    readyReplicas: pods.filter(isPodReady).length,
    availableReplicas: pods.filter((p) => isPodAvailable(p, minReady, now)).length,
  };
  if (rs.metadata.generation !== undefined) status.observedGeneration = rs.metadata.generation;
  const others = (rs.status?.conditions ?? []).filter((c) => c.type !== replicaFailure);
  const existing = rs.status?.conditions?.find((c) => c.type === replicaFailure);
  const conditions: ReplicaSetCondition[] = [...others];
  if (failure) {
    // Kubernetes sets the condition once and leaves it while failures go on.
    conditions.push(existing ?? { type: replicaFailure, status: 'True', lastTransitionTime: rfc3339(now), reason: failure.reason, message: failure.message });
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether writing `next` would change what the API holds (absent counters read as 0). */
export function statusChanged(current: ReplicaSetStatus | undefined, next: ReplicaSetStatus): boolean {
  const norm = (s: ReplicaSetStatus | undefined): Record<string, unknown> => ({
    replicas: s?.replicas ?? 0,
    fullyLabeledReplicas: s?.fullyLabeledReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    observedGeneration: s?.observedGeneration,
    conditions: s?.conditions ?? [],
  });
  return !isDeepStrictEqual(norm(current), norm(next));
}

/**
 * When to look again so availableReplicas moves when the soonest ready pod passes
 * minReadySeconds (no pod event says so); undefined when nothing is waiting.
 */
export function nextAvailabilityCheckMs(rs: ReplicaSet, pods: readonly Pod[], now: number): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let soonest: number | undefined;
  for (const p of pods) {
    const ms = msUntilAvailable(p, minReady, now);
    if (ms !== undefined && ms > 0 && (soonest === undefined || ms < soonest)) soonest = ms;
  }
  // A second more, so the check lands after the boundary whole-second timestamps round to.
  return soonest === undefined ? undefined : soonest + 1000;
}
