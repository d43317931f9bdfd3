// Runs one plugin the way the framework would, on nodes and placed pods built with the
// common builders: PreFilter (Skip means every node passes), then Filter per node; or
// PreScore, Score and normalize. For the plugins' table-driven tests.

import { Snapshot } from '../cache/snapshot.js';
import { CycleState } from '../framework/cycleState.js';
import { isFilter, isPreFilter, isPreScore, isScore, type Plugin } from '../framework/interfaces.js';
import { makePodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import type { Node, Pod } from '../framework/types.js';

export interface Placed {
  pod: Pod;
  node: string;
}

export function snapshotOf(nodes: Node[], placed: Placed[] = []): Snapshot {
  return Snapshot.from(
    nodes,
    placed.map((p) => ({ pi: makePodInfo({ ...p.pod, spec: { ...p.pod.spec!, nodeName: p.node } }), nodeName: p.node })),
  );
}

/** Each node's filter status, by node name. */
export function filterOn(plugin: Plugin, pod: Pod, nodes: Node[], placed: Placed[] = []): Map<string, Status> {
  if (!isFilter(plugin)) throw new Error(`${plugin.name} is not a filter`);
  const snap = snapshotOf(nodes, placed);
  const pi = makePodInfo(pod);
  const state = new CycleState();
  const out = new Map<string, Status>();
  if (isPreFilter(plugin)) {
    const st = plugin.preFilter(state, pi, snap);
    if (st.isSkip()) {
      for (const ni of snap.nodeInfoList) out.set(ni.name, Status.success);
      return out;
    }
    if (!st.isSuccess()) {
      for (const ni of snap.nodeInfoList) out.set(ni.name, st);
      return out;
    }
  }
  for (const ni of snap.nodeInfoList) out.set(ni.name, plugin.filter(state, pi, ni));
  return out;
}

/** The reasons per node ('' when it fits), for compact expectations. */
export function filterReasons(plugin: Plugin, pod: Pod, nodes: Node[], placed: Placed[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, st] of filterOn(plugin, pod, nodes, placed)) out[name] = st.isSuccess() ? '' : `${st.code}: ${st.message()}`;
  return out;
}

/** Normalized scores per node (all nodes are taken as feasible); undefined when PreScore skips. */
export function scoreOn(plugin: Plugin, pod: Pod, nodes: Node[], placed: Placed[] = []): Record<string, number> | undefined {
  if (!isScore(plugin)) throw new Error(`${plugin.name} is not a score plugin`);
  const snap = snapshotOf(nodes, placed);
  const pi = makePodInfo(pod);
  const state = new CycleState();
  if (isPreScore(plugin) && plugin.preScore(state, pi, snap.nodeInfoList, snap).isSkip()) return undefined;
  const scores = snap.nodeInfoList.map((ni) => plugin.score(state, pi, ni));
  plugin.normalize?.(state, pi, scores);
  const out: Record<string, number> = {};
  snap.nodeInfoList.forEach((ni, i) => (out[ni.name] = Math.round(scores[i]! * 100) / 100));
  return out;
}
