// persistentVolumeClaimRetentionPolicy as owner references on a pod's claims, the way
// Kubernetes lets the garbage collector do the deleting:
//   whenDeleted: Delete -> the claim is owned by the StatefulSet (it goes with the set);
//   whenScaled: Delete  -> a claim of a pod whose ordinal is no longer in range is owned by
//                          that pod instead (it goes with the pod the scale-down deletes);
//   Retain              -> neither reference (a claim outlives both).
// Only the references to this set and this pod are touched; any others stay.

import type { OwnerReference } from '../../common/api/meta.js';
import { inRange, ordinalOf } from './identity.js';
import { podKind, statefulSetKind, type PersistentVolumeClaim, type Pod, type StatefulSet } from './types.js';

function ref(owner: StatefulSet | Pod, kind: { apiVersion: string; kind: string }): OwnerReference {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '' };
}

/** Which of the two owners a claim of `pod` should have under the set's policy. */
export function wantedOwners(set: StatefulSet, pod: Pod): { set: boolean; pod: boolean } {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const deleteWithSet = policy.whenDeleted === 'Delete';
  const scaledDown = policy.whenScaled === 'Delete' && !inRange(set, ordinalOf(pod));
  // A claim of a scaled-down pod follows the pod alone: were the set an owner too, the claim
  // would outlive the pod while the set lives.
  return { set: deleteWithSet && !scaledDown, pod: scaledDown };
}

/** The claim's owner references under the policy, or undefined when they are right already. */
export function claimOwners(set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim): OwnerReference[] | undefined {
  const want = wantedOwners(set, pod);
  const refs = claim.metadata.ownerReferences ?? [];
  const hasSet = refs.some((r) => r.uid === set.metadata.uid);
  const hasPod = refs.some((r) => r.uid === pod.metadata.uid);
  if (hasSet === want.set && hasPod === want.pod) return undefined;
  const next = refs.filter((r) => r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid);
  if (want.set) next.push(ref(set, statefulSetKind));
  if (want.pod) next.push(ref(pod, podKind));
  return next;
}
