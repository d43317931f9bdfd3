// The scheduler benchmark's workload, shared by the end-to-end run (bench/scheduler.ts,
// through the API) and the in-memory decision run (scheduler/perf/decisionRate.ts), so both
// place the same pods on the same nodes. Like scheduler_perf's SchedulingBasic, with Node
// objects only (no kubelets): every node has 4 CPU, 16 GiB and room for 110 pods; pods ask
// for a deterministic mix of sizes, so packing them is not trivial.

import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { makeNode, makePod } from './builders.js';

export const NODE_CPU_MILLI = 4000;
export const NODE_MEMORY_BYTES = 16 * 1024 ** 3;
export const NODE_MAX_PODS = 110;

const Mi = 1024 ** 2;

/** (cpu milli, memory MiB) — from small sidecar-like pods to a full core. */
const shapes: readonly [number, number][] = [
  [100, 128],
  [250, 512],
  [500, 1024],
  [1000, 2048],
  [200, 256],
  [750, 1536],
];

export interface PodShape {
  cpuMilli: number;
  memoryBytes: number;
}

/** Pod i's requests: a fixed pseudo-random pick, the same in every run. */
export function podShape(i: number): PodShape {
  // A small LCG step decorrelates neighbours without a seeded RNG dependency.
  const h = (Math.imul(i + 1, 2654435761) >>> 0) % shapes.length;
  const [cpu, mib] = shapes[h]!;
  return { cpuMilli: cpu, memoryBytes: mib * Mi };
}

export function benchNodeName(i: number): string {
  return `node-${String(i).padStart(5, '0')}`;
}

export function benchNode(i: number): V1Node {
  return makeNode()
    .name(benchNodeName(i))
    .labels({ 'topology.kubernetes.io/zone': `zone-${i % 3}` })
    .capacity({ cpu: String(NODE_CPU_MILLI / 1000), memory: `${NODE_MEMORY_BYTES / Mi}Mi`, pods: String(NODE_MAX_PODS) })
    .obj();
}

export function benchPod(i: number, namespace = 'default'): V1Pod {
  const s = podShape(i);
  return makePod()
    .name(`pod-${String(i).padStart(6, '0')}`)
    .namespace(namespace)
    .labels({ app: `app-${i % 50}` })
    .container({ name: 'app', image: 'registry.local/app:1', requests: { cpu: `${s.cpuMilli}m`, memory: `${s.memoryBytes / Mi}Mi` } })
    .obj();
}

/** Fewest nodes that could hold pods 0..n-1: the tightest of CPU, memory and pod count. */
export function nodesLowerBound(pods: number): { nodes: number; cpuMilli: number; memoryBytes: number; binding: string } {
  let cpu = 0;
  let mem = 0;
  for (let i = 0; i < pods; i++) {
    const s = podShape(i);
    cpu += s.cpuMilli;
    mem += s.memoryBytes;
  }
  const byCpu = Math.ceil(cpu / NODE_CPU_MILLI);
  const byMem = Math.ceil(mem / NODE_MEMORY_BYTES);
  const byCount = Math.ceil(pods / NODE_MAX_PODS);
  const nodes = Math.max(byCpu, byMem, byCount);
  return { nodes, cpuMilli: cpu, memoryBytes: mem, binding: nodes === byCpu ? 'cpu' : nodes === byMem ? 'memory' : 'pods' };
}
