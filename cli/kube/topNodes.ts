// `gantry top nodes`: per node and resource, what is in use (metrics API), what the pods
// request and what they may take (limits), each against allocatable, the sums the scheduler's
// bin-packer makes (podAmounts.ts). One row per node and resource (cpu, memory, pods), like
// the "Allocated resources" of `kubectl describe node`, so the table stays narrow enough for a
// bar per row on a terminal. A node's pods count as requests of its `pods` resource, as the
// scheduler counts them.

import { alignColumns } from './columns.js';
import { formatAmount, nodeUsage, type Amounts, type NodeLike, type PodLike } from './podAmounts.js';
import { bar, barLegend, percent } from './topTable.js';
import { formatUsage, sortByUsage, type SortBy, type Usage } from './topUsage.js';

export interface TopNodesOptions {
  headers: boolean;
  /** A bar per row (a terminal). */
  tty: boolean;
  /** false with --requests: no USAGE column. */
  showUsage: boolean;
  sortBy?: SortBy;
}

const get = (a: Amounts, k: string): number => a.get(k) ?? 0;

/** `1200m 60%`: an amount and its share of allocatable. */
const share = (name: string, part: number, whole: number): string => `${formatAmount(name, part)} ${percent(part, whole)}`;

export function topNodesText(nodes: NodeLike[], pods: PodLike[], usage: Map<string, Usage>, o: TopNodesOptions): string {
  const sums = nodeUsage(nodes, pods);
  const rows: string[][] = [];
  if (o.headers) rows.push(['NAME', 'RESOURCE', ...(o.showUsage ? ['USAGE'] : []), 'REQUESTS', 'LIMITS', 'ALLOCATABLE', ...(o.tty ? [o.showUsage ? barLegend : '# REQUESTED'] : [])]);
  const names = sortByUsage([...sums.keys()].sort(), o.sortBy, (n) => usage.get(n));
  for (const name of names) {
    const s = sums.get(name)!;
    const used = usage.get(name);
    for (const res of ['cpu', 'memory'] as const) {
      const alloc = get(s.allocatable, res);
      const requested = get(s.requests, res);
      rows.push([
        name,
        res,
        ...(o.showUsage ? [used ? `${formatUsage(res, used[res])} ${percent(used[res], alloc)}` : '<unknown>'] : []),
        share(res, requested, alloc),
        share(res, get(s.limits, res), alloc),
        formatAmount(res, alloc),
        ...(o.tty ? [bar(requested, alloc, o.showUsage ? used?.[res] : undefined)] : []),
      ]);
    }
    const podSlots = get(s.allocatable, 'pods');
    rows.push([name, 'pods', ...(o.showUsage ? ['-'] : []), share('pods', s.pods, podSlots), '-', String(podSlots), ...(o.tty ? [bar(s.pods, podSlots)] : [])]);
  }
  return alignColumns(rows);
}
