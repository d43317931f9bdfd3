// Pod priority from PriorityClasses (scheduling.k8s.io/v1). In Kubernetes an admission
// plugin copies the class's value into spec.priority when the pod is created; Gantry's API
// server does not, so the scheduler resolves spec.priorityClassName itself: the named
// class's value, else the global-default class's, else spec.priority, else 0.

import type { Pod, PriorityClass } from '../framework/types.js';

interface ClassInfo {
  value: number;
  globalDefault: boolean;
  preemptionPolicy: string | undefined;
}

/** Classes every cluster has. */
const systemClasses: [string, ClassInfo][] = [
  ['system-cluster-critical', { value: 2_000_000_000, globalDefault: false, preemptionPolicy: undefined }],
  ['system-node-critical', { value: 2_000_001_000, globalDefault: false, preemptionPolicy: undefined }],
];

export class PriorityResolver {
  private readonly classes = new Map<string, ClassInfo>(systemClasses);

  set(pc: PriorityClass): void {
    const name = pc.metadata?.name;
    if (!name) return;
    this.classes.set(name, { value: pc.value, globalDefault: pc.globalDefault === true, preemptionPolicy: pc.preemptionPolicy });
  }

  delete(name: string): void {
    if (!systemClasses.some(([n]) => n === name)) this.classes.delete(name);
  }

  private classOf(pod: Pod): ClassInfo | undefined {
    const name = pod.spec?.priorityClassName;
    if (name) return this.classes.get(name);
    for (const c of this.classes.values()) if (c.globalDefault) return c;
    return undefined;
  }

  priorityOf(pod: Pod): number {
    const named = pod.spec?.priorityClassName ? this.classes.get(pod.spec.priorityClassName) : undefined;
    if (named) return named.value;
    if (pod.spec?.priority !== undefined && pod.spec.priority !== null) {
      // The API server defaults spec.priority to 0 for pods without a class; a global
      // default class, when there is one, is what Kubernetes' admission would have used.
      if (pod.spec.priority === 0 && !pod.spec.priorityClassName) return this.classOf(pod)?.value ?? 0;
      return pod.spec.priority;
    }
    return this.classOf(pod)?.value ?? 0;
  }

  /**
   * PreemptLowerPriority unless the pod or its class says Never (the API server defaults the
   * pod's field, so a class's Never must win over that default).
   */
  mayPreempt(pod: Pod): boolean {
    return pod.spec?.preemptionPolicy !== 'Never' && this.classOf(pod)?.preemptionPolicy !== 'Never';
  }
}
