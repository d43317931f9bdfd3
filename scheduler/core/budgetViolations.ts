// Which preemption victims would break a PodDisruptionBudget (Kubernetes' DefaultPreemption
// filterPodsWithPDBViolation). The victims are taken in the order given (most important
// first); each one a budget selects spends one of the budget's status.disruptionsAllowed, and
// a victim that takes a budget below zero violates it. A pod already in the budget's
// status.disruptedPods was counted when its eviction was admitted and spends nothing again.
// A budget whose selector is missing, empty or invalid selects no victim here, as upstream.

import { labelSelectorFromObject, type LabelSelector, type LabelSelectorObject } from '../../common/selectors/labels.js';
import type { PodInfo } from '../framework/podInfo.js';
import type { PodDisruptionBudget } from '../framework/types.js';

export interface BudgetSplit {
  /** Victims whose eviction would take some budget below zero, in the order given. */
  violating: PodInfo[];
  /** The others, in the order given. */
  nonViolating: PodInfo[];
}

interface Budget {
  namespace: string;
  selector: LabelSelector;
  disrupted: ReadonlySet<string>;
  allowed: number;
}

function compile(pdb: PodDisruptionBudget): Budget | undefined {
  const sel = pdb.spec?.selector as LabelSelectorObject | undefined;
  if (!sel) return undefined;
  if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) return undefined;
  let selector: LabelSelector;
  try {
    selector = labelSelectorFromObject(sel);
  } catch {
    // The API server validates selectors; one that does not compile selects nothing.
    return undefined;
  }
  return {
    namespace: pdb.metadata?.namespace ?? '',
    selector,
    disrupted: new Set(Object.keys(pdb.status?.disruptedPods ?? {})),
    allowed: pdb.status?.disruptionsAllowed ?? 0,
  };
}

export function splitByBudgetViolation(victims: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): BudgetSplit {
  const out: BudgetSplit = { violating: [], nonViolating: [] };
  const budgets = pdbs.map(compile).filter((b): b is Budget => b !== undefined);
  for (const v of victims) {
    let violates = false;
    // A pod without labels matches no non-empty selector.
    if (Object.keys(v.labels).length > 0) {
      for (const b of budgets) {
        if (b.namespace !== v.namespace || !b.selector.matches(v.labels)) continue;
        if (b.disrupted.has(v.name)) continue;
        b.allowed--;
        if (b.allowed < 0) violates = true;
      }
    }
    (violates ? out.violating : out.nonViolating).push(v);
  }
  return out;
}
