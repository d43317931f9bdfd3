// Storage object in use protection, as Kubernetes' pvc-protection and pv-protection
// controllers decide it: a claim keeps `kubernetes.io/pvc-protection` while a pod that may
// still run uses it; a volume keeps `kubernetes.io/pv-protection` while it is Bound. The
// finalizer is added to objects that lack it (made before admission added it) and are not
// being deleted.

import { pvcProtectionFinalizer, pvProtectionFinalizer } from './names.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from './types.js';

export type FinalizerStep = 'add' | 'remove' | 'keep' | 'none';

interface PodVolume {
  name?: string;
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
}

/** The claims (names, in the pod's namespace) a pod's volumes use; a generic ephemeral volume's claim is `<pod>-<volume>`. */
export function claimNamesOf(pod: Pod): string[] {
  const volumes = ((pod.spec as { volumes?: PodVolume[] } | undefined)?.volumes ?? []) as PodVolume[];
  const names: string[] = [];
  for (const v of volumes) {
    if (v.persistentVolumeClaim?.claimName) names.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral && v.name) names.push(`${pod.metadata.name ?? ''}-${v.name}`);
  }
  return names;
}

/**
 * The pod holds the claim until it has finished (Succeeded or Failed) or is gone. Unlike
 * Kubernetes, a pod not yet scheduled counts too: nothing guarantees here that it could not
 * still be bound and start on the claim.
 */
export function podHoldsClaim(pod: Pod, claimName: string): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return claimNamesOf(pod).includes(claimName);
}

function step(finalizers: string[] | undefined, finalizer: string, deleting: boolean, inUse: () => boolean): FinalizerStep {
  const has = (finalizers ?? []).includes(finalizer);
  if (!deleting) return has ? 'none' : 'add';
  if (!has) return 'none';
  return inUse() ? 'keep' : 'remove';
}

export function claimProtectionStep(claim: PersistentVolumeClaim, pods: readonly Pod[]): FinalizerStep {
  const name = claim.metadata.name ?? '';
  return step(claim.metadata.finalizers, pvcProtectionFinalizer, claim.metadata.deletionTimestamp !== undefined, () =>
    pods.some((p) => p.metadata.namespace === claim.metadata.namespace && podHoldsClaim(p, name)),
  );
}

export function volumeProtectionStep(volume: PersistentVolume): FinalizerStep {
  return step(volume.metadata.finalizers, pvProtectionFinalizer, volume.metadata.deletionTimestamp !== undefined, () => volume.status?.phase === 'Bound');
}

/** The object with the finalizer added or removed (the rest of metadata as read, so its resourceVersion guards the write). */
export function withFinalizer<T extends PersistentVolume | PersistentVolumeClaim>(obj: T, finalizer: string, present: boolean): T {
  const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return { ...obj, metadata: { ...obj.metadata, finalizers: present ? [...rest, finalizer] : rest } };
}
