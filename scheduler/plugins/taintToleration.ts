// TaintToleration: a node's NoSchedule and NoExecute taints keep off pods that do not
// tolerate them (filter); PreferNoSchedule taints only make the node less attractive, by
// the number the pod does not tolerate (score, reversed so fewer is better).

import type { CycleState } from '../framework/cycleState.js';
import type { ClusterEvent, FilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import type { Toleration } from '../framework/types.js';
import { defaultNormalizeScore } from './normalize.js';
import { firstUntolerated, toleratedByAny } from '../../common/api/tolerations.js';

export const TAINT_TOLERATION = 'TaintToleration';
const filterEffects: ReadonlySet<string> = new Set(['NoSchedule', 'NoExecute']);
const preScoreKey = 'PreScore' + TAINT_TOLERATION;

export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeTaintChange'];

  filter(_s: CycleState, pod: PodInfo, ni: NodeInfo): Status {
    if (ni.taints.length === 0) return Status.success;
    const t = firstUntolerated(ni.taints, pod.tolerations, filterEffects);
    return t ? Status.unresolvable(untoleratedTaintReason(t.key, t.value)) : Status.success;
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    // Only tolerations that can apply to PreferNoSchedule taints matter here.
    const tols = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(preScoreKey, tols);
    return Status.success;
  }

  score(state: CycleState, pod: PodInfo, ni: NodeInfo): number {
    if (ni.taints.length === 0) return 0;
    const tols = state.read<Toleration[]>(preScoreKey) ?? pod.tolerations;
    let n = 0;
    for (const taint of ni.taints) if (taint.effect === 'PreferNoSchedule' && !toleratedByAny(tols, taint)) n++;
    return n;
  }

  normalize(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, true);
  }
}
