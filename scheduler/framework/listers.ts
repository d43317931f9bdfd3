// What plugins may read besides the snapshot: the objects that say which pods belong to one
// workload (Kubernetes hands its plugins the same listers through the framework handle).
// Read-only views of informer stores in the running scheduler (cache/workloadListers.ts),
// plain lists in tests and the in-memory benchmark. Gantry has no ReplicationControllers or
// StatefulSets, so only Services and ReplicaSets are listed.

import type { ReplicaSet, Service } from './types.js';

export interface WorkloadListers {
  /** The Services of a namespace. */
  services(namespace: string): readonly Service[];
  /** A ReplicaSet by namespace and name. */
  replicaSet(namespace: string, name: string): ReplicaSet | undefined;
}

/** Everything a plugin factory may use besides its args. */
export interface PluginHandle {
  workloads: WorkloadListers;
}

/** Listers over fixed lists of objects (tests, the in-memory benchmark). */
export function staticWorkloads(objs: { services?: readonly Service[]; replicaSets?: readonly ReplicaSet[] } = {}): WorkloadListers {
  const services = objs.services ?? [];
  const replicaSets = objs.replicaSets ?? [];
  return {
    services: (ns) => services.filter((s) => (s.metadata?.namespace ?? '') === ns),
    replicaSet: (ns, name) => replicaSets.find((r) => (r.metadata?.namespace ?? '') === ns && r.metadata?.name === name),
  };
}

/** No Services, no ReplicaSets: pods belong to no workload. */
export const noWorkloads: WorkloadListers = staticWorkloads();
