// The explicit list of kinds the API server serves: descriptor + strategy, by resource.
// Adding a kind is a schema, a descriptor in common/api/resources.ts and a line here.
// Create-only review kinds have a review (kinds/reviews.ts) instead of a strategy.

import { builtinResources, reviewResources, type ResourceDescriptor } from '../../common/api/resources.js';
import { certificateSigningRequestStrategy } from './kinds/certificateSigningRequests.js';
import { configMapStrategy, namespaceStrategy, nodeStrategy, plainKinds, priorityClassStrategy, secretStrategy, serviceStrategy } from './kinds/core.js';
import { controllerRevisionStrategy, daemonSetStrategy } from './kinds/daemonSets.js';
import { endpointSliceStrategy } from './kinds/endpointSlices.js';
import { cronJobStrategy, jobStrategy } from './kinds/jobs.js';
import { podDisruptionBudgetStrategy } from './kinds/podDisruptionBudgets.js';
import { persistentVolumeClaimStrategy } from './kinds/persistentVolumeClaims.js';
import { persistentVolumeStrategy } from './kinds/persistentVolumes.js';
import { podStrategy } from './kinds/pods.js';
import { reviews, type Review } from './kinds/reviews.js';
import { statefulSetStrategy } from './kinds/statefulSets.js';
import { storageClassStrategy } from './kinds/storageClasses.js';
import { deploymentStrategy, replicaSetStrategy } from './kinds/workloads.js';
import type { Strategy } from './strategy.js';

const strategies: Record<string, Strategy> = {
  namespaces: namespaceStrategy,
  pods: podStrategy,
  nodes: nodeStrategy,
  services: serviceStrategy,
  endpoints: plainKinds,
  configmaps: configMapStrategy,
  secrets: secretStrategy,
  events: plainKinds,
  serviceaccounts: plainKinds,
  persistentvolumes: persistentVolumeStrategy,
  persistentvolumeclaims: persistentVolumeClaimStrategy,
  deployments: deploymentStrategy,
  replicasets: replicaSetStrategy,
  daemonsets: daemonSetStrategy,
  statefulsets: statefulSetStrategy,
  controllerrevisions: controllerRevisionStrategy,
  jobs: jobStrategy,
  cronjobs: cronJobStrategy,
  poddisruptionbudgets: podDisruptionBudgetStrategy,
  leases: plainKinds,
  priorityclasses: priorityClassStrategy,
  storageclasses: storageClassStrategy,
  endpointslices: endpointSliceStrategy,
  certificatesigningrequests: certificateSigningRequestStrategy,
};

export interface KindEntry {
  descriptor: ResourceDescriptor;
  strategy: Strategy;
}

/** Every served kind, keyed by `group/plural` (core group: `/pods`). */
export function builtinKinds(): Map<string, KindEntry> {
  const out = new Map<string, KindEntry>();
  for (const d of builtinResources) {
    const strategy = strategies[d.plural];
    if (!strategy) throw new Error(`no strategy registered for ${d.plural}`);
    out.set(`${d.group}/${d.plural}`, { descriptor: d, strategy });
  }
  return out;
}

export interface ReviewKind {
  descriptor: ResourceDescriptor;
  review: Review;
}

/** Every review kind, keyed by `group/version/plural` (versions of one kind share a review). */
export function reviewKinds(): Map<string, ReviewKind> {
  const out = new Map<string, ReviewKind>();
  for (const d of reviewResources) {
    const review = reviews[d.kind];
    if (!review) throw new Error(`no review registered for ${d.kind}`);
    out.set(`${d.group}/${d.version}/${d.plural}`, { descriptor: d, review });
  }
  return out;
}
