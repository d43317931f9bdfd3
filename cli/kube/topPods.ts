// `gantry top pods`: each pod's (or with --containers each container's) actual use beside
// what it requests and its limit, one readable cell per resource:
// `120m (60% of request 200m, limit 500m)`. Requests and limits are the pod's effective ones
// as the scheduler counts them (init containers, sidecars, overhead: podAmounts.ts); a
// container's are its own.

import { alignColumns } from './columns.js';
import { amountsOf, formatAmount, podAmounts, type Amounts, type PodLike } from './podAmounts.js';
import { percent } from './topTable.js';
import { formatUsage, sortByUsage, type SortBy, type Usage } from './topUsage.js';

export interface TopPodsOptions {
  headers: boolean;
  allNamespaces: boolean;
  containers: boolean;
  /** false with --requests: requests and limits only. */
  showUsage: boolean;
  sortBy?: SortBy;
}

export interface PodUsage {
  total: Usage;
  containers: Map<string, Usage>;
}

/** `120m (60% of request 200m, limit 500m)`, `<unknown> (request 200m, no limit)`, `3m (no request, no limit)`. */
export function usageCell(res: 'cpu' | 'memory', measured: number | undefined, requests: Amounts, limits: Amounts, showUsage: boolean): string {
  const used = showUsage ? measured : undefined;
  const request = requests.get(res);
  const limit = limits.get(res);
  const req = request ? (used !== undefined ? `${percent(used, request)} of request ${formatAmount(res, request)}` : `request ${formatAmount(res, request)}`) : 'no request';
  const lim = limit !== undefined ? `limit ${formatAmount(res, limit)}` : 'no limit';
  if (!showUsage) return `${req}, ${lim}`;
  return `${used !== undefined ? formatUsage(res, used) : '<unknown>'} (${req}, ${lim})`;
}

interface Row {
  pod: PodLike;
  container?: string;
  requests: Amounts;
  limits: Amounts;
  used: Usage | undefined;
}

const keyOf = (p: PodLike): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

function rowsOf(pod: PodLike, usage: PodUsage | undefined, containers: boolean): Row[] {
  if (!containers) return [{ pod, requests: podAmounts(pod, 'requests'), limits: podAmounts(pod, 'limits'), used: usage?.total }];
  // The containers that run beside each other: sidecars (restartable init containers) and the app's.
  const running = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
  return running.map((c) => ({ pod, container: c.name ?? '', requests: amountsOf(c.resources?.requests), limits: amountsOf(c.resources?.limits), used: usage?.containers.get(c.name ?? '') }));
}

export function topPodsText(pods: PodLike[], usage: Map<string, PodUsage>, o: TopPodsOptions): string {
  const rows: string[][] = [];
  if (o.headers) rows.push([...(o.allNamespaces ? ['NAMESPACE'] : []), ...(o.containers ? ['POD', 'NAME'] : ['NAME']), 'CPU', 'MEMORY']);
  const byName = [...pods].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  for (const pod of sortByUsage(byName, o.sortBy, (p) => usage.get(keyOf(p))?.total)) {
    for (const r of rowsOf(pod, usage.get(keyOf(pod)), o.containers)) {
      rows.push([
        ...(o.allNamespaces ? [pod.metadata?.namespace ?? ''] : []),
        pod.metadata?.name ?? '',
        ...(r.container !== undefined ? [r.container] : []),
        usageCell('cpu', r.used?.cpu, r.requests, r.limits, o.showUsage),
        usageCell('memory', r.used?.memory, r.requests, r.limits, o.showUsage),
      ]);
    }
  }
  return alignColumns(rows);
}
