// Which services select a pod, and which pods a service selects, from the shared informers'
// stores through their namespace index (selectors never cross namespaces). Informer
// handlers use the first to turn a pod event into service keys; syncs use the second.

import type { IndexedStore } from '../../common/client/informer.js';
import { indexers, namespaceIndex } from '../../common/controller/indexers.js';
import type { ObjectKey } from '../../common/controller/types.js';
import { selectorFromSet } from '../../common/selectors/labels.js';
import { hasSelector } from './podEndpoint.js';
import type { Pod, Service } from './types.js';

/** What both controllers ask of the pod and service informers. */
export const byNamespaceIndexers = indexers(namespaceIndex);

export function servicesSelecting(services: IndexedStore<Service>, pod: Pod): ObjectKey[] {
  const ns = pod.metadata.namespace ?? '';
  const out: ObjectKey[] = [];
  for (const svc of services.byIndex(namespaceIndex, ns)) {
    if (!hasSelector(svc)) continue;
    if (selectorFromSet(svc.spec?.selector).matches(pod.metadata.labels)) out.push({ namespace: ns, name: svc.metadata.name ?? '' });
  }
  return out;
}

/** The pods a service selects. */
export function podsSelectedBy(pods: IndexedStore<Pod>, svc: Service): Pod[] {
  const sel = selectorFromSet(svc.spec?.selector);
  return pods.byIndex(namespaceIndex, svc.metadata.namespace ?? '').filter((p) => sel.matches(p.metadata.labels));
}
