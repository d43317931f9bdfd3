// The pods a ReplicaSet sync looks at, kept beside the shared pod informer's store: those
// controlled by a given owner uid, and the orphans (no controller) of a namespace that it
// may adopt. Pods controlled by someone else are never a set's business, so a sync touches
// its own pods and the orphans, not every pod of the namespace or the cluster.

import { controllerOf } from '../../common/api/ownerRefs.js';
import { objectKey } from '../../common/client/informer.js';
import type { Pod } from './types.js';

function addTo(map: Map<string, Set<string>>, k: string, v: string): void {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(v);
}

function removeFrom(map: Map<string, Set<string>>, k: string, v: string): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) map.delete(k);
}

export class PodIndex {
  private readonly byController = new Map<string, Set<string>>();
  private readonly orphansByNamespace = new Map<string, Set<string>>();
  /** Where each pod is filed, so removal does not depend on the state a delete event carries. */
  private readonly filed = new Map<string, { map: Map<string, Set<string>>; k: string }>();

  add(pod: Pod): void {
    const key = objectKey(pod);
    this.removeKey(key);
    const ref = controllerOf(pod);
    const place = ref ? { map: this.byController, k: ref.uid } : { map: this.orphansByNamespace, k: pod.metadata.namespace ?? '' };
    addTo(place.map, place.k, key);
    this.filed.set(key, place);
  }

  remove(pod: Pod): void {
    this.removeKey(objectKey(pod));
  }

  private removeKey(key: string): void {
    const place = this.filed.get(key);
    if (!place) return;
    removeFrom(place.map, place.k, key);
    this.filed.delete(key);
  }

  update(_old: Pod, pod: Pod): void {
    this.add(pod);
  }

  /** Keys (namespace/name) of the pods whose controller has this uid, then the namespace's orphans. */
  candidates(ownerUid: string, namespace: string): string[] {
    return [...(this.byController.get(ownerUid) ?? []), ...(this.orphansByNamespace.get(namespace) ?? [])];
  }
}
