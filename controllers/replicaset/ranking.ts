// Which pods a ReplicaSet gives up first when it scales down: the least valuable, so the
// pods serving traffic longest survive. Kubernetes' order (ActivePodsWithRanks):
// unscheduled before scheduled; Pending before Unknown before Running; not ready before
// ready; pods doubled up on a node with others of the same set before lone ones; lower
// `controller.kubernetes.io/pod-deletion-cost` first; ready for a shorter time first;
// more restarts first; newer first.

import { isPodReady, readySince, restartCount } from './podState.js';
import type { Pod } from './types.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrder: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[podDeletionCostAnnotation];
  if (v === undefined) return 0;
  // Kubernetes accepts an int32; anything else counts as the default.
  const n = Number(v);
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function created(pod: Pod): number {
  const t = Date.parse(pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Negative when `a` should be deleted before `b`. `rank` is a pod's co-located sibling count. */
function compare(a: Pod, b: Pod, rank: (p: Pod) => number): number {
  const aAssigned = !!a.spec?.nodeName;
  const bAssigned = !!b.spec?.nodeName;
  if (aAssigned !== bAssigned) return aAssigned ? 1 : -1;
  const ap = phaseOrder[a.status?.phase ?? 'Pending'] ?? 0;
  const bp = phaseOrder[b.status?.phase ?? 'Pending'] ?? 0;
  if (ap !== bp) return ap - bp;
  const aReady = isPodReady(a);
  const bReady = isPodReady(b);
  if (aReady !== bReady) return aReady ? 1 : -1;
  const ar = rank(a);
  const br = rank(b);
  if (ar !== br) return br - ar;
  const ac = deletionCost(a);
  const bc = deletionCost(b);
  if (ac !== bc) return ac - bc;
  if (aReady && bReady) {
    const at = readySince(a);
    const bt = readySince(b);
    if (at !== undefined && bt !== undefined && at !== bt) return bt - at;
  }
  const arc = restartCount(a);
  const brc = restartCount(b);
  if (arc !== brc) return brc - arc;
  const act = created(a);
  const bct = created(b);
  if (act !== bct) return bct - act;
  return 0;
}

/**
 * `pods` ordered least valuable first. `siblings` are all active pods of the set (the
 * candidates included); a pod's rank is how many of them share its node.
 */
export function rankForScaleDown(pods: readonly Pod[], siblings: readonly Pod[] = pods): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of siblings) {
    const n = p.spec?.nodeName;
    if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: Pod): number => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compare(a, b, rank));
}

/** The `count` pods to delete. */
export function podsToDelete(pods: readonly Pod[], count: number): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  return rankForScaleDown(pods).slice(0, count);
}
