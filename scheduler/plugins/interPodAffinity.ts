// InterPodAffinity: place pods relative to other pods by topology domain (a node, a zone,
// any node label named by topologyKey).
// Filter, for required terms:
// - the pod's affinity: every term must find a matching pod in the node's domain (the first
//   pod of a group that matches its own terms may go anywhere);
// - the pod's anti-affinity: no term may find a matching pod in the node's domain;
// - existing pods' anti-affinity: no pod in the node's domain may repel this pod.
// PreFilter counts matches per topology pair once, so Filter is a few map look-ups per
// node. Score, for preferred terms (both ways) and existing pods' required affinity, adds
// or subtracts weights per domain and normalizes from worst to best.

import type { Snapshot } from '../cache/snapshot.js';
import type { Cloneable, CycleState } from '../framework/cycleState.js';
import { MAX_NODE_SCORE, type ClusterEvent, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import { termMatches, type AffinityTerm, type PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import { TopologyCounts } from './topologyCounts.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
/** Weight of an existing pod's *required* affinity when scoring the other direction. */
const HARD_POD_AFFINITY_WEIGHT = 1;
const preFilterKey = 'PreFilter' + INTER_POD_AFFINITY;
const preScoreKey = 'PreScore' + INTER_POD_AFFINITY;

class AffinityState implements Cloneable {
  constructor(
    /** Pairs where existing pods' anti-affinity terms match the incoming pod. */
    readonly existingAnti = new TopologyCounts(),
    /** Pairs where pods match all of the incoming pod's affinity terms. */
    readonly affinity = new TopologyCounts(),
    /** Pairs where pods match the incoming pod's anti-affinity terms. */
    readonly anti = new TopologyCounts(),
  ) {}
  clone(): AffinityState {
    return new AffinityState(this.existingAnti.clone(), this.affinity.clone(), this.anti.clone());
  }
}

function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod)) return false;
  return true;
}

/** Adds (delta 1) or removes (-1) `other`, on node `ni`, to the counts about `pod`. */
function account(s: AffinityState, pod: PodInfo, other: PodInfo, ni: NodeInfo, delta: number): void {
  const labels = ni.labels;
  for (const t of other.requiredAntiAffinity) {
    const v = labels[t.topologyKey];
    if (v !== undefined && termMatches(t, pod)) s.existingAnti.add(t.topologyKey, v, delta);
  }
  if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, other)) {
    for (const t of pod.requiredAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined) s.affinity.add(t.topologyKey, v, delta);
    }
  }
  for (const t of pod.requiredAntiAffinity) {
    const v = labels[t.topologyKey];
    if (v !== undefined && termMatches(t, other)) s.anti.add(t.topologyKey, v, delta);
  }
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = INTER_POD_AFFINITY;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeLabelChange', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'];

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status {
    const hasTerms = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
    if (!hasTerms && snapshot.havePodsWithRequiredAntiAffinityList.length === 0) return Status.skip;
    const s = new AffinityState();
    if (hasTerms) {
      for (const ni of snapshot.nodeInfoList) for (const other of ni.pods) account(s, pod, other, ni, 1);
    } else {
      for (const ni of snapshot.havePodsWithRequiredAntiAffinityList) {
        if (!ni.node) continue;
        for (const other of ni.podsWithRequiredAntiAffinity) account(s, pod, other, ni, 1);
      }
    }
    state.write(preFilterKey, s);
    return Status.success;
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, ni: NodeInfo): void {
    const s = state.read<AffinityState>(preFilterKey);
    if (s) account(s, pod, added, ni, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, ni: NodeInfo): void {
    const s = state.read<AffinityState>(preFilterKey);
    if (s) account(s, pod, removed, ni, -1);
  }

  filter(state: CycleState, pod: PodInfo, ni: NodeInfo): Status {
    const s = state.read<AffinityState>(preFilterKey);
    if (!s) return Status.success;
    const labels = ni.labels;
    if (s.existingAnti.anyPositive(labels)) return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && s.anti.get(t.topologyKey, v) > 0) return Status.unschedulable(ERR_REASON_ANTI_AFFINITY);
    }
    if (pod.requiredAffinity.length) {
      let podsExist = true;
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        // Every topology key must be on the node, whatever the counts say.
        if (v === undefined) return Status.unresolvable(ERR_REASON_AFFINITY);
        if (s.affinity.get(t.topologyKey, v) <= 0) podsExist = false;
      }
      // The first pod of a group with affinity to itself may start anywhere.
      if (!podsExist && !(s.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod))) return Status.unresolvable(ERR_REASON_AFFINITY);
    }
    return Status.success;
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    const podHasPreferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    if (!podHasPreferred && snapshot.havePodsWithAffinityList.length === 0) return Status.skip;
    const scores = new TopologyCounts();
    const nodes = podHasPreferred ? snapshot.nodeInfoList : snapshot.havePodsWithAffinityList;
    for (const ni of nodes) {
      if (!ni.node) continue;
      const others = podHasPreferred ? ni.pods : ni.podsWithAffinity;
      for (const other of others) {
        const add = (t: AffinityTerm, w: number, against: PodInfo): void => {
          const v = ni.labels[t.topologyKey];
          if (v !== undefined && termMatches(t, against)) scores.add(t.topologyKey, v, w);
        };
        for (const t of pod.preferredAffinity) add(t, t.weight, other);
        for (const t of pod.preferredAntiAffinity) add(t, -t.weight, other);
        for (const t of other.requiredAffinity) add(t, HARD_POD_AFFINITY_WEIGHT, pod);
        for (const t of other.preferredAffinity) add(t, t.weight, pod);
        for (const t of other.preferredAntiAffinity) add(t, -t.weight, pod);
      }
    }
    if (scores.size === 0) return Status.skip;
    state.write(preScoreKey, scores);
    return Status.success;
  }

  score(state: CycleState, _pod: PodInfo, ni: NodeInfo): number {
    return state.read<TopologyCounts>(preScoreKey)?.sumOverLabels(ni.labels) ?? 0;
  }

  /** From the lowest raw score (0) to the highest (100). */
  normalize(_s: CycleState, _p: PodInfo, scores: number[]): void {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const span = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = span > 0 ? (MAX_NODE_SCORE * (scores[i]! - min)) / span : 0;
  }
}
