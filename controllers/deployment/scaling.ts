// Scaling a Deployment (kubectl scale, an autoscaler) as opposed to rolling it out. With one
// active ReplicaSet the answer is simple; in the middle of a rollout the new replica count is
// shared out proportionally to the ReplicaSets' sizes, using the desired-replicas and
// max-replicas annotations each ReplicaSet got when it was last sized, so that neither the old
// nor the new version suddenly takes all of the change. Pure: returns sizes by name.

import { isRollingUpdate, maxSurge } from './fenceposts.js';
import { activeReplicaSets, byCreation, bySizeNewer, bySizeOlder, specReplicas } from './replicaSets.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from './revisions.js';
import { deploymentReplicas, rsReplicas, type Deployment, type ReplicaSet } from './types.js';

/** Whether the Deployment's replicas changed since any active ReplicaSet was last sized. */
export function isScalingEvent(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[]): boolean {
  const desired = deploymentReplicas(d);
  return activeReplicaSets(allRSs).some((rs) => {
    const annotated = desiredReplicasAnnotation(rs);
    return annotated !== undefined && annotated !== desired;
  });
}

/** The single ReplicaSet that has pods (or, with none, the newest), when there is only one. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet has every desired replica, available, for the current replica count. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = deploymentReplicas(d);
  return desiredReplicasAnnotation(rs) === desired && rsReplicas(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

/** The share of `toAdd` (negative: to remove) this ReplicaSet gets, from its recorded size. */
function proportion(d: Deployment, rs: ReplicaSet, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  let fraction: number;
  if (deploymentReplicas(d) === 0) fraction = -rsReplicas(rs);
  else {
    const deploymentMax = deploymentReplicas(d) + maxSurge(d);
    const annotatedMax = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
    // Without a recorded size there is nothing to be proportional to: leave this one alone.
    fraction = annotatedMax === 0 ? 0 : Math.round((rsReplicas(rs) * deploymentMax) / annotatedMax) - rsReplicas(rs);
  }
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * New sizes for a scaling event. Every ReplicaSet of the Deployment appears in the answer (a
 * size may be unchanged: its annotations still need the new replica count).
 */
export function planScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Map<string, number> {
  const sizes = new Map<string, number>();
  const desired = deploymentReplicas(d);
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    sizes.set(only.metadata.name ?? '', desired);
    return sizes;
  }
  // The new ReplicaSet is done: whatever old ones still have goes.
  if (isSaturated(d, newRS)) {
    for (const rs of activeReplicaSets(oldRSs)) sizes.set(rs.metadata.name ?? '', 0);
    return sizes;
  }
  if (!isRollingUpdate(d)) return sizes;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  all.sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  let added = 0;
  for (const rs of all) {
    const p = toAdd === 0 ? 0 : proportion(d, rs, toAdd, added);
    sizes.set(rs.metadata.name ?? '', rsReplicas(rs) + p);
    added += p;
  }
  // Rounding leaves a remainder: the largest ReplicaSet takes it.
  if (toAdd !== 0 && all.length > 0) {
    const first = all[0]!.metadata.name ?? '';
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return sizes;
}
