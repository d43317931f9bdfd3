// The DisruptionBudgetLister over the scheduler's PodDisruptionBudget informer: budgets of a
// namespace from the store's index, never an API call while preemption weighs its victims.

import type { Logger } from '../../common/logging.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { DisruptionBudgetLister } from '../framework/listers.js';
import type { PodDisruptionBudget } from '../framework/types.js';

export const budgetNamespaceIndex = 'namespace';

export function budgetInformer(client: RestClient, logger: Logger): Informer<PodDisruptionBudget> {
  return new Informer<PodDisruptionBudget>({
    client,
    path: '/apis/policy/v1/poddisruptionbudgets',
    logger,
    indexers: { [budgetNamespaceIndex]: (b) => [b.metadata?.namespace ?? ''] },
  });
}

export function storeBudgets(inf: Informer<PodDisruptionBudget>): DisruptionBudgetLister {
  return { budgets: (ns) => inf.store.byIndex(budgetNamespaceIndex, ns) };
}
