// Runs a profile's plugins at each extension point, in configured order, and combines
// their answers: the first failing filter decides for a node; scores are normalized per
// plugin, weighted and summed. Reserve and PreBind run for the plugins enabled as filters or
// scores that implement them (as kube-scheduler's multi-point plugins), in that order;
// Unreserve runs in reverse.

import type { Snapshot } from '../cache/snapshot.js';
import type { Nominator } from '../queue/nominator.js';
import type { CycleState } from './cycleState.js';
import {
  isPreBind,
  isPreFilter,
  isReserve,
  isPreScore,
  MAX_NODE_SCORE,
  type ClusterEvent,
  type FilterPlugin,
  type Plugin,
  type PreBindPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './interfaces.js';
import type { NodeInfo } from './nodeInfo.js';
import type { PodInfo } from './podInfo.js';
import { Status } from './status.js';

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export interface FrameworkPlugins {
  /** Filter plugins in order; those that also implement PreFilter get it called. */
  filters: FilterPlugin[];
  scores: WeightedScorePlugin[];
}

/** A plugin's error at Unreserve (which cannot fail the pod any further; the caller logs it). */
export interface UnreserveError {
  plugin: string;
  error: Error;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

const activeFiltersKey = 'framework/activeFilters';

export class Framework {
  private readonly preFilters: PreFilterPlugin[];
  private readonly filters: FilterPlugin[];
  private readonly preScores: PreScorePlugin[];
  private readonly scores: WeightedScorePlugin[];
  private readonly reserves: ReservePlugin[] = [];
  private readonly preBinds: PreBindPlugin[] = [];
  private nominator: Nominator | undefined;

  constructor(
    readonly schedulerName: string,
    plugins: FrameworkPlugins,
  ) {
    this.filters = plugins.filters;
    this.preFilters = [];
    for (const p of plugins.filters) if (isPreFilter(p)) this.preFilters.push(p);
    this.scores = plugins.scores;
    this.preScores = [];
    for (const s of plugins.scores) if (isPreScore(s.plugin)) this.preScores.push(s.plugin);
    const seen = new Set<Plugin>();
    for (const p of [...plugins.filters, ...plugins.scores.map((s) => s.plugin)]) {
      if (seen.has(p)) continue;
      seen.add(p);
      if (isReserve(p)) this.reserves.push(p);
      if (isPreBind(p)) this.preBinds.push(p);
    }
  }

  /** True when some plugin reserves or pre-binds: the binding cycle then has work before the bind. */
  hasBindingPlugins(): boolean {
    return this.reserves.length > 0 || this.preBinds.length > 0;
  }

  /** Pods nominated to a node are counted there when filtering pods of lower or equal priority. */
  setNominator(n: Nominator): void {
    this.nominator = n;
  }

  /** The node `pod` was nominated to by preemption, if any. */
  nominatedNode(pod: PodInfo): string | undefined {
    return this.nominator?.nominatedNode(pod.key) ?? (pod.pod.status?.nominatedNodeName || undefined);
  }

  filterPluginNames(): string[] {
    return this.filters.map((p) => p.name);
  }
  scorePlugins(): { name: string; weight: number }[] {
    return this.scores.map((s) => ({ name: s.plugin.name, weight: s.weight }));
  }

  /** Every plugin's interesting events, for the queue. */
  pluginEvents(): Map<string, Set<ClusterEvent>> {
    const out = new Map<string, Set<ClusterEvent>>();
    const all: Plugin[] = [...this.filters, ...this.scores.map((s) => s.plugin)];
    for (const p of all) out.set(p.name, new Set(p.events ?? []));
    return out;
  }

  /** PreFilter: a rejection here rejects the pod on every node. */
  runPreFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status {
    for (const p of this.preFilters) {
      const st = p.preFilter(state, pod, snapshot);
      if (st.isSkip()) {
        state.skipFilter.add(p.name);
        continue;
      }
      if (!st.isSuccess()) return st.withPlugin(p.name);
    }
    state.write(activeFiltersKey, this.filters.filter((p) => !state.skipFilter.has(p.name)));
    return Status.success;
  }

  runFilters(state: CycleState, pod: PodInfo, ni: NodeInfo): Status {
    const active = state.read<FilterPlugin[]>(activeFiltersKey) ?? this.filters;
    for (let i = 0; i < active.length; i++) {
      const p = active[i]!;
      const st = p.filter(state, pod, ni);
      if (st.code !== 'Success') return st.withPlugin(p.name);
    }
    return Status.success;
  }

  /**
   * Filters, counting pods nominated to this node with priority >= the pod's as if they
   * ran there (so space cleared by preemption is not taken by others), then again without
   * them (so a nominated pod that never arrives does not make affinity pass).
   */
  runFiltersWithNominatedPods(state: CycleState, pod: PodInfo, ni: NodeInfo): Status {
    if (!this.nominator || this.nominator.size === 0) return this.runFilters(state, pod, ni);
    const nominated = this.nominator.podsForNode(ni.name);
    if (nominated.length === 0) return this.runFilters(state, pod, ni);
    const relevant = nominated.filter((p) => p.key !== pod.key && p.priority >= pod.priority);
    if (relevant.length === 0) return this.runFilters(state, pod, ni);
    const withNominated = ni.clone();
    const st2 = state.clone();
    for (const p of relevant) {
      withNominated.addPod(p);
      this.runPreFilterAddPod(st2, pod, p, withNominated);
    }
    const first = this.runFilters(st2, pod, withNominated);
    if (!first.isSuccess()) return first;
    return this.runFilters(state, pod, ni);
  }

  runPreFilterAddPod(state: CycleState, pod: PodInfo, added: PodInfo, ni: NodeInfo): void {
    for (const p of this.preFilters) if (!state.skipFilter.has(p.name)) p.addPod?.(state, pod, added, ni);
  }

  runPreFilterRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, ni: NodeInfo): void {
    for (const p of this.preFilters) if (!state.skipFilter.has(p.name)) p.removePod?.(state, pod, removed, ni);
  }

  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    for (const p of this.preScores) {
      const st = p.preScore(state, pod, nodes, snapshot);
      if (st.isSkip()) state.skipScore.add(p.name);
      else if (!st.isSuccess()) return st.withPlugin(p.name);
    }
    return Status.success;
  }

  /** Weighted sum of normalized scores, per node, in the order of `nodes`. */
  runScores(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Float64Array {
    const totals = new Float64Array(nodes.length);
    const scores: number[] = new Array<number>(nodes.length);
    for (const { plugin, weight } of this.scores) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalize?.(state, pod, scores);
      for (let i = 0; i < nodes.length; i++) {
        const s = scores[i]!;
        totals[i] += (s < 0 ? 0 : s > MAX_NODE_SCORE ? MAX_NODE_SCORE : s) * weight;
      }
    }
    return totals;
  }

  /** Reserve, in order; the first failure stops (the caller then runs runUnreserve for all). */
  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.reserves) {
      let st: Status;
      try {
        st = p.reserve(state, pod, nodeName);
      } catch (e) {
        st = Status.error(asError(e).message);
      }
      if (!st.isSuccess()) return st.withPlugin(p.name);
    }
    return Status.success;
  }

  /** Unreserve of every Reserve plugin, in reverse order; each runs even when an earlier one failed. */
  async runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): Promise<UnreserveError[]> {
    const errors: UnreserveError[] = [];
    for (let i = this.reserves.length - 1; i >= 0; i--) {
      const p = this.reserves[i]!;
      try {
        await p.unreserve(state, pod, nodeName);
      } catch (e) {
        errors.push({ plugin: p.name, error: asError(e) });
      }
    }
    return errors;
  }

  /** PreBind, in order; the first failure stops. A thrown error is an Error status. */
  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status> {
    for (const p of this.preBinds) {
      let st: Status;
      try {
        st = await p.preBind(state, pod, nodeName, signal);
      } catch (e) {
        st = Status.error(asError(e).message);
      }
      if (!st.isSuccess() && !st.isSkip()) return st.withPlugin(p.name);
    }
    return Status.success;
  }
}
