// A pod as the scheduler needs it, parsed once: its requests, priority, host ports,
// affinity terms (with compiled selectors), tolerations and images. Filters and scores run
// thousands of times per pod, so nothing in them should parse strings again.

import { labelSelectorFromObject, type LabelSelector, type LabelSelectorObject } from '../../common/selectors/labels.js';
import { podRequests, type Resource } from './resource.js';
import { podKey, timeOf, type Pod, type Toleration } from './types.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface AffinityTerm {
  selector: LabelSelector;
  /** Namespaces the term looks in; empty with allNamespaces=false means only the pod's own. */
  namespaces: ReadonlySet<string>;
  /** An empty namespaceSelector ({}) selects every namespace. */
  allNamespaces: boolean;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: Resource;
  readonly priority: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
  readonly tolerations: readonly Toleration[];
  /** Container images, normalized (`:latest` added when untagged). */
  readonly images: readonly string[];
  /** status.startTime in ms (for choosing preemption victims), if known. */
  readonly startTime: number | undefined;
  readonly terminating: boolean;
}

/** `nginx` -> `nginx:latest`, as the kubelet reports untagged images. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.indexOf(':', lastSlash + 1) >= 0 ? image : `${image}:latest`;
}

interface RawTerm {
  labelSelector?: LabelSelectorObject | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelectorObject | null;
  topologyKey: string;
}

function term(raw: RawTerm, podNamespace: string): AffinityTerm {
  const ns = raw.namespaces ?? [];
  const nsSel = raw.namespaceSelector;
  // An empty namespaceSelector means all namespaces; a non-empty one would need namespace
  // labels, which the scheduler does not watch, so it adds nothing beyond `namespaces`.
  const allNamespaces = !!nsSel && !nsSel.matchLabels && !(nsSel.matchExpressions?.length);
  return {
    selector: labelSelectorFromObject(raw.labelSelector ?? null),
    namespaces: new Set(ns.length || nsSel ? ns : [podNamespace]),
    allNamespaces,
    topologyKey: raw.topologyKey,
  };
}

/** True when `term` (of a pod) selects `other`. */
export function termMatches(t: AffinityTerm, other: PodInfo): boolean {
  return (t.allNamespaces || t.namespaces.has(other.namespace)) && t.selector.matches(other.labels);
}

export function makePodInfo(pod: Pod, priority?: number): PodInfo {
  const spec = pod.spec;
  const meta = pod.metadata ?? {};
  const namespace = meta.namespace ?? '';
  const hostPorts: HostPort[] = [];
  const images: string[] = [];
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    if (c.image) images.push(normalizeImage(c.image));
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  const aff = spec?.affinity;
  const req = (list: RawTerm[] | undefined): AffinityTerm[] => (list ?? []).map((t) => term(t, namespace));
  const pref = (list: { weight: number; podAffinityTerm: RawTerm }[] | undefined): WeightedAffinityTerm[] =>
    (list ?? []).map((w) => ({ ...term(w.podAffinityTerm, namespace), weight: w.weight }));
  return {
    pod,
    key: podKey(pod),
    uid: meta.uid ?? '',
    namespace,
    name: meta.name ?? '',
    labels: meta.labels ?? {},
    requests: podRequests(pod),
    priority: priority ?? spec?.priority ?? 0,
    hostPorts,
    requiredAffinity: req(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution as RawTerm[] | undefined),
    requiredAntiAffinity: req(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution as RawTerm[] | undefined),
    preferredAffinity: pref(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution as { weight: number; podAffinityTerm: RawTerm }[] | undefined),
    preferredAntiAffinity: pref(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution as { weight: number; podAffinityTerm: RawTerm }[] | undefined),
    tolerations: spec?.tolerations ?? [],
    images,
    startTime: timeOf(pod.status?.startTime),
    terminating: !!meta.deletionTimestamp,
  };
}

/** The same pod info for an updated pod object (bound, status changed), keeping parsed parts. */
export function withPod(pi: PodInfo, pod: Pod): PodInfo {
  return { ...pi, pod, startTime: timeOf(pod.status?.startTime), terminating: !!pod.metadata?.deletionTimestamp };
}

export function hasAffinity(pi: PodInfo): boolean {
  return pi.requiredAffinity.length > 0 || pi.requiredAntiAffinity.length > 0 || pi.preferredAffinity.length > 0 || pi.preferredAntiAffinity.length > 0;
}
