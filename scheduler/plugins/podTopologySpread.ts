// PodTopologySpread (whenUnsatisfiable: DoNotSchedule): pods matching a constraint's
// selector must stay spread over the constraint's topology domains so that, with this pod
// added, no domain has more than maxSkew above the least-loaded one. Only nodes that pass
// the pod's nodeSelector/required node affinity and carry every constraint's topology key
// count as domains (Kubernetes' default node inclusion policy); with minDomains, fewer
// domains than that make the global minimum 0.

import { labelSelectorFromObject, type LabelSelector } from '../../common/selectors/labels.js';
import type { Snapshot } from '../cache/snapshot.js';
import type { Cloneable, CycleState } from '../framework/cycleState.js';
import type { ClusterEvent, FilterPlugin, PreFilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import { requiredNodePredicate } from './nodeAffinity.js';
import type { NodePredicate } from './nodeSelection.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_MISSING_LABEL = ERR_REASON_CONSTRAINTS + ' (missing required label)';
const preFilterKey = 'PreFilter' + POD_TOPOLOGY_SPREAD;

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
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

function hasAllKeys(ni: NodeInfo, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) if (ni.labels[c.topologyKey] === undefined) return false;
  return true;
}

function counts(c: Constraint, pod: PodInfo, other: PodInfo): boolean {
  return other.namespace === pod.namespace && !other.terminating && c.selector.matches(other.labels);
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin {
  readonly name = POD_TOPOLOGY_SPREAD;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeLabelChange', 'NodeTaintChange', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'];

  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status {
    const raw = (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (raw.length === 0) return Status.skip;
    const constraints: Constraint[] = raw.map((c) => ({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector: labelSelectorFromObject(c.labelSelector ?? null),
      minDomains: c.minDomains ?? 1,
    }));
    const nodeOk = requiredNodePredicate(pod);
    const s = new SpreadState(constraints, nodeOk, constraints.map(() => new Map()));
    for (const ni of snapshot.nodeInfoList) {
      if ((nodeOk && !nodeOk(ni)) || !hasAllKeys(ni, constraints)) continue;
      constraints.forEach((c, i) => {
        const v = ni.labels[c.topologyKey]!;
        let n = 0;
        for (const other of ni.pods) if (counts(c, pod, other)) n++;
        s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + n);
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
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const here = s.counts[i]!.get(ni.labels[c.topologyKey]!) ?? 0;
      if (here + self - s.minMatch(i) > c.maxSkew) return Status.unschedulable(ERR_REASON_CONSTRAINTS);
    }
    return Status.success;
  }
}
