// policy/v1 PodDisruptionBudgets: the disruption controller writes their status; the pods'
// eviction subresource (eviction.ts) reads it and spends its allowance.

import type { Strategy } from '../strategy.js';
import { validatePodDisruptionBudget } from './podDisruptionBudgetValidation.js';

export const podDisruptionBudgetStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  // As upstream: a new budget allows nothing until the controller has counted its pods.
  prepareForCreate(pdb) {
    pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate: validatePodDisruptionBudget,
};
