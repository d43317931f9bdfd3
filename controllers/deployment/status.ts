// The Deployment's status: counters summed over its ReplicaSets (what `kubectl rollout status`
// and the READY / UP-TO-DATE / AVAILABLE columns read), the Available condition, and during a
// rollout the Progressing condition. Pure: computes the next status from the current one.

import { getCondition, deploymentComplete, deploymentProgressing, deploymentTimedOut, hasProgressDeadline, newCondition, removeCondition, setCondition } from './conditions.js';
import { maxUnavailable } from './fenceposts.js';
import { actualReplicas, availableReplicas, readyReplicas, specReplicas } from './replicaSets.js';
import { conditionTypes, deploymentReplicas, reasons, type Deployment, type DeploymentStatus, type ReplicaSet } from './types.js';

/** Counters and the Available condition; other conditions are carried over. */
export function calculateStatus(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, nowMs: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(allRSs) - available),
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(conditionTypes.available, 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition(conditionTypes.available, 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/**
 * The status after a rollout step: counters, and Progressing moved to NewReplicaSetAvailable
 * (done), ReplicaSetUpdated (progress since the last status; lastUpdateTime renewed) or
 * ProgressDeadlineExceeded (no progress for progressDeadlineSeconds). ReplicaFailure mirrors the
 * first failing ReplicaSet (the new one first).
 */
export function rolloutStatus(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, nowMs: number): DeploymentStatus {
  const status = calculateStatus(d, allRSs, newRS, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(status, conditionTypes.progressing);
  const current = getCondition(d.status, conditionTypes.progressing);
  const finished = status.replicas === status.updatedReplicas && current?.reason === reasons.newRSAvailable;
  if (hasProgressDeadline(d) && !finished) {
    const rsName = newRS?.metadata.name;
    if (deploymentComplete(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : 'Deployment has successfully progressed.';
      setCondition(status, newCondition(conditionTypes.progressing, 'True', reasons.newRSAvailable, msg, nowMs));
    } else if (deploymentProgressing(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
      const cond = newCondition(conditionTypes.progressing, 'True', reasons.rsUpdated, msg, nowMs);
      // Progress renews lastUpdateTime even with the same reason; the transition time stays.
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, conditionTypes.progressing);
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setCondition(status, newCondition(conditionTypes.progressing, 'False', reasons.timedOut, msg, nowMs));
    }
  }
  const failure = [newRS, ...allRSs.filter((rs) => rs !== newRS)]
    .flatMap((rs) => rs?.status?.conditions ?? [])
    .find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) {
    setCondition(status, newCondition(conditionTypes.replicaFailure, failure.status, failure.reason ?? 'FailedCreate', failure.message ?? '', nowMs));
  } else removeCondition(status, conditionTypes.replicaFailure);
  return status;
}

/**
 * Progressing while paused says so (Unknown, DeploymentPaused), and on resume
 * DeploymentResumed, which restarts the deadline clock. A timed-out condition is kept. Returns
 * the new status, or undefined when nothing changes.
 */
export function pausedConditionStatus(d: Deployment, nowMs: number): DeploymentStatus | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const cond = getCondition(d.status, conditionTypes.progressing);
  if (cond?.reason === reasons.timedOut) return undefined;
  const pausedShown = cond?.reason === reasons.paused;
  const status: DeploymentStatus = { ...(d.status ?? {}), conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })) };
  if (d.spec.paused && !pausedShown) {
    setCondition(status, newCondition(conditionTypes.progressing, 'Unknown', reasons.paused, 'Deployment is paused', nowMs));
    return status;
  }
  if (!d.spec.paused && pausedShown) {
    setCondition(status, newCondition(conditionTypes.progressing, 'Unknown', reasons.resumed, 'Deployment is resumed', nowMs));
    return status;
  }
  return undefined;
}
