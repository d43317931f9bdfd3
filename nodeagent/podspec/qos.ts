// A pod's quality-of-service class by Kubernetes' rules: only cpu and memory count, and
// only amounts above zero; init containers count like the others. Guaranteed needs every
// container to limit both cpu and memory and the pod's summed requests to equal its summed
// limits; no request or limit anywhere is BestEffort; anything else is Burstable.
//
// Computed from the spec rather than read from status.qosClass: the spec's resources are
// immutable, so the answer is the same, and it does not depend on how the server computed it.

import type { Quantity } from '../../common/quantity.js';
import { effectiveResources } from './quantities.js';
import type { Pod } from './types.js';
import { listAt } from './types.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = ['cpu', 'memory'] as const;

function addTo(sums: Map<string, Quantity>, name: string, q: Quantity): void {
  const prev = sums.get(name);
  sums.set(name, prev ? prev.add(q) : q);
}

export function qosClass(pod: Pod): QosClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let everyContainerLimitsBoth = true;
  const lists = [['spec.containers', pod.spec.containers], ['spec.initContainers', pod.spec.initContainers]] as const;
  for (const [listField, list] of lists) {
    listAt(list, listField).forEach((c, i) => {
      const r = effectiveResources(c, `${listField}[${i}]`);
      const limited = new Set<string>();
      for (const name of qosResources) {
        const req = r.requests.get(name);
        if (req && req.sign() > 0) addTo(requests, name, req);
        const lim = r.limits.get(name);
        if (lim && lim.sign() > 0) {
          addTo(limits, name, lim);
          limited.add(name);
        }
      }
      if (limited.size < qosResources.length) everyContainerLimitsBoth = false;
    });
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (!everyContainerLimitsBoth || requests.size !== limits.size) return 'Burstable';
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (!lim || !lim.equals(req)) return 'Burstable';
  }
  return 'Guaranteed';
}
