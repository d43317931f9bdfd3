// The taints the node lifecycle controller owns, Kubernetes' names, so tolerations written
// for Kubernetes mean the same here:
// - NoExecute, for taint-based eviction: `node.kubernetes.io/unreachable` while Ready is
//   Unknown (the agent went silent), `node.kubernetes.io/not-ready` while Ready is False.
//   Adding one is rate-limited and held back during a disruption.
// - NoSchedule, so the scheduler places nothing new there (Kubernetes' taint-nodes-by-
//   condition): the same two for Ready, and memory-/disk-/pid-pressure for the pressure
//   conditions. Never held back: a silent node is no place for a replacement either.

import type { NodeCondition, Taint } from './types.js';
import { notReadyTaintKey, unreachableTaintKey } from '../../common/api/tolerations.js';

export { notReadyTaintKey, unreachableTaintKey };

/** Set by an operator on a node known to be down for good (Kubernetes' non-graceful shutdown). */
export const outOfServiceTaintKey = 'node.kubernetes.io/out-of-service';
export const noExecute = 'NoExecute';
export const noSchedule = 'NoSchedule';

const readyKeys = new Set([unreachableTaintKey, notReadyTaintKey]);
const pressureTaints: Readonly<Record<string, string>> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
};
const noScheduleKeys = new Set([...readyKeys, ...Object.values(pressureTaints)]);

export function readyCondition(conditions: readonly NodeCondition[] | undefined): NodeCondition | undefined {
  return conditions?.find((c) => c.type === 'Ready');
}

/** The NoExecute taint key a node with this Ready condition should carry, if any. */
export function wantedTaintKey(ready: NodeCondition | undefined): string | undefined {
  if (ready?.status === 'False') return notReadyTaintKey;
  if (ready?.status === 'Unknown') return unreachableTaintKey;
  return undefined;
}

/** The NoSchedule taint keys the node's conditions call for. */
export function wantedNoScheduleKeys(conditions: readonly NodeCondition[] | undefined): string[] {
  const out: string[] = [];
  const ready = wantedTaintKey(readyCondition(conditions));
  if (ready) out.push(ready);
  for (const c of conditions ?? []) if (c.status === 'True' && pressureTaints[c.type]) out.push(pressureTaints[c.type]!);
  return out;
}

/** One of our NoExecute (eviction) taints. */
export function isLifecycleTaint(t: Taint): boolean {
  return t.effect === noExecute && readyKeys.has(t.key);
}

function isOurs(t: Taint): boolean {
  return isLifecycleTaint(t) || (t.effect === noSchedule && noScheduleKeys.has(t.key));
}

/**
 * The node's taints with exactly `noExecuteKey` (or none) as our NoExecute taint and exactly
 * `noScheduleKeys` as our NoSchedule ones, keeping every other taint and the timeAdded of
 * ours that stay; undefined when nothing changes.
 */
export function reconcileTaints(current: readonly Taint[], noExecuteKey: string | undefined, noScheduleWanted: readonly string[], nowIso: string): Taint[] | undefined {
  const want = (t: Taint): boolean => (t.effect === noExecute ? t.key === noExecuteKey : noScheduleWanted.includes(t.key));
  const keep = current.filter((t) => !isOurs(t) || want(t));
  const has = (key: string, effect: string): boolean => keep.some((t) => t.key === key && t.effect === effect);
  const next = [...keep];
  for (const key of noScheduleWanted) if (!has(key, noSchedule)) next.push({ key, effect: noSchedule, timeAdded: nowIso });
  if (noExecuteKey && !has(noExecuteKey, noExecute)) next.push({ key: noExecuteKey, effect: noExecute, timeAdded: nowIso });
  return next.length === current.length && next.every((t, i) => t === current[i]) ? undefined : next;
}
