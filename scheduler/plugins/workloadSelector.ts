// Which pods count as "the same workload" as a pod that names none itself: the pods selected
// by every Service selecting it and by the ReplicaSet controlling it, ANDed (Kubernetes'
// DefaultSelector, which the old SelectorSpread used and PodTopologySpread's default
// constraints use now). Undefined when nothing selects the pod: a lone pod has no peers to
// spread from.

import { labelSelectorFromObject, selectorFromRequirements, selectorFromSet, type LabelRequirement, type LabelSelector } from '../../common/selectors/labels.js';
import type { WorkloadListers } from '../framework/listers.js';
import type { Pod, ReplicaSet, Service } from '../framework/types.js';

function selectsPod(selector: Readonly<Record<string, string>>, podLabels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (podLabels[k] !== selector[k]) return false;
  return true;
}

// Objects from informer stores are replaced on change, never mutated: their compiled
// requirements are kept as long as the object lives, so a cycle does not re-validate them.
const compiledRS = new WeakMap<object, readonly LabelRequirement[]>();
const compiledService = new WeakMap<object, readonly LabelRequirement[]>();

function serviceRequirements(svc: Service, sel: Readonly<Record<string, string>>): readonly LabelRequirement[] {
  let reqs = compiledService.get(svc);
  if (!reqs) {
    try {
      reqs = selectorFromSet(sel).requirements();
    } catch {
      // Label keys the API server would have refused: such a Service says nothing useful.
      reqs = [];
    }
    compiledService.set(svc, reqs);
  }
  return reqs;
}

function replicaSetRequirements(rs: ReplicaSet): readonly LabelRequirement[] {
  let reqs = compiledRS.get(rs);
  if (!reqs) {
    try {
      reqs = labelSelectorFromObject(rs.spec?.selector).requirements();
    } catch {
      // A selector the API server would have refused selects nothing here.
      reqs = [];
    }
    compiledRS.set(rs, reqs);
  }
  return reqs;
}

export function workloadSelector(pod: Pod, listers: WorkloadListers): LabelSelector | undefined {
  const ns = pod.metadata?.namespace ?? '';
  const podLabels = pod.metadata?.labels ?? {};
  // Every Service selecting the pod demands key=(the pod's value): their union, once per key.
  const byKey = new Map<string, LabelRequirement>();
  for (const svc of listers.services(ns)) {
    const sel = svc.spec?.selector;
    // A Service without a selector (its endpoints are managed by hand) selects no pods.
    if (!sel || !selectsPod(sel, podLabels)) continue;
    for (const r of serviceRequirements(svc, sel)) byKey.set(r.key, r);
  }
  const reqs: LabelRequirement[] = [...byKey.values()];
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (owner && owner.kind === 'ReplicaSet' && owner.apiVersion === 'apps/v1') {
    const rs = listers.replicaSet(ns, owner.name);
    if (rs) reqs.push(...replicaSetRequirements(rs));
  }
  return reqs.length ? selectorFromRequirements(reqs) : undefined;
}
