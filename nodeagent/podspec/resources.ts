// Container cgroup settings from requests and limits, computed as the kubelet does:
// cpu.shares from the cpu request, a CFS quota from the cpu limit, the memory limit, and an
// OOM score adjustment by QoS class so the kernel kills best-effort work first.
// cgroup v1/v2 differences (shares -> cpu.weight) are the runtime's business.

import type { LinuxContainerResources } from '../cri/types.js';
import { PodSpecError } from './errors.js';
import { qosClass, type QosClass } from './qos.js';
import { effectiveResources, toSafeNumber } from './quantities.js';
import { containerField, type Container, type Pod } from './types.js';

const minShares = 2n;
const maxShares = 262144n;
const sharesPerCpu = 1024n;
export const cfsPeriodMicros = 100_000;
const minQuotaMicros = 1000n;

const guaranteedOomScoreAdj = -997;
const bestEffortOomScoreAdj = 1000;

/** cpu.shares for a cpu amount in millicores: proportional, within the kernel's bounds. */
export function milliCpuToShares(milliCpu: bigint): number {
  if (milliCpu <= 0n) return Number(minShares);
  const shares = (milliCpu * sharesPerCpu) / 1000n;
  if (shares < minShares) return Number(minShares);
  return Number(shares > maxShares ? maxShares : shares);
}

/** CFS quota (microseconds per period) for a cpu limit in millicores; 0 means unlimited. */
export function milliCpuToQuota(milliCpu: bigint, periodMicros: number): number {
  if (milliCpu <= 0n) return 0;
  const quota = (milliCpu * BigInt(periodMicros)) / 1000n;
  return Number(quota < minQuotaMicros ? minQuotaMicros : quota);
}

function isSidecar(pod: Pod, container: Container): boolean {
  return container.restartPolicy === 'Always' && (pod.spec.initContainers ?? []).some((c) => c.name === container.name);
}

/** A pod the node must keep alive above all (kubelet: a critical pod of class system-node-critical). */
function isNodeCritical(pod: Pod): boolean {
  return pod.spec.priorityClassName === 'system-node-critical';
}

/**
 * The oom_score_adj for a container: -997 for Guaranteed (and node-critical) pods, 1000 for
 * BestEffort; Burstable containers scale with the share of the node's memory they request,
 * 1000 - 1000*request/capacity, kept within [3, 999] so they always sit between the other two
 * (Kubernetes' documented lower bound of 2 predates guaranteed moving from -998 to -997).
 */
export function oomScoreAdj(pod: Pod, container: Container, nodeMemoryCapacity: bigint, qos: QosClass = qosClass(pod)): number {
  if (nodeMemoryCapacity <= 0n) throw new RangeError('nodeMemoryCapacity must be positive');
  if (isNodeCritical(pod) || qos === 'Guaranteed') return guaranteedOomScoreAdj;
  if (qos === 'BestEffort') return bestEffortOomScoreAdj;
  const field = containerField(pod, container);
  const memRequest = effectiveResources(container, field).requests.get('memory')?.value() ?? 0n;
  let adj = 1000n - (1000n * memRequest) / nodeMemoryCapacity;
  if (isSidecar(pod, container) && pod.spec.containers.length > 0) {
    // A sidecar must not be killed before the containers it serves.
    const regular = pod.spec.containers.map((c, i) => effectiveResources(c, `spec.containers[${i}]`).requests.get('memory')?.value() ?? 0n);
    const minRequest = regular.reduce((a, b) => (b < a ? b : a));
    const regularAdj = 1000n - (1000n * minRequest) / nodeMemoryCapacity;
    if (adj > regularAdj) adj = regularAdj;
  }
  const lowest = BigInt(1000 + guaranteedOomScoreAdj);
  if (adj < lowest) return Number(lowest);
  if (adj === BigInt(bestEffortOomScoreAdj)) return bestEffortOomScoreAdj - 1;
  return Number(adj);
}

export interface ResourceOptions {
  /** The node's memory capacity in bytes, the denominator of a Burstable container's OOM score. */
  nodeMemoryCapacity: bigint | number;
  /** Maximum processes per container; absent: unlimited. */
  pidsLimit?: number;
}

export function containerResources(pod: Pod, container: Container, opts: ResourceOptions): LinuxContainerResources {
  const field = containerField(pod, container);
  const { requests, limits } = effectiveResources(container, field);
  const cpuRequest = requests.get('cpu')?.milliValue() ?? 0n;
  const cpuLimit = limits.get('cpu')?.milliValue() ?? 0n;
  if (cpuRequest < 0n || cpuLimit < 0n) throw new PodSpecError(`${field}.resources: cpu must not be negative`, `${field}.resources`);
  // An explicit zero request beside a limit counts as the limit, as the kubelet does for old pods.
  const out: LinuxContainerResources = { cpuShares: milliCpuToShares(cpuRequest === 0n ? cpuLimit : cpuRequest) };
  if (cpuLimit > 0n) {
    out.cpuPeriod = cfsPeriodMicros;
    out.cpuQuota = milliCpuToQuota(cpuLimit, cfsPeriodMicros);
  }
  const memLimit = limits.get('memory')?.value() ?? 0n;
  if (memLimit < 0n) throw new PodSpecError(`${field}.resources.limits.memory must not be negative`, `${field}.resources.limits.memory`);
  if (memLimit > 0n) out.memoryLimitInBytes = toSafeNumber(memLimit, `${field}.resources.limits.memory`);
  out.oomScoreAdj = oomScoreAdj(pod, container, BigInt(opts.nodeMemoryCapacity));
  if (opts.pidsLimit !== undefined && opts.pidsLimit > 0) out.pidsLimit = opts.pidsLimit;
  return out;
}

const uidShape = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * The pod's cgroup, relative to the runtime's cgroup root, nested by QoS class as the
 * kubelet nests it: Guaranteed pods directly (`pod<uid>`), the others under
 * `burstable/` and `besteffort/`, so a class can be capped or reclaimed as a whole.
 */
export function podCgroupParent(pod: Pod, qos: QosClass = qosClass(pod)): string {
  const uid = pod.metadata.uid;
  if (!uidShape.test(uid)) throw new PodSpecError(`metadata.uid ${JSON.stringify(uid)} cannot name a cgroup`, 'metadata.uid');
  const leaf = `pod${uid}`;
  switch (qos) {
    case 'Guaranteed':
      return leaf;
    case 'Burstable':
      return `burstable/${leaf}`;
    case 'BestEffort':
      return `besteffort/${leaf}`;
  }
}
