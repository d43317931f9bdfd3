// What Kubernetes checks in a policy/v1 PodDisruptionBudget beyond the schema: at most one
// of minAvailable and maxUnavailable (upstream accepts neither: such a budget asks for no
// healthy pods), each a non-negative integer or a percentage of at most 100%, a selector
// that parses, an unhealthyPodEvictionPolicy it knows, and non-negative status counters.

import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { labelSelectorFromObject } from '../../../common/selectors/labels.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { intOrPercent } from './daemonSetValidation.js';

export const unhealthyPodEvictionPolicies = ['IfHealthyBudget', 'AlwaysAllow'] as const;

const set = (v: unknown): boolean => v !== undefined && v !== null;

function validatePositiveIntOrPercent(v: unknown, path: string): FieldCause[] {
  if (!set(v)) return [];
  const parsed = intOrPercent(v);
  if (!parsed) return [fe.invalid(path, v, 'a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')')];
  if (parsed.value < 0) return [fe.invalid(path, v, 'must be greater than or equal to 0')];
  if (parsed.percent && parsed.value > 100) return [fe.invalid(path, v, 'must not be greater than 100%')];
  return [];
}

export function validatePodDisruptionBudget(pdb: KubeObject): FieldCause[] {
  const spec = isObject(pdb.spec) ? pdb.spec : {};
  const out: FieldCause[] = [];
  if (set(spec.minAvailable) && set(spec.maxUnavailable)) out.push(fe.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  out.push(...validatePositiveIntOrPercent(spec.minAvailable, 'spec.minAvailable'), ...validatePositiveIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (set(spec.selector)) {
    try {
      labelSelectorFromObject(spec.selector as Parameters<typeof labelSelectorFromObject>[0]);
    } catch (e) {
      out.push(fe.invalid('spec.selector', spec.selector, (e as Error).message));
    }
  }
  const policy = spec.unhealthyPodEvictionPolicy;
  if (set(policy) && !(unhealthyPodEvictionPolicies as readonly unknown[]).includes(policy)) {
    out.push(fe.notSupported('spec.unhealthyPodEvictionPolicy', policy, unhealthyPodEvictionPolicies));
  }
  const status = isObject(pdb.status) ? pdb.status : {};
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) {
    const v = status[f];
    if (typeof v === 'number' && v < 0) out.push(fe.invalid(`status.${f}`, v, 'must be greater than or equal to 0'));
  }
  return out;
}
