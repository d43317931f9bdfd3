// Builders for the Deployment controller's unit tests.

import { annotations, type Deployment, type IntOrString, type ReplicaSet } from './types.js';

export function deployment(over: { replicas?: number; maxSurge?: IntOrString; maxUnavailable?: IntOrString; recreate?: boolean; generation?: number; image?: string; progressDeadlineSeconds?: number; revisionHistoryLimit?: number; annotations?: Record<string, string>; status?: Deployment['status'] } = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: over.generation ?? 1, ...(over.annotations ? { annotations: over.annotations } : {}) },
    spec: {
      replicas: over.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: over.image ?? 'web:1' }] } },
      strategy: over.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: over.maxSurge ?? '25%', maxUnavailable: over.maxUnavailable ?? '25%' } },
      ...(over.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: over.progressDeadlineSeconds } : {}),
      ...(over.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: over.revisionHistoryLimit } : {}),
    },
    ...(over.status ? { status: over.status } : {}),
  };
}

export function replicaSet(name: string, over: { replicas?: number; available?: number; actual?: number; ready?: number; revision?: number; created?: string; image?: string; desired?: number; max?: number; labels?: Record<string, string>; generation?: number; observedGeneration?: number } = {}): ReplicaSet {
  const replicas = over.replicas ?? 0;
  const ann: Record<string, string> = {};
  if (over.revision !== undefined) ann[annotations.revision] = String(over.revision);
  if (over.desired !== undefined) ann[annotations.desiredReplicas] = String(over.desired);
  if (over.max !== undefined) ann[annotations.maxReplicas] = String(over.max);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: over.generation ?? 1,
      creationTimestamp: over.created ?? '2026-01-01T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': name, ...(over.labels ?? {}) },
      annotations: ann,
    },
    spec: { replicas, template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'app', image: over.image ?? `img-${name}` }] } } },
    status: { replicas: over.actual ?? replicas, readyReplicas: over.ready ?? over.available ?? replicas, availableReplicas: over.available ?? replicas, observedGeneration: over.observedGeneration ?? over.generation ?? 1 },
  };
}
