// WorkloadListers over the scheduler's Service and ReplicaSet informers: look-ups in their
// stores, never an API call during a scheduling cycle.

import type { IndexedStore } from '../../common/client/informer.js';
import type { WorkloadListers } from '../framework/listers.js';
import type { ReplicaSet, Service } from '../framework/types.js';

export const serviceNamespaceIndex = 'namespace';

/** The index the Service informer needs for `services(namespace)`. */
export function serviceByNamespace(s: Service): string[] {
  return [s.metadata?.namespace ?? ''];
}

export function storeWorkloads(services: IndexedStore<Service>, replicaSets: IndexedStore<ReplicaSet>): WorkloadListers {
  return {
    services: (ns) => services.byIndex(serviceNamespaceIndex, ns),
    replicaSet: (ns, name) => replicaSets.get(`${ns}/${name}`),
  };
}
