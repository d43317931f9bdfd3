// The extension points, one small interface each (kube-scheduler's framework, trimmed to
// what Gantry's plugins need). A plugin implements the ones it uses; the framework checks
// which with the type guards below. Plugins read the snapshot and return values; they
// never call the API (the scheduler decides, the binder acts).

import type { CycleState } from './cycleState.js';
import type { NodeInfo } from './nodeInfo.js';
import type { PodInfo } from './podInfo.js';
import type { Snapshot } from '../cache/snapshot.js';
import type { Status } from './status.js';
import type { Pod } from './types.js';

/** Highest score a ScorePlugin may give a node (after normalize). */
export const MAX_NODE_SCORE = 100;

/** Cluster changes that may make a pod schedulable again (kube-scheduler's ClusterEvents). */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeAllocatableChange'
  | 'NodeLabelChange'
  | 'NodeTaintChange'
  | 'NodeSchedulableChange'
  | 'NodeImagesChange'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete';

export interface Plugin {
  readonly name: string;
  /** Events after which a pod this plugin rejected is worth trying again. */
  readonly events?: readonly ClusterEvent[];
}

export interface PreFilterPlugin extends Plugin {
  /**
   * Once per pod per cycle, before any filter: precompute into `state`. Returns Skip when
   * the plugin's Filter has nothing to check for this pod, or a rejection for every node.
   */
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status;
  /** Keep precomputed state right when preemption tries adding or removing pods on a node. */
  addPod?(state: CycleState, pod: PodInfo, added: PodInfo, nodeInfo: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, removed: PodInfo, nodeInfo: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  /** Can `pod` run on this node? Success, or a rejection with reasons. */
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status;
}

export interface PreScorePlugin extends Plugin {
  /** Once per pod, with the feasible nodes, before Score. Skip drops the plugin's Score for this pod. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status;
}

export interface ScorePlugin extends Plugin {
  /** How good this node is for `pod`, 0..MAX_NODE_SCORE (or any range, if normalize maps it there). */
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number;
  /** Maps the raw scores of all feasible nodes (in place) to 0..MAX_NODE_SCORE. */
  normalize?(state: CycleState, pod: PodInfo, scores: number[]): void;
}

/** Acts on a decision: makes `pod` run on `nodeName` (through the API: pods/binding). */
export interface Binder {
  bind(pod: Pod, nodeName: string): Promise<void>;
}

export function isPreFilter(p: Plugin): p is PreFilterPlugin {
  return typeof (p as Partial<PreFilterPlugin>).preFilter === 'function';
}
export function isFilter(p: Plugin): p is FilterPlugin {
  return typeof (p as Partial<FilterPlugin>).filter === 'function';
}
export function isPreScore(p: Plugin): p is PreScorePlugin {
  return typeof (p as Partial<PreScorePlugin>).preScore === 'function';
}
export function isScore(p: Plugin): p is ScorePlugin {
  return typeof (p as Partial<ScorePlugin>).score === 'function';
}
