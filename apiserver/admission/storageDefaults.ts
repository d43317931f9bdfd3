// Kubernetes' DefaultStorageClass and StorageObjectInUseProtection admission, on create:
// a claim that names no class (storageClassName absent, not "") gets the cluster's default
// class, and claims and volumes get the protection finalizer the controller manager removes
// once nothing uses them, so a claim a running pod mounts cannot vanish under it.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { betaDefaultClassAnnotation, defaultClassAnnotation } from '../registry/kinds/storageClasses.js';

import { pvcProtectionFinalizer, pvProtectionFinalizer } from '../../common/api/storage.js';
export { pvcProtectionFinalizer, pvProtectionFinalizer };
/** The class annotation claims carried before spec.storageClassName existed; Kubernetes still reads it. */
export const betaClaimClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/** Reads StorageClasses (from the watch cache). */
export interface StorageClassLookup {
  get(name: string): KubeObject | undefined;
  list(): KubeObject[];
}

function isDefault(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[defaultClassAnnotation] === 'true' || a[betaDefaultClassAnnotation] === 'true';
}

/**
 * The default class: with several marked default (a mistake while switching defaults),
 * the newest one, then the first by name, as Kubernetes picks since 1.26.
 */
export function defaultStorageClass(classes: StorageClassLookup): KubeObject | undefined {
  const defaults = classes.list().filter(isDefault);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
  return defaults[0];
}

function addFinalizer(obj: KubeObject, finalizer: string): void {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}

export function admitPersistentVolumeClaim(pvc: KubeObject, classes: StorageClassLookup): void {
  const spec = isObject(pvc.spec) ? pvc.spec : (pvc.spec = {});
  const named = (spec.storageClassName !== undefined && spec.storageClassName !== null) || pvc.metadata.annotations?.[betaClaimClassAnnotation] !== undefined;
  if (!named) {
    const def = defaultStorageClass(classes);
    if (def?.metadata.name) spec.storageClassName = def.metadata.name;
  }
  addFinalizer(pvc, pvcProtectionFinalizer);
}

export function admitPersistentVolume(pv: KubeObject): void {
  addFinalizer(pv, pvProtectionFinalizer);
}
