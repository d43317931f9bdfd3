// Preemption (kube-scheduler's DefaultPreemption), decided on the snapshot without API
// calls. For a pod that fits nowhere:
// 1. Only nodes rejected as Unschedulable (not Unresolvable) are candidates: removing pods
//    cannot fix a taint or a node selector.
// 2. On each candidate, remove every lower-priority pod; if the pod still does not fit, the
//    node is out. Otherwise add the removed pods back, most important first, keeping each
//    one that does not stop the pod fitting; those that cannot stay are the victims. Pods
//    whose eviction would break a PodDisruptionBudget are offered back before the others
//    (budgetViolations.ts), so a budget is broken only where nothing else makes room.
// 3. Choose the node whose victims matter least: fewest budget violations, then lowest
//    highest-victim priority, then lowest sum of priorities, then fewest victims, then the
//    most recently started highest-priority victims.
// Budgets are a preference, never a guarantee: the scheduler then removes the victims
// (app.ts's evictor asks the eviction API and deletes when a budget refuses, as Kubernetes'
// scheduler deletes its victims) and nominates the node.

import type { Snapshot } from '../cache/snapshot.js';
import type { CycleState } from '../framework/cycleState.js';
import type { Framework } from '../framework/framework.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import type { PodDisruptionBudget } from '../framework/types.js';
import { noBudgets, type DisruptionBudgetLister } from '../framework/listers.js';
import { splitByBudgetViolation } from './budgetViolations.js';
import { reasonHistogram, type Diagnosis } from './fitError.js';

export interface PreemptionCandidate {
  nodeName: string;
  /** Most important first. */
  victims: PodInfo[];
  /** How many victims' evictions would break a PodDisruptionBudget. */
  numPDBViolations: number;
}

export interface NodeVictims {
  victims: PodInfo[];
  numPDBViolations: number;
}

export interface PreemptionResult {
  candidate?: PreemptionCandidate;
  /** Why preemption could not help (becomes part of the FailedScheduling message). */
  message?: string;
}

export interface PreemptorOptions {
  /** Candidates examined: at least this share of nodes... */
  minCandidateNodesPercentage?: number;
  /** ...and at least this many. */
  minCandidateNodesAbsolute?: number;
  random?: () => number;
  /** PodDisruptionBudgets preemption prefers not to break (default: none). */
  budgets?: DisruptionBudgetLister;
}

export const REASON_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';

/** Higher priority first; equal priority: the one running longer is more important. */
function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return (a.startTime ?? Infinity) - (b.startTime ?? Infinity);
}

const PRIORITY_OFFSET = 2 ** 31; // so sums over negative priorities still rank by count

export class Preemptor {
  private readonly pct: number;
  private readonly abs: number;
  private readonly random: () => number;
  private readonly budgets: DisruptionBudgetLister;

  constructor(
    private readonly fwk: Framework,
    opts: PreemptorOptions = {},
  ) {
    this.pct = opts.minCandidateNodesPercentage ?? 10;
    this.abs = opts.minCandidateNodesAbsolute ?? 100;
    this.random = opts.random ?? Math.random;
    this.budgets = opts.budgets ?? noBudgets;
  }

  /**
   * Whether `pod` may preempt now: not with preemptionPolicy Never, and not while victims
   * it already caused on its nominated node are still terminating.
   */
  eligible(pod: PodInfo, mayPreempt: boolean, snapshot: Snapshot): { ok: boolean; message?: string } {
    if (!mayPreempt) return { ok: false, message: 'not eligible due to preemptionPolicy=Never' };
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = snapshot.get(nominated);
      if (ni?.pods.some((p) => p.terminating && p.priority < pod.priority)) return { ok: false, message: 'not eligible due to a terminating pod on the nominated node' };
    }
    return { ok: true };
  }

  preempt(pod: PodInfo, snapshot: Snapshot, diagnosis: Diagnosis, state: CycleState): PreemptionResult {
    const n = snapshot.numNodes();
    const helpful: NodeInfo[] = [];
    const verdicts = new Map<string, { reasons: readonly string[] }>();
    for (const ni of snapshot.nodeInfoList) {
      const st = diagnosis.nodeToStatus.get(ni.name);
      if (st && st.code === 'Unschedulable') helpful.push(ni);
      else verdicts.set(ni.name, { reasons: [REASON_NOT_HELPFUL] });
    }
    const nonViolating: PreemptionCandidate[] = [];
    const violating: PreemptionCandidate[] = [];
    if (helpful.length) {
      // Examine a share of the helpful nodes, from a random offset, as Kubernetes does; go on
      // past that share while every candidate found would break a budget.
      const want = Math.min(helpful.length, Math.max(Math.floor((helpful.length * this.pct) / 100), this.abs));
      const offset = Math.floor(this.random() * helpful.length);
      for (let i = 0; i < helpful.length; i++) {
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= want) break;
        const ni = helpful[(offset + i) % helpful.length]!;
        const found = this.selectVictims(pod, ni, state);
        if (!found) {
          verdicts.set(ni.name, { reasons: [REASON_NO_VICTIMS] });
          continue;
        }
        const c = { nodeName: ni.name, ...found };
        (c.numPDBViolations === 0 ? nonViolating : violating).push(c);
      }
    }
    const candidates = [...nonViolating, ...violating];
    const best = this.pick(candidates);
    if (best) return { candidate: best };
    return { message: `preemption: 0/${n} nodes are available: ${reasonHistogram(verdicts.values())}` };
  }

  /**
   * The fewest, least important pods to remove from `node` so `pod` fits, and how many of
   * them break a PodDisruptionBudget; undefined if none will do.
   */
  selectVictims(pod: PodInfo, node: NodeInfo, state: CycleState): NodeVictims | undefined {
    const ni = node.clone();
    const st = state.clone();
    const lower = ni.pods.filter((p) => p.priority < pod.priority && !p.terminating);
    if (lower.length === 0) return undefined;
    for (const p of lower) {
      ni.removePod(p.key);
      this.fwk.runPreFilterRemovePod(st, pod, p, ni);
    }
    if (!this.fwk.runFiltersWithNominatedPods(st, pod, ni).isSuccess()) return undefined;
    lower.sort(moreImportant);
    const { violating, nonViolating } = splitByBudgetViolation(lower, this.budgetsFor(lower));
    const victims: PodInfo[] = [];
    // Offer back a pod; true if it has to go after all.
    const mustGo = (p: PodInfo): boolean => {
      ni.addPod(p);
      this.fwk.runPreFilterAddPod(st, pod, p, ni);
      if (this.fwk.runFiltersWithNominatedPods(st, pod, ni).isSuccess()) return false;
      ni.removePod(p.key);
      this.fwk.runPreFilterRemovePod(st, pod, p, ni);
      victims.push(p);
      return true;
    };
    let numPDBViolations = 0;
    for (const p of violating) if (mustGo(p)) numPDBViolations++;
    for (const p of nonViolating) mustGo(p);
    // The two passes leave them out of order; node choice reads the most important first.
    victims.sort(moreImportant);
    return { victims, numPDBViolations };
  }

  /** The budgets of the namespaces the pods are in. */
  private budgetsFor(pods: readonly PodInfo[]): PodDisruptionBudget[] {
    return [...new Set(pods.map((p) => p.namespace))].flatMap((ns) => this.budgets.budgets(ns));
  }

  private pick(candidates: PreemptionCandidate[]): PreemptionCandidate | undefined {
    if (candidates.length <= 1) return candidates[0];
    const key = (c: PreemptionCandidate): number[] => {
      if (c.victims.length === 0) return [0, -Infinity, -Infinity, 0, 0];
      const highest = c.victims[0]!.priority;
      const sum = c.victims.reduce((s, v) => s + v.priority + PRIORITY_OFFSET, 0);
      // Among the highest-priority victims, the earliest start (unknown counts as now, as
      // upstream); the later that is, the better (negated).
      const earliest = Math.min(...c.victims.filter((v) => v.priority === highest).map((v) => v.startTime ?? Infinity));
      return [c.numPDBViolations, highest, sum, c.victims.length, -earliest];
    };
    let best = candidates[0]!;
    let bestKey = key(best);
    for (const c of candidates.slice(1)) {
      const k = key(c);
      for (let i = 0; i < k.length; i++) {
        if (k[i]! < bestKey[i]!) {
          best = c;
          bestKey = k;
          break;
        }
        if (k[i]! > bestKey[i]!) break;
      }
    }
    return best;
  }
}
