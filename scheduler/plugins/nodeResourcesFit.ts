// NodeResourcesFit: the pod's requests (cpu, memory, ephemeral-storage, extended resources,
// and one more pod) must fit in what the node has left: allocatable minus the requests of
// the pods already there (bound or assumed). Failing resources are all reported, in the
// words kubectl users know: "Insufficient cpu", "Too many pods".

import type { ClusterEvent, FilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
export const TOO_MANY_PODS = 'Too many pods';

export function insufficient(resource: string): string {
  return `Insufficient ${resource}`;
}

/** The resources `pod` lacks on `ni` (empty when it fits). */
export function insufficientResources(pod: PodInfo, ni: NodeInfo): string[] {
  const out: string[] = [];
  if (ni.pods.length + 1 > ni.allocatable.allowedPodNumber) out.push(TOO_MANY_PODS);
  const req = pod.requests;
  const alloc = ni.allocatable;
  const used = ni.requested;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) out.push(insufficient('cpu'));
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push(insufficient('memory'));
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) out.push(insufficient('ephemeral-storage'));
  if (req.scalar) {
    for (const [name, want] of req.scalar) {
      if (want > 0 && want > (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) out.push(insufficient(name));
    }
  }
  return out;
}

export class NodeResourcesFit implements FilterPlugin {
  readonly name = NODE_RESOURCES_FIT;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'];

  filter(_state: unknown, pod: PodInfo, ni: NodeInfo): Status {
    // The common case, fitting, without allocating anything: this runs for every node.
    const req = pod.requests;
    const alloc = ni.allocatable;
    const used = ni.requested;
    if (
      ni.pods.length < alloc.allowedPodNumber &&
      req.milliCPU <= alloc.milliCPU - used.milliCPU &&
      req.memory <= alloc.memory - used.memory &&
      req.ephemeralStorage <= alloc.ephemeralStorage - used.ephemeralStorage &&
      !req.scalar
    ) {
      return Status.success;
    }
    const reasons = insufficientResources(pod, ni);
    return reasons.length ? Status.unschedulable(...reasons) : Status.success;
  }
}
