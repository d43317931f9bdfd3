// What Kubernetes checks in a PriorityClass beyond the schema: values above one billion
// belong to the system classes, the `system-` prefix is reserved for those classes (with
// their own values), preemptionPolicy is one Kubernetes knows, and value and
// preemptionPolicy never change. That at most one class is the global default needs the
// other classes, so it is an admission check, not this.

import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { systemClasses } from '../../admission/priority.js';

/** The highest value a user-defined class may have; higher ones are the system's. */
export const highestUserPriority = 1_000_000_000;
const systemPrefix = 'system-';
const preemptionPolicies = ['Never', 'PreemptLowerPriority'] as const;

/** Why `name` may not carry the system prefix with this value and default flag; undefined when it may. */
function systemClassProblem(name: string, value: unknown, globalDefault: boolean): string | undefined {
  const known = systemClasses[name];
  if (known === undefined) return `${name} is not a known system priority class`;
  if (value !== known) return `value of ${name} PriorityClass must be ${known}`;
  // No system class is the global default.
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export function validatePriorityClass(obj: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const name = obj.metadata.name ?? '';
  if (name.startsWith(systemPrefix)) {
    const why = systemClassProblem(name, obj.value, obj.globalDefault === true);
    if (why) out.push(fe.forbidden('metadata.name', `priority class names with '${systemPrefix}' prefix are reserved for system use only. error: ${why}`));
  } else if (typeof obj.value === 'number' && obj.value > highestUserPriority) {
    out.push(fe.forbidden('value', `maximum allowed value of a user defined priority is ${highestUserPriority}`));
  }
  const policy = obj.preemptionPolicy;
  if (policy === '') out.push(fe.required('preemptionPolicy'));
  else if (policy !== undefined && !(preemptionPolicies as readonly unknown[]).includes(policy)) out.push(fe.notSupported('preemptionPolicy', policy, preemptionPolicies));
  return out;
}

export function validatePriorityClassUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  // Pods copied the value and policy when they were admitted: changing them would leave those pods wrong.
  if (obj.value !== old.value) out.push(fe.forbidden('value', 'may not be changed in an update.'));
  if (obj.preemptionPolicy !== old.preemptionPolicy) out.push(fe.invalid('preemptionPolicy', obj.preemptionPolicy ?? null, 'field is immutable'));
  return out;
}

