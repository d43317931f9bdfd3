// The pod a DaemonSet creates for one node: its template's labels (plus the revision hash and
// template generation), its spec with the default daemon tolerations, and a required node
// affinity `metadata.name In [node]` in place of the template's required terms, so the
// scheduler places it (Kubernetes since 1.12) rather than the controller setting nodeName.

import { controllerRef } from '../../common/api/ownerRefs.js';
import { withDefaultTolerations } from './eligibility.js';
import { daemonSetKind, revisionHashLabel, templateGenerationLabel, type DaemonPodSpec, type DaemonSet, type NodeSelectorTerm, type Pod } from './types.js';

/** The term pinning a pod to one node. */
export function nodeNameTerm(node: string): NodeSelectorTerm {
  return { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] };
}

/** The node a daemon pod is for: where it is bound, else the node its pinning term names. */
export function targetNodeOf(pod: Pod): string | undefined {
  if (typeof pod.spec?.nodeName === 'string' && pod.spec.nodeName !== '') return pod.spec.nodeName;
  const terms = (pod.spec as DaemonPodSpec | undefined)?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

export function podForDaemonSet(ds: DaemonSet, node: string, hash: string, generation: string): Pod {
  const t = ds.spec?.template ?? {};
  const spec = structuredClone(t.spec ?? {}) as DaemonPodSpec;
  spec.tolerations = withDefaultTolerations(spec);
  const affinity = spec.affinity ?? {};
  affinity.nodeAffinity = { ...(affinity.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nodeNameTerm(node)] } };
  spec.affinity = affinity;
  const metadata: Pod['metadata'] = {
    generateName: `${ds.metadata.name ?? ''}-`,
    namespace: ds.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}), [revisionHashLabel]: hash, [templateGenerationLabel]: generation },
    ownerReferences: [controllerRef(ds, daemonSetKind.apiVersion, daemonSetKind.kind)],
  };
  if (t.metadata?.annotations && Object.keys(t.metadata.annotations).length) metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers?.length) metadata.finalizers = [...t.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
