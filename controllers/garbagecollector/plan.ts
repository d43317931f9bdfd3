// What to do with an object that has owners, given what is known of each owner: the
// decision of Kubernetes' attemptToDeleteItem, as a pure function of its inputs.
//
// - solid: the owner exists (and is not deleting its dependents in the foreground);
// - waiting: the owner exists, is being deleted in the foreground and waits for dependents;
// - dangling: the owner does not exist at the coordinates the reference names (never
//   existed, deleted, a different uid, or a namespace the dependent cannot reference);
// - unresolvable: the reference names a kind this server does not serve. Nothing is ever
//   deleted on a guess, so it counts as solid.

import type { KubeObject } from '../../common/api/meta.js';
import { foregroundFinalizer, hasFinalizer, orphanFinalizer } from './graph.js';

export type OwnerState = 'solid' | 'waiting' | 'dangling' | 'unresolvable';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export type Plan =
  /** Keep the object as it is. */
  | { action: 'keep' }
  /** It keeps a solid owner: drop only the references to absent or foreground-deleting owners. */
  | { action: 'removeOwnerRefs'; ownerUids: string[] }
  /**
   * No solid owner is left: delete it. `unblock` lists references whose blockOwnerDeletion
   * is cleared first (breaking a possible cycle of foreground deletions).
   */
  | { action: 'delete'; policy: PropagationPolicy; unblock: string[] };

export interface PlanInput {
  /** The object as freshly read. */
  object: KubeObject;
  /** The state of each owner, by uid, for every owner reference of `object`. */
  owners: ReadonlyMap<string, OwnerState>;
  /** Whether the graph knows dependents of `object`. */
  hasDependents: boolean;
  /** Whether one of those dependents is itself deleting its dependents in the foreground. */
  dependentDeletingDependents: boolean;
}

export function planDependent(input: PlanInput): Plan {
  const refs = input.object.metadata.ownerReferences ?? [];
  if (refs.length === 0) return { action: 'keep' };
  const solid: string[] = [];
  const dangling: string[] = [];
  const waiting: string[] = [];
  for (const r of refs) {
    const state = input.owners.get(r.uid) ?? 'unresolvable';
    if (state === 'dangling') dangling.push(r.uid);
    else if (state === 'waiting') waiting.push(r.uid);
    else solid.push(r.uid);
  }
  if (solid.length) {
    if (dangling.length === 0 && waiting.length === 0) return { action: 'keep' };
    return { action: 'removeOwnerRefs', ownerUids: [...dangling, ...waiting] };
  }
  if (waiting.length && input.hasDependents) {
    // The object is in the middle of a foreground chain: its own dependents must go before it
    // does. If one of them also waits on its dependents, our references stop blocking so
    // the chain cannot wait on itself.
    return { action: 'delete', policy: 'Foreground', unblock: input.dependentDeletingDependents ? waiting : [] };
  }
  // The object's own finalizers say how its dependents go with it.
  let policy: PropagationPolicy = 'Background';
  if (hasFinalizer(input.object, orphanFinalizer)) policy = 'Orphan';
  else if (hasFinalizer(input.object, foregroundFinalizer)) policy = 'Foreground';
  return { action: 'delete', policy, unblock: [] };
}
