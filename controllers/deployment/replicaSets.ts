// Sums, filters and orders over a Deployment's ReplicaSets, and how to tell its new ReplicaSet
// (the one whose template is the Deployment's) from the old ones.

import { equalIgnoringHash } from './hash.js';
import { rsReplicas, type Deployment, type ReplicaSet } from './types.js';

/** Sum of desired replicas. */
export function specReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
}

/** Sum of pods that exist (status.replicas: not terminating). */
export function actualReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function readyReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

/**
 * Sum of available pods. A ReplicaSet's status may still count pods it has been told to drop;
 * none of those stays available, so a ReplicaSet counts for at most its desired replicas.
 * Over-counting here would let a rollout scale down more than maxUnavailable allows.
 */
export function availableReplicas(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? Math.min(rs.status?.availableReplicas ?? 0, rsReplicas(rs)) : 0), 0);
}

/** Pods a ReplicaSet has or is about to have: the larger of its desired and its actual count. */
export function podsOrDesired(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? Math.max(rsReplicas(rs), rs.status?.replicas ?? 0) : 0), 0);
}

/** ReplicaSets that want pods. */
export function activeReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

function created(rs: ReplicaSet): number {
  const t = rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Oldest first; equal times by name, so every process orders alike. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Larger first; on a tie the newer first (where proportional scaling adds replicas). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreation(b, a);
}

/** Larger first; on a tie the older first (where proportional scaling removes replicas). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreation(a, b);
}

/**
 * The Deployment's new ReplicaSet: one whose template equals the Deployment's (the oldest if
 * several do, as after a hash collision), or undefined before it is created.
 */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoringHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet of the Deployment but the new one. */
export function findOldReplicaSets(rss: readonly ReplicaSet[], newRS: ReplicaSet | undefined): ReplicaSet[] {
  return rss.filter((rs) => !newRS || rs.metadata.name !== newRS.metadata.name);
}
