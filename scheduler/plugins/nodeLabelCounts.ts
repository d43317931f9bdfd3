// Per node: how many live (not terminating) pods of each namespace carry each label=value.
// Spreading counts a workload's pods on every node of the cluster each cycle; with this
// index a node holding none of them is passed over with a map look-up instead of a look at
// each of its pods. Kept per NodeInfo and rebuilt only when the node's generation moved
// (a pod came or went), which between two cycles is one or two nodes.

import type { NodeInfo } from '../framework/nodeInfo.js';

interface Indexed {
  generation: number;
  counts: Map<string, number>;
}

const byNode = new WeakMap<NodeInfo, Indexed>();

/** The index key of `key=value` on pods of `namespace`. */
export function labelCountKey(namespace: string, key: string, value: string): string {
  return `${namespace}\x00${key}\x00${value}`;
}

export function nodeLabelCounts(ni: NodeInfo): ReadonlyMap<string, number> {
  const cached = byNode.get(ni);
  if (cached && cached.generation === ni.generation) return cached.counts;
  const counts = new Map<string, number>();
  for (const p of ni.pods) {
    if (p.terminating) continue;
    for (const k in p.labels) {
      const key = labelCountKey(p.namespace, k, p.labels[k]!);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  byNode.set(ni, { generation: ni.generation, counts });
  return counts;
}
