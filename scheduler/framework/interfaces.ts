// The extension points, one small interface each (kube-scheduler's framework, trimmed to
// what Gantry's plugins need). A plugin implements the ones it uses; the framework checks
// which with the type guards below. Plugins read the snapshot and return values; they
// never call the API (the scheduler decides, the binder acts).

import type { CycleState } from './cycleState.js';
import type { NodeInfo } from './nodeInfo.js';
import type { PodInfo } from './podInfo.js';
import type { Snapshot } from '../cache/snapshot.js';
import type { Status } from './status.js';
import type { PersistentVolumeClaim, Pod } from './types.js';

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
  | 'AssignedPodDelete'
  | 'PvcAdd'
  | 'PvcUpdate'
  | 'PvAdd'
  | 'PvUpdate'
  | 'StorageClassAdd'
  | 'StorageClassUpdate';

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

/**
 * Reserve runs in the scheduling cycle, right after the pod is assumed on its node, so the
 * next pod's decision already sees what this one took (volumes chosen, for example). When
 * anything later fails (another Reserve, PreBind, the bind), every Reserve plugin's
 * unreserve is called, in reverse order, and must undo what reserve (and PreBind) did; it
 * must be safe to call for a pod whose reserve never ran or failed.
 */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): Promise<void> | void;
}

/**
 * PreBind runs in the binding cycle (in the background, off the scheduling loop), before the
 * pod is bound: the place to make the API writes the binding needs and wait for them to take
 * effect. `signal` aborts when the scheduler stops; a non-success status fails the binding.
 */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status>;
}

/** Acts on a decision: makes `pod` run on `nodeName` (through the API: pods/binding). */
export interface Binder {
  bind(pod: Pod, nodeName: string): Promise<void>;
}

/**
 * Acts on a volume decision through the API, as the Binder acts on a pod's (VolumeBinding's
 * PreBind and unreserve call it; plugins never hold an API client).
 */
export interface VolumeBinder {
  /** Sets (a node name) or removes (undefined) the claim's `volume.kubernetes.io/selected-node` annotation. */
  setSelectedNode(claim: PersistentVolumeClaim, nodeName: string | undefined): Promise<void>;
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
export function isReserve(p: Plugin): p is ReservePlugin {
  return typeof (p as Partial<ReservePlugin>).reserve === 'function' && typeof (p as Partial<ReservePlugin>).unreserve === 'function';
}
export function isPreBind(p: Plugin): p is PreBindPlugin {
  return typeof (p as Partial<PreBindPlugin>).preBind === 'function';
}
