// Revisions: every ReplicaSet of a Deployment carries `deployment.kubernetes.io/revision`; the
// new one always has the highest. Rolling back to an old template makes its ReplicaSet new
// again with revision max+1, and its earlier numbers go to `revision-history`. The Deployment's
// user annotations (change-cause) follow onto its new ReplicaSet, which is where
// `kubectl rollout history` reads them. revisionHistoryLimit bounds how many old, empty
// ReplicaSets stay behind for rollbacks.

import { byCreation } from './replicaSets.js';
import { annotations, rsReplicas, type Deployment, type ReplicaSet } from './types.js';

/** Longest `revision-history` annotation kept (oldest numbers dropped first), as Kubernetes. */
export const maxRevisionHistoryChars = 2000;

/** Annotations that describe one ReplicaSet or one kubectl apply, never copied between objects. */
const notCopied: ReadonlySet<string> = new Set([
  annotations.lastAppliedConfig,
  annotations.revision,
  annotations.revisionHistory,
  annotations.desiredReplicas,
  annotations.maxReplicas,
  annotations.deprecatedRollbackTo,
]);

export function isCopiedAnnotation(key: string): boolean {
  return !notCopied.has(key);
}

function parseRevision(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
}

/** The ReplicaSet's revision; 0 when it has none (or an unreadable one). */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  return parseRevision(obj.metadata.annotations?.[annotations.revision]) ?? 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/**
 * Brings a new ReplicaSet's annotations up to date (mutating `rs`, a copy): the Deployment's
 * copyable annotations, `newRevision` unless it already has a higher one (its old number then
 * joins the history), and, when it is about to be created, the replica annotations. Returns
 * whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, replicaAnnotations: { desired: number; max: number }): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const oldText = ann[annotations.revision];
  const old = parseRevision(oldText);
  if (oldText !== undefined && old === undefined) return changed; // someone wrote garbage: leave it be
  if ((old ?? 0) < newRevision) {
    ann[annotations.revision] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = ann[annotations.revisionHistory] ? ann[annotations.revisionHistory]!.split(',') : [];
      history.push(oldText);
      while (history.join(',').length > maxRevisionHistoryChars && history.length > 1) history.shift();
      ann[annotations.revisionHistory] = history.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicaAnnotations.desired, replicaAnnotations.max)) changed = true;
  return changed;
}

/** Copies the Deployment's copyable annotations onto the ReplicaSet; returns whether any changed. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (!isCopiedAnnotation(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

function readInt(rs: ReplicaSet, key: string): number | undefined {
  return parseRevision(rs.metadata.annotations?.[key]);
}

/** The Deployment's replicas when this ReplicaSet was last sized. */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return readInt(rs, annotations.desiredReplicas);
}

/** The Deployment's replicas + maxSurge when this ReplicaSet was last sized. */
export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return readInt(rs, annotations.maxReplicas);
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[annotations.desiredReplicas] !== String(desired) || ann[annotations.maxReplicas] !== String(max);
}

/** Sets desired-replicas and max-replicas on `rs` (a copy); returns whether they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[annotations.desiredReplicas] !== String(desired)) {
    ann[annotations.desiredReplicas] = String(desired);
    changed = true;
  }
  if (ann[annotations.maxReplicas] !== String(max)) {
    ann[annotations.maxReplicas] = String(max);
    changed = true;
  }
  return changed;
}

/**
 * Old ReplicaSets beyond revisionHistoryLimit that may go: the lowest revisions first, and
 * only those that are empty, settled and not already being deleted.
 */
export function replicaSetsToCleanUp(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined || limit < 0) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = alive.length - limit;
  if (excess <= 0) return [];
  const ordered = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  const out: ReplicaSet[] = [];
  for (const rs of ordered.slice(0, excess)) {
    const settled = (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 0);
    if (rs.status?.replicas || rsReplicas(rs) !== 0 || !settled) continue;
    out.push(rs);
  }
  return out;
}
