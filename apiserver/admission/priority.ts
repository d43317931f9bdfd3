// Kubernetes' Priority admission: a pod's priorityClassName resolves to spec.priority
// (and its preemptionPolicy) when the pod is created; an unknown class is refused, and a
// pod without a class gets the global default class if one exists.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { ForbiddenError } from '../../common/errors.js';

/** Reads PriorityClasses (from the watch cache). */
export interface PriorityClassLookup {
  get(name: string): KubeObject | undefined;
  list(): KubeObject[];
}

/** Built-in classes every cluster has, as in Kubernetes. */
export const systemClasses: Record<string, number> = {
  'system-cluster-critical': 2_000_000_000,
  'system-node-critical': 2_000_001_000,
};

export function admitPodPriority(pod: KubeObject, classes: PriorityClassLookup): void {
  const spec = isObject(pod.spec) ? pod.spec : (pod.spec = {});
  const name = typeof spec.priorityClassName === 'string' && spec.priorityClassName !== '' ? spec.priorityClassName : undefined;
  let value: number | undefined;
  let policy: unknown;
  if (name) {
    const pc = classes.get(name);
    if (pc) {
      value = typeof pc.value === 'number' ? pc.value : 0;
      policy = pc.preemptionPolicy;
    } else if (name in systemClasses) {
      value = systemClasses[name];
    } else {
      throw new ForbiddenError(`pods "${pod.metadata.name ?? pod.metadata.generateName ?? ''}" is forbidden: no PriorityClass with name ${name} was found`);
    }
  } else {
    const def = classes.list().find((pc) => pc.globalDefault === true);
    if (def) {
      spec.priorityClassName = def.metadata.name;
      value = typeof def.value === 'number' ? def.value : 0;
      policy = def.preemptionPolicy;
    }
  }
  if (value === undefined) return;
  if (typeof spec.priority === 'number' && spec.priority !== value && spec.priority !== 0) {
    throw new ForbiddenError(`pods "${pod.metadata.name ?? ''}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  if (typeof policy === 'string') spec.preemptionPolicy = policy;
}

/**
 * Kubernetes' Priority admission for PriorityClasses: at most one may be the global default.
 * (Checked on create; marking an existing class as default on update is not checked yet.)
 */
export function admitPriorityClass(pc: KubeObject, classes: PriorityClassLookup): void {
  if (pc.globalDefault !== true) return;
  const current = classes.list().find((c) => c.globalDefault === true && c.metadata.name !== pc.metadata.name);
  if (current) {
    throw new ForbiddenError(`priorityclasses.scheduling.k8s.io "${pc.metadata.name ?? ''}" is forbidden: PriorityClass ${current.metadata.name ?? ''} is already marked as default. Only one default can exist`);
  }
}
