// The arithmetic of a rolling update, one step at a time: grow the new ReplicaSet while the
// total stays within replicas + maxSurge, shrink old ReplicaSets while the available pods stay
// at or above replicas - maxUnavailable. Old pods that are not available anyway go first, as
// removing them costs no availability. Pure: the reconciler applies the sizes these return.

import { isRollingUpdate, maxSurge, maxUnavailable } from './fenceposts.js';
import { availableReplicas, byCreation, podsOrDesired } from './replicaSets.js';
import { deploymentReplicas, rsReplicas, type Deployment, type ReplicaSet } from './types.js';

/**
 * The size the new ReplicaSet may have now. Pods already running count even where their
 * ReplicaSet was told to shrink but has not yet, so the pods that exist never exceed
 * replicas + maxSurge (Kubernetes counts desired sizes only, which lets them overlap briefly).
 */
export function newReplicaSetSize(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): number {
  const desired = deploymentReplicas(d);
  const current = newRS ? rsReplicas(newRS) : 0;
  if (!isRollingUpdate(d)) return desired;
  if (current >= desired) return desired;
  const maxTotal = desired + maxSurge(d);
  const pods = podsOrDesired(newRS && !allRSs.includes(newRS) ? [...allRSs, newRS] : allRSs);
  if (pods >= maxTotal) return current;
  return current + Math.min(maxTotal - pods, desired - current);
}

/** New sizes for old ReplicaSets, by name, and how many replicas were taken off in all. */
export interface ScaleDownPlan {
  sizes: Map<string, number>;
  removed: number;
}

/**
 * How far old ReplicaSets may shrink now: first by their unavailable pods (no loss of
 * availability), then oldest first by as many available pods as exceed replicas - maxUnavailable.
 */
export function planOldReplicaSetsScaleDown(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ScaleDownPlan {
  const plan: ScaleDownPlan = { sizes: new Map(), removed: 0 };
  const olds = [...oldRSs].sort(byCreation).map((rs) => ({ rs, size: rsReplicas(rs) }));
  const oldPods = olds.reduce((n, o) => n + o.size, 0);
  if (oldPods === 0) return plan;
  const desired = deploymentReplicas(d);
  const minAvailable = desired - maxUnavailable(d);
  const newSize = newRS ? rsReplicas(newRS) : 0;
  const newUnavailable = newRS ? Math.max(0, newSize - Math.min(newRS.status?.availableReplicas ?? 0, newSize)) : 0;
  const allPods = oldPods + newSize;
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return plan;

  // Unhealthy replicas first: they cost nothing to remove.
  let cleaned = 0;
  for (const o of olds) {
    if (cleaned >= maxScaledDown) break;
    if (o.size === 0) continue;
    const available = Math.min(o.rs.status?.availableReplicas ?? 0, o.size);
    const unhealthy = o.size - available;
    if (unhealthy === 0) continue;
    const take = Math.min(maxScaledDown - cleaned, unhealthy);
    o.size -= take;
    cleaned += take;
  }

  // Then healthy ones, as far as availability allows.
  const available = availableReplicas(newRS ? [newRS] : []) + olds.reduce((n, o) => n + Math.min(o.rs.status?.availableReplicas ?? 0, o.size), 0);
  let scaled = 0;
  if (available > minAvailable) {
    const total = available - minAvailable;
    for (const o of olds) {
      if (scaled >= total) break;
      if (o.size === 0) continue;
      const take = Math.min(o.size, total - scaled);
      o.size -= take;
      scaled += take;
    }
  }
  for (const o of olds) if (o.size !== rsReplicas(o.rs)) plan.sizes.set(o.rs.metadata.name ?? '', o.size);
  plan.removed = cleaned + scaled;
  return plan;
}
