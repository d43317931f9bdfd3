// PodTopologySpread: pods of one workload spread over topology domains (nodes, zones, any
// node label named by topologyKey).
//
// Filter (whenUnsatisfiable: DoNotSchedule): pods matching a constraint's selector must stay
// spread so that, with this pod added, no domain has more than maxSkew above the least-loaded
// one. Only nodes that pass the pod's nodeSelector/required node affinity and carry every
// constraint's topology key count as domains (Kubernetes' default node inclusion policy);
// with minDomains, fewer domains than that make the global minimum 0.
//
// Score (whenUnsatisfiable: ScheduleAnyway): fewer matching pods in a node's domains is
// better. Per constraint a node gets count × log(domains + 2) + (maxSkew - 1): the log
// keeps a constraint over few big domains (zones) from being drowned by one over many small
// ones (hosts), and maxSkew - 1 waters down small differences as the skew it tolerates.
// Domains are those of the feasible nodes; pods on every node of such a domain count.
// Normalized so the node with the fewest matches gets 100 (Kubernetes' formula, integers).
//
// Pods that set no constraints get the default ones (args: System = soft spreading over
// hosts and zones), with the selector of the Services and ReplicaSet that select the pod; a
// pod nothing selects gets none. With System defaults a node lacking a topology key still
// scores by the others (hosts without a zone spread by host); with explicit or List
// constraints such a node is ignored (scores 0).

import { labelRequirement, labelSelectorFromObject, selectorFromRequirements, type LabelSelector } from '../../common/selectors/labels.js';
import type { Snapshot } from '../cache/snapshot.js';
import type { Cloneable, CycleState } from '../framework/cycleState.js';
import { MAX_NODE_SCORE, type ClusterEvent, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../framework/interfaces.js';
import type { WorkloadListers } from '../framework/listers.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import { requiredNodePredicate } from './nodeAffinity.js';
import { labelCountKey, nodeLabelCounts } from './nodeLabelCounts.js';
import type { NodePredicate } from './nodeSelection.js';
import { LABEL_HOSTNAME, systemDefaultConstraints, type ParsedSpreadArgs, type WhenUnsatisfiable } from './podTopologySpreadArgs.js';
import { workloadSelector } from './workloadSelector.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_MISSING_LABEL = ERR_REASON_CONSTRAINTS + ' (missing required label)';
const preFilterKey = 'PreFilter' + POD_TOPOLOGY_SPREAD;
const preScoreKey = 'PreScore' + POD_TOPOLOGY_SPREAD;
/** Score of a node ignored for lacking a topology key; normalize turns it into 0. */
const IGNORED = -1;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  /** The selector, compiled for the loops over every pod of the cluster. */
  matches: LabelMatcher;
  /** For a selector of equalities only: its pairs as nodeLabelCounts keys (in the pod's namespace). */
  indexKeys: readonly string[] | undefined;
  minDomains: number;
}

type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

/** Services' and ReplicaSets' selectors are equalities: match those with a plain loop. */
function compileSelector(sel: LabelSelector, namespace: string): Pick<Constraint, 'matches' | 'indexKeys'> {
  if (sel.selectsNothing()) return { matches: () => false, indexKeys: undefined };
  const eq = sel.equalityRequirements();
  if (eq.length !== sel.requirements().length) return { matches: (labels) => sel.matches(labels), indexKeys: undefined };
  const keys = eq.map((e) => e.key);
  const values = eq.map((e) => e.value);
  return {
    matches: (labels) => {
      for (let i = 0; i < keys.length; i++) if (labels[keys[i]!] !== values[i]) return false;
      return true;
    },
    indexKeys: eq.length ? eq.map((e) => labelCountKey(namespace, e.key, e.value)) : undefined,
  };
}

class SpreadState implements Cloneable {
  constructor(
    readonly constraints: Constraint[],
    readonly nodeOk: NodePredicate | undefined,
    /** Per constraint: domain value -> matching pods. Every eligible domain is present, maybe at 0. */
    readonly counts: Map<string, number>[],
  ) {}
  clone(): SpreadState {
    return new SpreadState(this.constraints, this.nodeOk, this.counts.map((m) => new Map(m)));
  }
  minMatch(i: number): number {
    const m = this.counts[i]!;
    if (m.size < this.constraints[i]!.minDomains) return 0;
    let min = Infinity;
    for (const v of m.values()) if (v < min) min = v;
    return min === Infinity ? 0 : min;
  }
}

/** PreScore's result; Score only reads it, so clones may share it. */
class ScoreState implements Cloneable {
  constructor(
    readonly constraints: readonly Constraint[],
    /** Feasible nodes lacking a topology key when every key is required: they score 0. */
    readonly ignored: ReadonlySet<string>,
    /** Per constraint: domain value -> matching pods; undefined for hostname, counted per node in Score. */
    readonly counts: readonly (ReadonlyMap<string, number> | undefined)[],
    /** Per constraint: log(number of domains + 2). */
    readonly weights: readonly number[],
  ) {}
  clone(): ScoreState {
    return this;
  }
}

function hasAllKeys(ni: NodeInfo, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) if (ni.labels[c.topologyKey] === undefined) return false;
  return true;
}

function counts(c: Constraint, pod: PodInfo, other: PodInfo): boolean {
  return other.namespace === pod.namespace && !other.terminating && c.matches(other.labels);
}

function countOn(ni: NodeInfo, c: Constraint, pod: PodInfo): number {
  const pods = ni.pods;
  if (pods.length === 0) return 0;
  if (c.indexKeys) {
    // No pod here has one of the pairs: none matches. With one pair the index is the answer.
    const idx = nodeLabelCounts(ni);
    let least = Infinity;
    for (const k of c.indexKeys) {
      const m = idx.get(k) ?? 0;
      if (m === 0) return 0;
      if (m < least) least = m;
    }
    if (c.indexKeys.length === 1) return least;
  }
  let n = 0;
  for (let i = 0; i < pods.length; i++) if (counts(c, pod, pods[i]!)) n++;
  return n;
}

/** A pod's own constraint: its selector ANDed with `key=value` for each matchLabelKeys key the pod has. */
function ownSelector(raw: { labelSelector?: Parameters<typeof labelSelectorFromObject>[0]; matchLabelKeys?: string[] }, podLabels: Readonly<Record<string, string>>): LabelSelector {
  const sel = labelSelectorFromObject(raw.labelSelector ?? null);
  const keys = raw.matchLabelKeys ?? [];
  if (keys.length === 0 || sel.selectsNothing()) return sel;
  const extra = keys.filter((k) => podLabels[k] !== undefined).map((k) => labelRequirement(k, '=', [podLabels[k]!]));
  return extra.length ? selectorFromRequirements([...sel.requirements(), ...extra]) : sel;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = POD_TOPOLOGY_SPREAD;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeLabelChange', 'NodeTaintChange', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'];
  private readonly args: ParsedSpreadArgs;

  constructor(
    private readonly workloads: WorkloadListers,
    args?: ParsedSpreadArgs,
  ) {
    this.args = args ?? { systemDefaulted: true, defaults: systemDefaultConstraints };
  }

  /** The pod's own constraints of this kind, or else the defaults of this kind with its workload's selector. */
  private constraintsFor(pod: PodInfo, when: WhenUnsatisfiable): Constraint[] {
    const own = pod.pod.spec?.topologySpreadConstraints ?? [];
    if (own.length) {
      return own
        .filter((c) => c.whenUnsatisfiable === when)
        .map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, ...compileSelector(ownSelector(c, pod.labels), pod.namespace), minDomains: c.minDomains ?? 1 }));
    }
    const defaults = this.args.defaults.filter((c) => c.whenUnsatisfiable === when);
    if (defaults.length === 0) return [];
    const selector = workloadSelector(pod.pod, this.workloads);
    if (!selector) return [];
    const compiled = compileSelector(selector, pod.namespace);
    return defaults.map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, ...compiled, minDomains: 1 }));
  }

  // ---- filter -----------------------------------------------------------------

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status {
    const constraints = this.constraintsFor(pod, 'DoNotSchedule');
    if (constraints.length === 0) return Status.skip;
    const nodeOk = requiredNodePredicate(pod);
    const s = new SpreadState(constraints, nodeOk, constraints.map(() => new Map()));
    for (const ni of snapshot.nodeInfoList) {
      if ((nodeOk && !nodeOk(ni)) || !hasAllKeys(ni, constraints)) continue;
      constraints.forEach((c, i) => {
        const v = ni.labels[c.topologyKey]!;
        s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + countOn(ni, c, pod));
      });
    }
    state.write(preFilterKey, s);
    return Status.success;
  }

  private adjust(state: CycleState, pod: PodInfo, other: PodInfo, ni: NodeInfo, delta: number): void {
    const s = state.read<SpreadState>(preFilterKey);
    if (!s || (s.nodeOk && !s.nodeOk(ni)) || !hasAllKeys(ni, s.constraints)) return;
    s.constraints.forEach((c, i) => {
      if (!counts(c, pod, other)) return;
      const v = ni.labels[c.topologyKey]!;
      s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + delta);
    });
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, ni: NodeInfo): void {
    this.adjust(state, pod, added, ni, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, ni: NodeInfo): void {
    this.adjust(state, pod, removed, ni, -1);
  }

  filter(state: CycleState, pod: PodInfo, ni: NodeInfo): Status {
    const s = state.read<SpreadState>(preFilterKey);
    if (!s) return Status.success;
    if (!hasAllKeys(ni, s.constraints)) return Status.unresolvable(ERR_REASON_MISSING_LABEL);
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const self = c.matches(pod.labels) ? 1 : 0;
      const here = s.counts[i]!.get(ni.labels[c.topologyKey]!) ?? 0;
      if (here + self - s.minMatch(i) > c.maxSkew) return Status.unschedulable(ERR_REASON_CONSTRAINTS);
    }
    return Status.success;
  }

  // ---- score ------------------------------------------------------------------

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status {
    const constraints = this.constraintsFor(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return Status.skip;
    const requireAll = (pod.pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !this.args.systemDefaulted;
    const ignored = new Set<string>();
    // Domains come from the feasible nodes. A node without the key sits in the "" domain (as
    // in Kubernetes): it counts towards the number of domains, but Score reads only the
    // domains of keys nodes have, so only those are counted — on a cluster without zone
    // labels the zone default costs no walk at all.
    const domains = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? undefined : new Set<string>()));
    const domainCounts = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? undefined : new Map<string, number>()));
    for (const ni of nodes) {
      if (requireAll && !hasAllKeys(ni, constraints)) {
        ignored.add(ni.name);
        continue;
      }
      for (let i = 0; i < constraints.length; i++) {
        const m = domainCounts[i];
        if (!m) continue;
        const v = ni.labels[constraints[i]!.topologyKey];
        domains[i]!.add(v ?? '');
        if (v !== undefined && !m.has(v)) m.set(v, 0);
      }
    }
    const weights = domains.map((d) => Math.log((d ? d.size : nodes.length - ignored.size) + 2));
    if (domainCounts.some((m) => m && m.size > 0)) {
      // Matching pods anywhere in those domains count, also on nodes that were not feasible,
      // as long as the pod could go there by its node selector and affinity.
      const nodeOk = requiredNodePredicate(pod);
      for (const ni of snapshot.nodeInfoList) {
        if (ni.pods.length === 0 || (nodeOk && !nodeOk(ni)) || (requireAll && !hasAllKeys(ni, constraints))) continue;
        for (let i = 0; i < constraints.length; i++) {
          const m = domainCounts[i];
          if (!m || m.size === 0) continue;
          const v = ni.labels[constraints[i]!.topologyKey] ?? '';
          const cur = m.get(v);
          if (cur !== undefined) m.set(v, cur + countOn(ni, constraints[i]!, pod));
        }
      }
    }
    state.write(preScoreKey, new ScoreState(constraints, ignored, domainCounts, weights));
    return Status.success;
  }

  score(state: CycleState, pod: PodInfo, ni: NodeInfo): number {
    const s = state.read<ScoreState>(preScoreKey);
    if (!s) return 0;
    if (s.ignored.has(ni.name)) return IGNORED;
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = ni.labels[c.topologyKey];
      if (v === undefined) continue;
      const m = s.counts[i];
      const n = m ? (m.get(v) ?? 0) : countOn(ni, c, pod);
      score += n * s.weights[i]! + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  /** Fewest matches -> 100; as Kubernetes, in integers: 100 × (max + min - score) / max. */
  normalize(state: CycleState, _pod: PodInfo, scores: number[]): void {
    if (!state.read<ScoreState>(preScoreKey)) return;
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s === IGNORED) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s === IGNORED) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.floor((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  }
}
