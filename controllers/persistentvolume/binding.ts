// The objects one bind writes, as Kubernetes' binder writes them, each undefined when the
// object already says so (a bind is retried from any point after a conflict or a crash):
//   1. the volume's spec.claimRef (uid and resourceVersion of the claim) + bound-by-controller
//   2. the volume's status.phase Bound
//   3. the claim's spec.volumeName + bind-completed (+ bound-by-controller if the binder chose)
//   4. the claim's status: phase Bound, the volume's access modes and capacity
// The volume is written first: its resourceVersion precondition is what stops two claims from
// taking one volume (the loser's write conflicts, and its retry sees the volume taken).

import { isDeepStrictEqual } from 'node:util';
import { isVolumeBoundToClaim } from './matching.js';
import { annBindCompleted, annBoundByController } from './names.js';
import type { ClaimPhase, ObjectReference, PersistentVolume, PersistentVolumeClaim, VolumePhase } from './types.js';

export function claimRefFor(c: PersistentVolumeClaim): ObjectReference {
  return { kind: 'PersistentVolumeClaim', namespace: c.metadata.namespace, name: c.metadata.name, uid: c.metadata.uid, apiVersion: 'v1', resourceVersion: c.metadata.resourceVersion };
}

const withAnnotation = <T extends PersistentVolume | PersistentVolumeClaim>(o: T, key: string, value: string): T => ({ ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [key]: value } } });

/** Step 1: the volume pointing at the claim. */
export function volumeBoundTo(v: PersistentVolume, c: PersistentVolumeClaim): PersistentVolume | undefined {
  const ref = v.spec?.claimRef;
  if (ref && ref.uid === c.metadata.uid && ref.name === c.metadata.name && ref.namespace === c.metadata.namespace) return undefined;
  // A user who pre-bound the volume (claimRef by name) chose it; otherwise the binder did.
  const chosenByBinder = !isVolumeBoundToClaim(v, c);
  const next: PersistentVolume = { ...v, spec: { ...v.spec, claimRef: claimRefFor(c) } };
  return chosenByBinder ? withAnnotation(next, annBoundByController, 'yes') : next;
}

/** The volume in `phase`, or undefined when it already is. */
export function volumeInPhase(v: PersistentVolume, phase: VolumePhase, now: string): PersistentVolume | undefined {
  if (v.status?.phase === phase) return undefined;
  return { ...v, status: { ...v.status, phase, lastPhaseTransitionTime: now } };
}

/** Step 3: the claim naming the volume, with bind-completed. */
export function claimBoundTo(c: PersistentVolumeClaim, v: PersistentVolume): PersistentVolumeClaim | undefined {
  const name = v.metadata.name ?? '';
  let next = c;
  if (c.spec?.volumeName !== name) {
    next = { ...next, spec: { ...next.spec, volumeName: name } };
    if (next.metadata.annotations?.[annBoundByController] === undefined) next = withAnnotation(next, annBoundByController, 'yes');
  }
  if (next.metadata.annotations?.[annBindCompleted] === undefined) next = withAnnotation(next, annBindCompleted, 'yes');
  return next === c ? undefined : next;
}

/** Step 4: the claim's status Bound with the volume's access modes and capacity. */
export function claimStatusBound(c: PersistentVolumeClaim, v: PersistentVolume): PersistentVolumeClaim | undefined {
  const status = { ...c.status, phase: 'Bound' as ClaimPhase, accessModes: [...(v.spec?.accessModes ?? [])], capacity: { ...(v.spec?.capacity ?? {}) } };
  return isDeepStrictEqual(status, c.status) ? undefined : { ...c, status };
}

/** The claim in `phase` (Pending, Lost), or undefined when it already is. */
export function claimInPhase(c: PersistentVolumeClaim, phase: ClaimPhase): PersistentVolumeClaim | undefined {
  return c.status?.phase === phase ? undefined : { ...c, status: { ...c.status, phase } };
}

/**
 * The volume let go of a claim that went elsewhere: the claimRef the binder set is removed;
 * one a user set keeps its name (the volume stays reserved for that claim) but loses the uid.
 */
export function volumeUnbound(v: PersistentVolume): PersistentVolume {
  const byBinder = v.metadata.annotations?.[annBoundByController] !== undefined;
  const annotations = { ...(v.metadata.annotations ?? {}) };
  delete annotations[annBoundByController];
  const { claimRef: ref, ...spec } = v.spec ?? {};
  const next: PersistentVolume = { ...v, metadata: { ...v.metadata, annotations }, spec };
  if (!byBinder && ref) next.spec = { ...spec, claimRef: { ...ref, uid: undefined, resourceVersion: undefined } };
  return next;
}
