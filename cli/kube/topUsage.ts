// Actual usage from the metrics API (metrics.k8s.io/v1beta1, served by the API server from the
// node agents' cgroup samples), as numbers the top tables set beside requests and limits:
// CPU in millicores rounded up and memory (the working set) in bytes, so `gantry top` shows
// the figures `kubectl top` shows (kubectl prints memory as whole Mi, rounded down).

import { tryParseQuantity } from '../../common/quantity.js';

export interface ResourceUsage {
  cpu?: string;
  memory?: string;
}

export interface NodeMetricsLike {
  metadata: { name: string };
  usage: ResourceUsage;
}

export interface PodMetricsLike {
  metadata: { name: string; namespace?: string };
  containers: { name: string; usage: ResourceUsage }[];
}

/** cpu in millicores, memory in bytes. */
export interface Usage {
  cpu: number;
  memory: number;
}

export type SortBy = 'cpu' | 'memory';

/** Exact nano-units of a quantity (0 for a malformed one: the server wrote it, a bad one shows as nothing). */
function nanos(raw: string | undefined): bigint {
  if (raw === undefined) return 0n;
  const q = tryParseQuantity(raw);
  return q.ok ? q.quantity.nanoValue() : 0n;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** Sums in nano-units first so a pod's total rounds once, as kubectl sums Quantities. */
export function usageOf(list: ResourceUsage[]): Usage {
  let cpu = 0n;
  let memory = 0n;
  for (const u of list) {
    cpu += nanos(u.cpu);
    memory += nanos(u.memory);
  }
  return { cpu: Number(ceilDiv(cpu, 1_000_000n)), memory: Number(ceilDiv(memory, 1_000_000_000n)) };
}

/** Node name -> usage. */
export function nodeUsages(metrics: NodeMetricsLike[]): Map<string, Usage> {
  return new Map(metrics.map((m) => [m.metadata.name, usageOf([m.usage])]));
}

/** `namespace/name` -> the pod's total and each container's usage. */
export function podUsages(metrics: PodMetricsLike[]): Map<string, { total: Usage; containers: Map<string, Usage> }> {
  return new Map(
    metrics.map((m) => [
      `${m.metadata.namespace ?? ''}/${m.metadata.name}`,
      { total: usageOf(m.containers.map((c) => c.usage)), containers: new Map(m.containers.map((c) => [c.name, usageOf([c.usage])])) },
    ]),
  );
}

const Mi = 1024 * 1024;

/** A usage figure as kubectl top prints it: `251m`, `1024Mi`. */
export function formatUsage(name: keyof Usage, v: number): string {
  return name === 'cpu' ? `${v}m` : `${Math.floor(v / Mi)}Mi`;
}

/** Largest first, what has no usage last; ties keep the given order. */
export function sortByUsage<T>(items: T[], by: SortBy | undefined, usage: (t: T) => Usage | undefined): T[] {
  if (!by) return items;
  const key = (t: T): number => usage(t)?.[by] ?? -1;
  return items
    .map((t, i) => ({ t, i, k: key(t) }))
    .sort((x, y) => (x.k === y.k ? x.i - y.i : y.k - x.k))
    .map((x) => x.t);
}
