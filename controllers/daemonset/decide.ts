// One step of a DaemonSet, decided from the cached DaemonSet, nodes and pods (no I/O):
// which nodes get a pod, which pods go (extra pods on a node, pods on nodes that may no
// longer run them or that are gone, failed pods), which old pods a rolling update replaces
// now, and the status counters.
//
// Rolling update without surge, as Kubernetes' rollingUpdate: a node counts as unavailable
// when its pod is missing, not yet available, or old and not available; old pods that are
// not available are replaced at once (they are down already); available old pods are
// replaced only while fewer than maxUnavailable nodes are unavailable.

import { isPodActive, isPodAvailable, isPodReady } from '../replicaset/podState.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';
import { targetNodeOf } from './podForDaemonSet.js';
import { revisionHashLabel, type DaemonPodSpec, type DaemonSet, type DaemonSetStatus, type IntOrString, type Node, type Pod } from './types.js';

export interface Deletion {
  pod: Pod;
  why: 'failed' | 'extra' | 'ineligible' | 'nodeGone' | 'update';
}

export interface Decision {
  /** Node names that get a new pod. */
  create: string[];
  delete: Deletion[];
  status: DaemonSetStatus;
  /** Look again then (a pod becoming available after minReadySeconds). */
  requeueAfterMs?: number;
}

export interface DecideInput {
  ds: DaemonSet;
  nodes: Node[];
  /** The DaemonSet's pods (controlled by it), deleted ones included. */
  pods: Pod[];
  /** The current template's hash. */
  hash: string;
  now: number;
  /** False while earlier creates/deletes are not yet in the cache: count, but change nothing. */
  canManage: boolean;
}

/** maxUnavailable against the desired count: percentages round up; 0 with maxSurge 0 would never move, so 1. */
export function resolveMaxUnavailable(value: IntOrString | undefined, desired: number): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d+%$/.test(value)) n = Math.ceil((Number(value.slice(0, -1)) * desired) / 100);
  else n = 1;
  return n > 0 ? n : 1;
}

const isUpdated = (pod: Pod, hash: string): boolean => pod.metadata.labels?.[revisionHashLabel] === hash;
/** Older first: the pod kept when a node has several. */
const byAge = (a: Pod, b: Pod): number => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export function decide(input: DecideInput): Decision {
  const { ds, nodes, hash, now } = input;
  const spec = (ds.spec?.template?.spec ?? {}) as DaemonPodSpec;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
  const create: string[] = [];
  const del: Deletion[] = [];

  const byNode = new Map<string, Pod[]>();
  for (const pod of input.pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const node = targetNodeOf(pod) ?? '';
    const list = byNode.get(node) ?? [];
    list.push(pod);
    byNode.set(node, list);
  }

  const status: DaemonSetStatus = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  if (ds.metadata.generation !== undefined) status.observedGeneration = ds.metadata.generation;
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;

  const strategy = ds.spec?.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  // With a surge an old and a new pod share a node for a while; otherwise one pod per node.
  const surgeMode = rolling && isNonZero(strategy?.rollingUpdate?.maxSurge);

  /** Per eligible node, the pods kept: at most one of the current template and (surging) one old one. */
  const kept = new Map<string, NodePods>();
  const known = new Set<string>();
  let requeueAfterMs: number | undefined;
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    known.add(name);
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, spec);
    const pods = (byNode.get(name) ?? []).sort(byAge);
    const live = pods.filter((p) => {
      if (isPodActive(p)) return true;
      if (p.status?.phase === 'Failed') del.push({ pod: p, why: 'failed' });
      return false;
    });
    if (!shouldContinueRunning || (!shouldRun && live.length === 0)) {
      for (const p of live) del.push({ pod: p, why: 'ineligible' });
      if (live.length > 0) status.numberMisscheduled++;
      continue;
    }
    const updated = live.find((p) => isUpdated(p, hash));
    const old = live.find((p) => !isUpdated(p, hash));
    const keep: NodePods = surgeMode ? { updated, old } : updated ? { updated } : { old };
    for (const p of live) if (p !== keep.updated && p !== keep.old) del.push({ pod: p, why: 'extra' });
    const counted = keep.updated ?? keep.old;
    if (shouldRun) {
      status.desiredNumberScheduled++;
      kept.set(name, keep);
      if (counted) {
        status.currentNumberScheduled++;
        if (isPodReady(counted)) status.numberReady++;
        if (available(counted)) status.numberAvailable!++;
        else if (isPodReady(counted) && minReady > 0) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, minReady * 1000);
        if (isUpdated(counted, hash)) status.updatedNumberScheduled!++;
      } else if (!pods.some((p) => p.status?.phase === 'Failed')) {
        // A failed pod is replaced on a later sync, once its deletion is seen.
        create.push(name);
      }
    } else if (counted) {
      status.numberMisscheduled++;
    }
  }
  for (const [node, pods] of byNode) if (!known.has(node)) for (const p of pods) if (isPodActive(p) || p.status?.phase === 'Failed') del.push({ pod: p, why: 'nodeGone' });
  status.numberUnavailable = status.desiredNumberScheduled - status.numberAvailable!;

  if (rolling && surgeMode) {
    const step = surgeUpdate(kept, available, resolveMaxSurge(strategy?.rollingUpdate?.maxSurge, status.desiredNumberScheduled));
    create.push(...step.create);
    del.push(...step.delete);
  } else if (rolling) {
    const one = new Map([...kept].map(([n, k]) => [n, k.updated ?? k.old]));
    del.push(...rollingUpdate(one, hash, available, resolveMaxUnavailable(strategy?.rollingUpdate?.maxUnavailable, status.desiredNumberScheduled)));
  }
  if (!input.canManage) return { create: [], delete: [], status, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
  return { create, delete: del, status, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}

export interface NodePods {
  updated?: Pod;
  old?: Pod;
}

/**
 * Rolling update with maxSurge (maxUnavailable 0), as Kubernetes' surge path: a node whose old
 * pod is down gets its new pod at once; otherwise new pods start beside available old ones on
 * at most maxSurge nodes at a time, and an old pod goes once the new one beside it is available.
 */
export function surgeUpdate(kept: ReadonlyMap<string, NodePods>, available: (p: Pod) => boolean, maxSurge: number): { create: string[]; delete: Deletion[] } {
  let surging = 0;
  const now: string[] = [];
  const candidates: string[] = [];
  const del: Deletion[] = [];
  for (const [node, { updated, old }] of kept) {
    if (!old) continue;
    if (updated) {
      surging++;
      if (available(updated)) del.push({ pod: old, why: 'update' });
    } else if (!available(old)) now.push(node);
    else candidates.push(node);
  }
  return { create: [...now, ...candidates.sort().slice(0, Math.max(0, maxSurge - surging))], delete: del };
}

/** maxSurge against the desired count: percentages round up. */
export function resolveMaxSurge(value: IntOrString | undefined, desired: number): number {
  if (typeof value === 'number') return Math.max(0, value);
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Math.ceil((Number(value.slice(0, -1)) * desired) / 100);
  return 0;
}

function isNonZero(v: IntOrString | undefined): boolean {
  if (typeof v === 'number') return v > 0;
  return typeof v === 'string' && /^\d+%$/.test(v) && Number(v.slice(0, -1)) > 0;
}

/** The old pods to delete now, given each eligible node's pod (undefined: none yet). */
export function rollingUpdate(kept: ReadonlyMap<string, Pod | undefined>, hash: string, available: (p: Pod) => boolean, maxUnavailable: number): Deletion[] {
  let unavailable = 0;
  const replaceNow: Pod[] = [];
  const candidates: Pod[] = [];
  for (const pod of kept.values()) {
    if (pod === undefined) unavailable++;
    else if (isUpdated(pod, hash)) {
      if (!available(pod)) unavailable++;
    } else if (!available(pod)) {
      replaceNow.push(pod);
      unavailable++;
    } else candidates.push(pod);
  }
  const room = Math.max(0, maxUnavailable - unavailable);
  return [...replaceNow, ...candidates.sort(byAge).slice(0, room)].map((pod) => ({ pod, why: 'update' as const }));
}
