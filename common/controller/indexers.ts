// Index functions controllers share on shared informers' stores (InformerRequest.indexers).
// One module constant per index: the manager merges the indexes of every controller on one
// store and refuses the same name with another function, so callers must pass these very
// functions, not copies.

import type { KubeObject } from '../api/meta.js';
import { controllerOf } from '../api/ownerRefs.js';

/** Objects by the uid of their controller (the owner reference with `controller: true`). */
export const controllerUIDIndex = 'controllerUID';
export function byControllerUID(obj: KubeObject): string[] {
  const ref = controllerOf(obj);
  return ref?.uid ? [ref.uid] : [];
}

/** Objects without a controller, by namespace: the candidates a controller may adopt. */
export const orphansByNamespaceIndex = 'orphansByNamespace';
export function orphansByNamespace(obj: KubeObject): string[] {
  return controllerOf(obj) ? [] : [obj.metadata.namespace ?? ''];
}

/** Objects by namespace, as client-go's cache.NamespaceIndex. */
export const namespaceIndex = 'namespace';
export function byNamespace(obj: KubeObject): string[] {
  return [obj.metadata.namespace ?? ''];
}

/** The indexers for InformerRequest: `informer(r, { indexers: indexers(controllerUIDIndex) })`. */
export const sharedIndexers = {
  [controllerUIDIndex]: byControllerUID,
  [orphansByNamespaceIndex]: orphansByNamespace,
  [namespaceIndex]: byNamespace,
} as const;

export function indexers(...names: (keyof typeof sharedIndexers)[]): Record<string, (obj: KubeObject) => string[]> {
  return Object.fromEntries(names.map((n) => [n, sharedIndexers[n]]));
}
