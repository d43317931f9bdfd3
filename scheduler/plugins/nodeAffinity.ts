// NodeAffinity: spec.nodeSelector and required node affinity decide where a pod may go
// (filter); preferred node affinity adds the weights of the terms a node matches (score,
// normalized so the best node gets 100).

import type { CycleState } from '../framework/cycleState.js';
import type { ClusterEvent, FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import { defaultNormalizeScore } from './normalize.js';
import { compileNodeSelector, compileTerm, compileTerms, type NodePredicate } from './nodeSelection.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const preFilterKey = 'PreFilter' + NODE_AFFINITY;
const preScoreKey = 'PreScore' + NODE_AFFINITY;

/** The node predicate of a pod's required placement (nodeSelector AND required affinity), or undefined when it has none. */
export function requiredNodePredicate(pod: PodInfo): NodePredicate | undefined {
  const spec = pod.pod.spec;
  const preds: NodePredicate[] = [];
  if (spec?.nodeSelector && Object.keys(spec.nodeSelector).length) preds.push(compileNodeSelector(spec.nodeSelector));
  const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) preds.push(compileTerms(req.nodeSelectorTerms ?? []));
  if (preds.length === 0) return undefined;
  if (preds.length === 1) return preds[0];
  return (ni) => preds.every((p) => p(ni));
}

interface Preferred {
  weight: number;
  matches: NodePredicate;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeLabelChange'];

  preFilter(state: CycleState, pod: PodInfo): Status {
    const pred = requiredNodePredicate(pod);
    if (!pred) return Status.skip;
    state.write(preFilterKey, pred);
    return Status.success;
  }

  filter(state: CycleState, pod: PodInfo, ni: NodeInfo): Status {
    const pred = state.read<NodePredicate>(preFilterKey) ?? requiredNodePredicate(pod);
    return !pred || pred(ni) ? Status.success : Status.unresolvable(ERR_REASON_NODE_AFFINITY);
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const prefs = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const compiled: Preferred[] = prefs.filter((p) => p.weight !== 0).map((p) => ({ weight: p.weight, matches: compileTerm(p.preference) }));
    if (compiled.length === 0) return Status.skip;
    state.write(preScoreKey, compiled);
    return Status.success;
  }

  score(state: CycleState, _pod: PodInfo, ni: NodeInfo): number {
    const prefs = state.read<Preferred[]>(preScoreKey) ?? [];
    let sum = 0;
    for (const p of prefs) if (p.matches(ni)) sum += p.weight;
    return sum;
  }

  normalize(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, false);
  }
}
