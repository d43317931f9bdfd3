// Rolling back. `kubectl rollout undo` rewrites the Deployment's template (and annotations) to
// an old ReplicaSet's; the controller then finds that ReplicaSet as the new one and gives it
// revision max+1. Gantry adds an opt-in: with `deployment.gantry.dev/auto-rollback: "true"`, a
// rollout that exceeds its progress deadline is rolled back the same way to the newest revision
// that ever completed, unless the failing revision itself once completed (then the revision is
// not what broke, and going back would only churn).

import { withoutHashLabel } from './hash.js';
import { isCopiedAnnotation, revisionOf } from './revisions.js';
import { annotations, wasAvailableLabel, type Deployment, type PodTemplateSpec, type ReplicaSet } from './types.js';

export function autoRollbackEnabled(d: Deployment): boolean {
  return d.metadata.annotations?.[annotations.autoRollback] === 'true';
}

export function wasAvailable(rs: ReplicaSet | undefined): boolean {
  return rs?.metadata.labels?.[wasAvailableLabel] === 'true';
}

/** The ReplicaSet to roll back to: the highest revision among old ones that once completed. */
export function autoRollbackTarget(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS || wasAvailable(newRS)) return undefined;
  let best: ReplicaSet | undefined;
  for (const rs of oldRSs) {
    if (rs.metadata.deletionTimestamp || !wasAvailable(rs)) continue;
    if (!best || revisionOf(rs) > revisionOf(best)) best = rs;
  }
  return best;
}

/**
 * What `kubectl rollout undo` writes: the old ReplicaSet's template without its hash label, and
 * the Deployment's bookkeeping annotations joined with the ReplicaSet's other annotations (its
 * change-cause).
 */
export function rollbackTo(d: Deployment, rs: ReplicaSet): { template: PodTemplateSpec; annotations: Record<string, string> } {
  const next: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!isCopiedAnnotation(k)) next[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (isCopiedAnnotation(k)) next[k] = v;
  // The opt-in is the Deployment's, whatever the old ReplicaSet remembers.
  if (autoRollbackEnabled(d)) next[annotations.autoRollback] = 'true';
  return { template: withoutHashLabel(rs.spec.template), annotations: next };
}
