// The wire shapes the scheduler reads, named as in Kubernetes (client-node's models,
// type-only). Timestamps are RFC 3339 strings on the wire even where the models say Date;
// read them with timeOf().

import type {
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1PriorityClass,
  V1ReplicaSet,
  V1Service,
  V1StorageClass,
  V1Taint,
  V1Toleration,
} from '@kubernetes/client-node';

export type Pod = V1Pod;
export type Node = V1Node;
export type Taint = V1Taint;
export type Toleration = V1Toleration;
export type PriorityClass = V1PriorityClass;
export type Service = V1Service;
export type ReplicaSet = V1ReplicaSet;
export type PersistentVolumeClaim = V1PersistentVolumeClaim;
export type PersistentVolume = V1PersistentVolume;
export type StorageClass = V1StorageClass;
export type PodDisruptionBudget = V1PodDisruptionBudget;

/** `namespace/name`, the key pods are known by in the queue and the cache. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** Milliseconds since the epoch of a wire timestamp, or undefined. */
export function timeOf(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const t = v instanceof Date ? v.getTime() : Date.parse(String(v));
  return Number.isNaN(t) ? undefined : t;
}
