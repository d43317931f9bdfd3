// A StatefulSet pod's stable identity: its name `<set>-<ordinal>`, hostname (the pod name)
// and subdomain (the governing Service), the labels naming it, and its own claims
// `<template>-<set>-<ordinal>` from volumeClaimTemplates, which the pod's volumes reference.
// The pod for an ordinal is made from a given template (the update revision's, or the current
// revision's below a partition) and carries that revision's name.

import type { OwnerReference } from '../../common/api/meta.js';
import { controllerRef } from '../../common/api/ownerRefs.js';
import {
  podIndexLabel,
  podNameLabel,
  revisionLabel,
  statefulSetKind,
  type ClaimTemplate,
  type PersistentVolumeClaim,
  type Pod,
  type PodTemplate,
  type StatefulSet,
} from './types.js';

const ordinalName = /^(.*)-(0|[1-9][0-9]*)$/;

/** The parent name and ordinal a pod's name encodes; ordinal -1 when it encodes none. */
export function parentAndOrdinal(podName: string | undefined): { parent: string; ordinal: number } {
  const m = ordinalName.exec(podName ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1]!, ordinal } : { parent: '', ordinal: -1 };
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod.metadata.name).ordinal;
}

/** Whether a pod's name makes it one of `set`'s (whatever its ordinal). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod.metadata.name).parent === set.metadata.name;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${ordinal}`;
}

export function claimName(template: ClaimTemplate, set: StatefulSet, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata.name ?? ''}-${ordinal}`;
}

export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet): number => set.spec?.replicas ?? 1;
/** Whether `ordinal` is one the set should run now: [start, start + replicas). */
export const inRange = (set: StatefulSet, ordinal: number): boolean => ordinal >= startOrdinal(set) && ordinal < startOrdinal(set) + replicasOf(set);

/** The claims the pod of `ordinal` uses, by volume (template) name. */
export function claimsOf(set: StatefulSet, ordinal: number): { volume: string; claim: string; template: ClaimTemplate }[] {
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => ({ volume: t.metadata?.name ?? '', claim: claimName(t, set, ordinal), template: t }));
}

/** A claim made from a template: labels are the set selector's matchLabels (Kubernetes' choice). */
export function newClaim(set: StatefulSet, template: ClaimTemplate, ordinal: number): PersistentVolumeClaim {
  const metadata: PersistentVolumeClaim['metadata'] = {
    name: claimName(template, set, ordinal),
    namespace: set.metadata.namespace,
    labels: { ...(template.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
  };
  if (template.metadata?.annotations && Object.keys(template.metadata.annotations).length) metadata.annotations = { ...template.metadata.annotations };
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec: structuredClone(template.spec ?? {}) };
}

interface Volume {
  name?: string;
  [source: string]: unknown;
}

/**
 * The pod of `ordinal` made from `template` (a revision's), carrying `revision`: the set's
 * controller reference, the identity labels, hostname and subdomain, and one volume per claim
 * template in place of any template volume of the same name.
 */
export function newPod(set: StatefulSet, template: PodTemplate, ordinal: number, revision: string): Pod {
  const name = podName(set, ordinal);
  const spec = structuredClone(template.spec ?? {}) as Record<string, unknown>;
  const claims = claimsOf(set, ordinal);
  const claimed = new Set(claims.map((c) => c.volume));
  const volumes = (Array.isArray(spec.volumes) ? (spec.volumes as Volume[]) : []).filter((v) => !claimed.has(v.name ?? ''));
  for (const c of claims) volumes.push({ name: c.volume, persistentVolumeClaim: { claimName: c.claim } });
  if (volumes.length) spec.volumes = volumes;
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const metadata: Pod['metadata'] = {
    name,
    namespace: set.metadata.namespace,
    labels: { ...(template.metadata?.labels ?? {}), ...identityLabels(set, ordinal), [revisionLabel]: revision },
    ownerReferences: [controllerRef(set, statefulSetKind.apiVersion, statefulSetKind.kind)],
  };
  if (template.metadata?.annotations && Object.keys(template.metadata.annotations).length) metadata.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers?.length) metadata.finalizers = [...template.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

export function identityLabels(set: StatefulSet, ordinal: number): Record<string, string> {
  return { [podNameLabel]: podName(set, ordinal), [podIndexLabel]: String(ordinal) };
}

/** The identity labels a pod lacks or has wrong (someone edited them); {} when it has them. */
export function missingIdentityLabels(set: StatefulSet, pod: Pod): Record<string, string> {
  const want = identityLabels(set, ordinalOf(pod));
  return Object.fromEntries(Object.entries(want).filter(([k, v]) => pod.metadata.labels?.[k] !== v));
}

export const revisionOf = (pod: Pod): string | undefined => pod.metadata.labels?.[revisionLabel];

export const sameOwner = (a: OwnerReference, uid: string | undefined): boolean => uid !== undefined && a.uid === uid;
