// Fixtures for the ReplicaSet controller's tests: pods in the states the controller tells
// apart (scheduled, phase, ready since when, restarts, age) and sets, built on the shared
// builders.

import { makePod } from '../../common/testing/builders.js';
import type { Pod, ReplicaSet } from './types.js';

export interface PodState {
  node?: string;
  phase?: string;
  /** Ready since this RFC 3339 time; `true`: ready with no transition time. */
  ready?: string | boolean;
  restarts?: number;
  created?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deleting?: boolean;
}

export function rsPod(name: string, s: PodState = {}): Pod {
  const b = makePod().name(name).labels(s.labels ?? { app: 'web' }).phase(s.phase ?? 'Running');
  if (s.node) b.nodeName(s.node);
  if (s.created) b.creationTimestamp(s.created);
  if (s.deleting) b.terminating();
  const pod = b.obj() as unknown as Pod;
  if (s.annotations) pod.metadata.annotations = { ...s.annotations };
  const status = (pod.status ??= {});
  if (s.ready !== undefined) {
    status.conditions = [{ type: 'Ready', status: s.ready === false ? 'False' : 'True', ...(typeof s.ready === 'string' ? { lastTransitionTime: s.ready } : {}) }];
  }
  if (s.restarts !== undefined) status.containerStatuses = [{ name: 'c', restartCount: s.restarts }];
  return pod;
}

export function makeReplicaSet(name: string, over: { replicas?: number; minReadySeconds?: number; generation?: number; labels?: Record<string, string>; namespace?: string } = {}): ReplicaSet {
  const labels = over.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: over.namespace ?? 'default', uid: `uid-${name}`, generation: over.generation ?? 1 },
    spec: {
      replicas: over.replicas ?? 1,
      ...(over.minReadySeconds !== undefined ? { minReadySeconds: over.minReadySeconds } : {}),
      selector: { matchLabels: { ...labels } },
      template: { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'web', image: 'busybox:1' }] } },
    },
  };
}
