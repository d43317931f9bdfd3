// The Node object this agent registers and keeps current: labels, capacity and allocatable,
// addresses, the endpoint of its logs/exec server, node info and conditions. Pure functions
// of their inputs, so the rules are table-tested without a host.

import { parseQuantity, Quantity } from '../../common/quantity.js';
import { rfc3339 } from '../../common/clock.js';
import type { HostInfo } from './hostInfo.js';
import type { PressureState } from './pressure.js';
import { localPathRootAnnotation } from '../storage/localPath.js';

export const agentVersion = 'v1.32.0-gantry';

export interface NodeIdentity {
  nodeName: string;
  address: string;
  port: number;
  podSubnet: string;
  maxPods: number;
  reservedCpu: string;
  reservedMemory: string;
  evictionMemoryAvailable: string;
  runtimeVersion: string;
  /** The agent's directory for gantry.dev/local-path volumes, announced on the Node for the provisioner. */
  localPathRoot?: string;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

export function nodeLabels(id: NodeIdentity, host: HostInfo): Record<string, string> {
  return {
    'kubernetes.io/hostname': id.nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': host.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': host.architecture,
  };
}

/** The annotations the agent owns on its Node, written at every start (create or adopt). */
export function nodeAnnotations(id: NodeIdentity): Record<string, string> {
  return id.localPathRoot ? { [localPathRootAnnotation]: id.localPathRoot } : {};
}

function nonNegative(q: Quantity): Quantity {
  return q.sign() < 0 ? Quantity.fromValue(0n) : q;
}

export function capacityAndAllocatable(id: NodeIdentity, host: HostInfo, diskBytes: bigint): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const cpu = Quantity.fromValue(BigInt(host.cpuCores));
  const memory = Quantity.fromValue(host.memoryBytes, 'BinarySI');
  const disk = Quantity.fromValue(diskBytes, 'BinarySI');
  const pods = String(id.maxPods);
  // As the kubelet computes it: capacity minus reservations minus the hard eviction threshold,
  // so the scheduler never fills a node to the point where the agent must evict.
  const allocCpu = nonNegative(cpu.sub(parseQuantity(id.reservedCpu)));
  const allocMemory = nonNegative(memory.sub(parseQuantity(id.reservedMemory)).sub(parseQuantity(id.evictionMemoryAvailable)));
  const memKi = (q: Quantity): string => `${q.value() / 1024n}Ki`;
  return {
    capacity: { cpu: cpu.format(), memory: memKi(memory), pods, 'ephemeral-storage': memKi(disk) },
    allocatable: { cpu: allocCpu.format(), memory: memKi(allocMemory), pods, 'ephemeral-storage': memKi(disk) },
  };
}

interface ConditionSpec {
  type: string;
  bad: boolean;
  goodReason: string;
  goodMessage: string;
  badReason: string;
  badMessage: string;
  /** Ready is "True" when good; the pressure conditions are "True" when bad. */
  trueWhenGood: boolean;
}

export interface NodeHealth {
  runtimeError?: string;
  pressure: PressureState;
}

function conditionSpecs(h: NodeHealth): ConditionSpec[] {
  return [
    { type: 'MemoryPressure', bad: h.pressure.memory, goodReason: 'KubeletHasSufficientMemory', goodMessage: 'agent has sufficient memory available', badReason: 'KubeletHasInsufficientMemory', badMessage: 'agent has insufficient memory available', trueWhenGood: false },
    { type: 'DiskPressure', bad: h.pressure.disk, goodReason: 'KubeletHasNoDiskPressure', goodMessage: 'agent has no disk pressure', badReason: 'KubeletHasDiskPressure', badMessage: 'agent has disk pressure', trueWhenGood: false },
    { type: 'PIDPressure', bad: h.pressure.pids, goodReason: 'KubeletHasSufficientPID', goodMessage: 'agent has sufficient PID available', badReason: 'KubeletHasInsufficientPID', badMessage: 'agent has insufficient PID available', trueWhenGood: false },
    { type: 'Ready', bad: h.runtimeError !== undefined, goodReason: 'KubeletReady', goodMessage: 'gantry agent is posting ready status', badReason: 'KubeletNotReady', badMessage: `container runtime is down: ${h.runtimeError ?? ''}`, trueWhenGood: true },
  ];
}

/** The node's conditions now; lastTransitionTime carries over from `previous` while a status holds. */
export function nodeConditions(h: NodeHealth, previous: NodeCondition[], nowMs: number): NodeCondition[] {
  const now = rfc3339(nowMs);
  return conditionSpecs(h).map((s) => {
    const good = !s.bad;
    const status: 'True' | 'False' = good === s.trueWhenGood ? 'True' : 'False';
    const prev = previous.find((c) => c.type === s.type);
    return {
      type: s.type,
      status,
      reason: good ? s.goodReason : s.badReason,
      message: good ? s.goodMessage : s.badMessage,
      lastHeartbeatTime: now,
      lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
    };
  });
}

/** Whether two condition lists differ in anything but heartbeat times. */
export function conditionsChanged(a: NodeCondition[], b: NodeCondition[]): boolean {
  if (a.length !== b.length) return true;
  return a.some((c) => {
    const o = b.find((x) => x.type === c.type);
    return !o || o.status !== c.status || o.reason !== c.reason || o.message !== c.message;
  });
}

export function nodeStatus(id: NodeIdentity, host: HostInfo, diskBytes: bigint, conditions: NodeCondition[]): Record<string, unknown> {
  return {
    ...capacityAndAllocatable(id, host, diskBytes),
    conditions,
    addresses: [
      { type: 'InternalIP', address: id.address },
      { type: 'Hostname', address: id.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: id.port } },
    nodeInfo: {
      machineID: host.machineId,
      systemUUID: host.machineId,
      bootID: host.bootId,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      containerRuntimeVersion: id.runtimeVersion,
      kubeletVersion: agentVersion,
      kubeProxyVersion: agentVersion,
      operatingSystem: 'linux',
      architecture: host.architecture,
    },
  };
}

export function nodeObject(id: NodeIdentity, host: HostInfo): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.nodeName, labels: nodeLabels(id, host), annotations: nodeAnnotations(id) },
    spec: { podCIDR: id.podSubnet, podCIDRs: [id.podSubnet] },
  };
}
