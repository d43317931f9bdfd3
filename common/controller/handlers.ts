// Event-handler builders for ControllerRegistration.watch(): handlers only turn events into
// keys (ARCHITECTURE.md, convention 2), so each watch is one line:
//   src.informer(resources.replicasets).addEventHandler(enqueueObject(enqueue));
//   src.informer(resources.pods).addEventHandler(enqueueOwner(enqueue, resources.replicasets));
//   src.informer(resources.pods).addEventHandler(enqueueMapped(enqueue, (pod) => servicesSelecting(pod)));
// Updates enqueue what the old object pointed at as well as what the new one does, so an
// owner that lost a child (or a selector that stopped matching) looks again too.

import type { KubeObject } from '../api/meta.js';
import { controllerOf } from '../api/ownerRefs.js';
import type { ResourceDescriptor } from '../api/resources.js';
import type { InformedObject, InformerEventHandler } from '../client/informer.js';
import { keyOf, keyString, type ObjectKey } from './types.js';

export type Enqueue = (key: ObjectKey) => void;

/** Maps every add, update and delete of an object to keys, each enqueued once per event. */
export function enqueueMapped<T extends InformedObject>(enqueue: Enqueue, map: (obj: T) => readonly ObjectKey[]): InformerEventHandler<T> {
  const each = (...objs: T[]): void => {
    const seen = new Set<string>();
    for (const o of objs) {
      for (const k of map(o)) {
        const s = keyString(k);
        if (seen.has(s)) continue;
        seen.add(s);
        enqueue(k);
      }
    }
  };
  return {
    onAdd: (obj) => each(obj),
    onUpdate: (oldObj, newObj) => each(oldObj, newObj),
    onDelete: (obj) => each(obj),
  };
}

/** Enqueues the object itself (the controller's primary resource). */
export function enqueueObject<T extends InformedObject>(enqueue: Enqueue): InformerEventHandler<T> {
  return enqueueMapped<T>(enqueue, (obj) => [keyOf(obj)]);
}

/** The group of an apiVersion: '' for `v1`, `apps` for `apps/v1`. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The key of `obj`'s controller when it is of the `owner` resource (kind and group; the
 * version may differ). A namespaced owner lives in its dependent's namespace.
 */
export function controllerKey(obj: KubeObject, owner: Pick<ResourceDescriptor, 'group' | 'kind' | 'namespaced'>): ObjectKey | undefined {
  if (!obj.metadata) return undefined;
  const ref = controllerOf(obj);
  if (!ref || ref.kind !== owner.kind || groupOf(ref.apiVersion) !== owner.group || !ref.name) return undefined;
  return owner.namespaced ? { namespace: obj.metadata.namespace, name: ref.name } : { name: ref.name };
}

/** Enqueues the controlling owner of the given resource (ReplicaSet for its Pods, ...). */
export function enqueueOwner<T extends KubeObject>(enqueue: Enqueue, owner: Pick<ResourceDescriptor, 'group' | 'kind' | 'namespaced'>): InformerEventHandler<T> {
  return enqueueMapped<T>(enqueue, (obj) => {
    const k = controllerKey(obj, owner);
    return k ? [k] : [];
  });
}
