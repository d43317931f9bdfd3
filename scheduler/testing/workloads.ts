// Fixtures for tests about workloads: a ReplicaSet, a Service, and a pod controlled by a
// ReplicaSet (the owner reference the ReplicaSet controller sets).

import type { LabelSelectorObject } from '../../common/selectors/labels.js';
import type { Pod, ReplicaSet, Service } from '../framework/types.js';

export function makeReplicaSet(name: string, selector: LabelSelectorObject | null, namespace = 'default'): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace, uid: `uid-rs-${namespace}-${name}` },
    spec: { selector: selector as NonNullable<ReplicaSet['spec']>['selector'], template: {} },
  };
}

export function makeService(name: string, selector: Record<string, string> | undefined, namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port: 80 }], ...(selector ? { selector } : {}) } };
}

/** `pod` with a controller owner reference to `rs` (or any kind/apiVersion, to test the others). */
export function ownedBy(pod: Pod, rs: { name: string; kind?: string; apiVersion?: string; controller?: boolean }): Pod {
  const ref = { apiVersion: rs.apiVersion ?? 'apps/v1', kind: rs.kind ?? 'ReplicaSet', name: rs.name, uid: `uid-owner-${rs.name}`, controller: rs.controller ?? true };
  return { ...pod, metadata: { ...pod.metadata, ownerReferences: [ref] } };
}
