// Ownership between objects (metadata.ownerReferences), as controllers and the garbage
// collector read it: at most one owner is the controller; owners are matched by uid.

import type { KubeObject, OwnerReference } from './meta.js';

/** The owner reference marked `controller: true`, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && owner.metadata.uid !== undefined && ref.uid === owner.metadata.uid;
}

/** The reference a controller puts on what it creates (blockOwnerDeletion for foreground deletion). */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}
