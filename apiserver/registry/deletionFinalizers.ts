// The garbage collector's finalizers a DELETE sets, as Kubernetes' store decides them
// (deletionFinalizersForGarbageCollection): the request's propagationPolicy wins; without
// one, the finalizers the object already carries stand. Orphan means `orphan` (the
// collector strips the owner references from the dependents before the owner goes),
// Foreground means `foregroundDeletion` (the dependents go first), Background means neither.
// A second DELETE of an object already being deleted applies the same rule, so
// `kubectl delete --cascade=orphan` after a background or foreground delete switches the
// policy, and a background delete after a foreground one lets the owner go at once.

import type { PropagationPolicy } from './options.js';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

export interface DeletionFinalizers {
  finalizers: string[];
  /** Whether they differ (as a set) from the object's. */
  changed: boolean;
}

export function deletionFinalizers(current: readonly string[], policy: PropagationPolicy | undefined): DeletionFinalizers {
  if (policy === undefined) return { finalizers: [...current], changed: false };
  // Other finalizers keep their order; the collector's go to the end, as Kubernetes puts them.
  const next = current.filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer);
  if (policy === 'Orphan') next.push(orphanFinalizer);
  if (policy === 'Foreground') next.push(foregroundFinalizer);
  const before = new Set(current);
  const after = new Set(next);
  const changed = before.size !== after.size || [...after].some((f) => !before.has(f));
  return { finalizers: changed ? next : [...current], changed };
}
