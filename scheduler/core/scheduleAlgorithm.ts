// One scheduling decision on a snapshot, synchronously: PreFilter, then Filter over the
// nodes (starting where the last pod stopped, and stopping once enough feasible nodes are
// found — Kubernetes' percentageOfNodesToScore), then Score, then the best node (ties
// broken at random so equal nodes share the load). No API calls, no awaiting: the whole
// decision sees one consistent snapshot.

import type { Snapshot } from '../cache/snapshot.js';
import { CycleState } from '../framework/cycleState.js';
import type { Framework } from '../framework/framework.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { emptyDiagnosis, FitError } from './fitError.js';

/** Below this many nodes, every node is checked. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes to find before scoring. With `percentage` 0 (adaptive), like
 * kube-scheduler: 50% minus 1% per 125 nodes, at least 5%, and never fewer than 100 nodes.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let adaptive = percentage;
  if (adaptive <= 0) {
    adaptive = 50 - Math.floor(numAllNodes / 125); // integer division, as in kube-scheduler
    if (adaptive < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) adaptive = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.floor((numAllNodes * adaptive) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export type ScheduleOutcome =
  | { kind: 'scheduled'; nodeName: string; evaluatedNodes: number; feasibleNodes: number; state: CycleState }
  | { kind: 'unschedulable'; error: FitError; state: CycleState }
  | { kind: 'error'; error: Error };

export interface ScheduleAlgorithmOptions {
  /** 0 = adaptive (the default). */
  percentageOfNodesToScore?: number;
  /** Injected for deterministic tests; default Math.random. */
  random?: () => number;
}

/** The pseudo-plugin blamed when there are no nodes at all (any node event re-queues). */
export const NO_NODES = 'NoNodesAvailable';

export class ScheduleAlgorithm {
  private nextStartNodeIndex = 0;
  private readonly percentage: number;
  private readonly random: () => number;

  constructor(
    private readonly fwk: Framework,
    opts: ScheduleAlgorithmOptions = {},
  ) {
    this.percentage = opts.percentageOfNodesToScore ?? 0;
    this.random = opts.random ?? Math.random;
  }

  schedule(pod: PodInfo, snapshot: Snapshot): ScheduleOutcome {
    try {
      return this.scheduleOrThrow(pod, snapshot);
    } catch (e) {
      return { kind: 'error', error: e instanceof Error ? e : new Error(String(e)) };
    }
  }

  private scheduleOrThrow(pod: PodInfo, snapshot: Snapshot): ScheduleOutcome {
    const state = new CycleState();
    const n = snapshot.numNodes();
    if (n === 0) {
      const d = emptyDiagnosis();
      d.preFilterMsg = 'no nodes available to schedule pods';
      d.unschedulablePlugins.add(NO_NODES);
      return { kind: 'unschedulable', error: new FitError(pod.key, 0, d), state };
    }
    const diagnosis = emptyDiagnosis();
    const pre = this.fwk.runPreFilter(state, pod, snapshot);
    if (pre.code === 'Error') throw new Error(`${pre.plugin}: ${pre.message()}`);
    if (!pre.isSuccess()) {
      for (const ni of snapshot.nodeInfoList) diagnosis.nodeToStatus.set(ni.name, pre);
      diagnosis.preFilterMsg = pre.message();
      diagnosis.unschedulablePlugins.add(pre.plugin);
      return { kind: 'unschedulable', error: new FitError(pod.key, n, diagnosis), state };
    }

    const feasible: NodeInfo[] = [];
    // A pod that preemption nominated to a node tries that node first.
    const nominated = this.fwk.nominatedNode(pod);
    let evaluated = 0;
    if (nominated) {
      const ni = snapshot.get(nominated);
      if (ni?.node) {
        evaluated++;
        const st = this.fwk.runFiltersWithNominatedPods(state, pod, ni);
        if (st.isSuccess()) return { kind: 'scheduled', nodeName: ni.name, evaluatedNodes: 1, feasibleNodes: 1, state };
      }
    }

    const want = numFeasibleNodesToFind(this.percentage, n);
    const list = snapshot.nodeInfoList;
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const ni = list[(start + processed) % n]!;
      const st = this.fwk.runFiltersWithNominatedPods(state, pod, ni);
      if (st.code === 'Success') {
        feasible.push(ni);
      } else if (st.code === 'Error') {
        throw new Error(`${st.plugin}: ${st.message()}`);
      } else {
        diagnosis.nodeToStatus.set(ni.name, st);
        diagnosis.unschedulablePlugins.add(st.plugin);
      }
    }
    this.nextStartNodeIndex = (start + processed) % n;
    evaluated += processed;
    if (feasible.length === 0) return { kind: 'unschedulable', error: new FitError(pod.key, n, diagnosis), state };
    if (feasible.length === 1) return { kind: 'scheduled', nodeName: feasible[0]!.name, evaluatedNodes: evaluated, feasibleNodes: 1, state };

    const preScore = this.fwk.runPreScore(state, pod, feasible, snapshot);
    if (!preScore.isSuccess()) throw new Error(`${preScore.plugin}: ${preScore.message()}`);
    const totals = this.fwk.runScores(state, pod, feasible);
    return { kind: 'scheduled', nodeName: this.selectHost(feasible, totals), evaluatedNodes: evaluated, feasibleNodes: feasible.length, state };
  }

  /** The highest total; among equal totals, one at random (reservoir sampling). */
  private selectHost(nodes: readonly NodeInfo[], totals: Float64Array): string {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      const t = totals[i]!;
      if (t > totals[best]!) {
        best = i;
        ties = 1;
      } else if (t === totals[best]) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return nodes[best]!.name;
  }
}
