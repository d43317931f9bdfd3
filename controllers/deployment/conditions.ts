// Deployment conditions. `Progressing` says whether a rollout moves (and, after
// progressDeadlineSeconds without any sign of progress, that it is stuck:
// ProgressDeadlineExceeded); `Available` says whether enough replicas serve. A condition's
// lastTransitionTime changes only when its status does; lastUpdateTime marks the last progress,
// which is what the deadline is measured from.

import { rfc3339 } from '../../common/clock.js';
import { conditionTypes, reasons, type ConditionStatus, type Deployment, type DeploymentCondition, type DeploymentStatus } from './types.js';

/** Kubernetes writes MaxInt32 for "no deadline". */
const noDeadline = 2147483647;

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== noDeadline;
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: ConditionStatus, reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = rfc3339(nowMs);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/**
 * Puts `cond` into `status` (mutating it). Same status and reason: nothing changes. Same status,
 * another reason: the transition time is kept.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** Every replica updated and available, and the controller has seen the latest spec. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const desired = d.spec.replicas ?? 1;
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Something moved since the status the Deployment has: more updated, ready or available pods, or fewer old ones. */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const prev = d.status ?? {};
  const oldBefore = (prev.replicas ?? 0) - (prev.updatedReplicas ?? 0);
  const oldNow = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) ||
    oldNow < oldBefore ||
    (next.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (prev.availableReplicas ?? 0)
  );
}

/** Whether the last sign of progress is older than progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, conditionTypes.progressing);
  if (!cond) return false;
  // A finished rollout cannot time out; one that did stays timed out until it moves again.
  if (cond.reason === reasons.newRSAvailable) return false;
  if (cond.reason === reasons.timedOut) return true;
  const from = cond.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : NaN;
  if (Number.isNaN(from)) return false;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/**
 * When to look at a rollout again to notice it has timed out, in ms from now; undefined if
 * nothing can time out (no deadline, no Progressing condition, complete, or already timed out).
 */
export function requeueForDeadline(d: Deployment, next: DeploymentStatus, nowMs: number): number | undefined {
  const cond = getCondition(d.status, conditionTypes.progressing);
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (deploymentComplete(d, next) || cond.reason === reasons.timedOut) return undefined;
  const from = cond.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : NaN;
  if (Number.isNaN(from)) return undefined;
  // lastUpdateTime has second precision: one second more so the deadline has surely passed.
  const after = from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - nowMs;
  return after < 1000 ? 1000 : after + 1000;
}
