// What plugins may read besides the snapshot: the objects that say which pods belong to one
// workload (Kubernetes hands its plugins the same listers through the framework handle).
// Read-only views of informer stores in the running scheduler (cache/workloadListers.ts),
// plain lists in tests and the in-memory benchmark. Gantry has no ReplicationControllers or
// StatefulSets, so only Services and ReplicaSets are listed. VolumeBinding reads claims,
// volumes and storage classes the same way (cache/volumeListers.ts in the running scheduler).
// Preemption reads PodDisruptionBudgets (cache/budgetListers.ts), as Kubernetes'
// DefaultPreemption reads its PDB lister, to prefer victims whose budgets allow the disruption.

import type { TimerClock } from '../../common/clock.js';
import { realClock } from '../../common/clock.js';
import type { VolumeBinder } from './interfaces.js';
import type { PersistentVolume, PersistentVolumeClaim, PodDisruptionBudget, ReplicaSet, Service, StorageClass } from './types.js';

export interface WorkloadListers {
  /** The Services of a namespace. */
  services(namespace: string): readonly Service[];
  /** A ReplicaSet by namespace and name. */
  replicaSet(namespace: string, name: string): ReplicaSet | undefined;
}

/** PodDisruptionBudgets as the informer has them now (status.disruptionsAllowed from the disruption controller). */
export interface DisruptionBudgetLister {
  /** The budgets of a namespace. */
  budgets(namespace: string): readonly PodDisruptionBudget[];
}

/** Budgets from a fixed list (tests, the in-memory benchmark). */
export function staticBudgets(pdbs: readonly PodDisruptionBudget[] = []): DisruptionBudgetLister {
  return { budgets: (ns) => pdbs.filter((b) => (b.metadata?.namespace ?? '') === ns) };
}

/** No budgets: every victim is as good as another as far as disruption goes. */
export const noBudgets: DisruptionBudgetLister = staticBudgets();

/** PersistentVolumeClaims, PersistentVolumes and StorageClasses as the informers have them now. */
export interface VolumeListers {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  /** The volumes whose spec.storageClassName is `className` ('' = those without a class). */
  volumesOfClass(className: string): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
  /**
   * Calls `fn` after every change to a claim or volume (add, update, delete), once the store
   * has it; returns a function that stops the calls. What waits for a claim to be bound
   * waits on this, not on a timer.
   */
  onChange(fn: () => void): () => void;
}

/** Everything a plugin factory may use besides its args. */
export interface PluginHandle {
  workloads: WorkloadListers;
  volumes: VolumeListers;
  /** Writes volume decisions (PreBind); absent where nothing may be written (benchmarks). */
  volumeBinder: VolumeBinder | undefined;
  /** Timeouts of the binding cycle. */
  clock: TimerClock;
}

/** Listers over fixed lists of objects (tests, the in-memory benchmark). */
export function staticWorkloads(objs: { services?: readonly Service[]; replicaSets?: readonly ReplicaSet[] } = {}): WorkloadListers {
  const services = objs.services ?? [];
  const replicaSets = objs.replicaSets ?? [];
  return {
    services: (ns) => services.filter((s) => (s.metadata?.namespace ?? '') === ns),
    replicaSet: (ns, name) => replicaSets.find((r) => (r.metadata?.namespace ?? '') === ns && r.metadata?.name === name),
  };
}

/** No Services, no ReplicaSets: pods belong to no workload. */
export const noWorkloads: WorkloadListers = staticWorkloads();

const nsName = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * Listers over maps the caller changes (tests, the in-memory benchmark): set and delete
 * notify onChange subscribers, as an informer's events would.
 */
export class MemoryVolumes implements VolumeListers {
  private readonly claims = new Map<string, PersistentVolumeClaim>();
  private readonly volumes = new Map<string, PersistentVolume>();
  private readonly classes = new Map<string, StorageClass>();
  private readonly subscribers = new Set<() => void>();

  constructor(objs: { claims?: readonly PersistentVolumeClaim[]; volumes?: readonly PersistentVolume[]; classes?: readonly StorageClass[] } = {}) {
    for (const c of objs.claims ?? []) this.claims.set(nsName(c), c);
    for (const v of objs.volumes ?? []) this.volumes.set(v.metadata?.name ?? '', v);
    for (const c of objs.classes ?? []) this.classes.set(c.metadata?.name ?? '', c);
  }

  claim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }
  volume(name: string): PersistentVolume | undefined {
    return this.volumes.get(name);
  }
  volumesOfClass(className: string): readonly PersistentVolume[] {
    return [...this.volumes.values()].filter((v) => (v.spec?.storageClassName ?? '') === className);
  }
  storageClass(name: string): StorageClass | undefined {
    return this.classes.get(name);
  }
  onChange(fn: () => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  setClaim(c: PersistentVolumeClaim): void {
    this.claims.set(nsName(c), c);
    this.notify();
  }
  deleteClaim(namespace: string, name: string): void {
    this.claims.delete(`${namespace}/${name}`);
    this.notify();
  }
  setVolume(v: PersistentVolume): void {
    this.volumes.set(v.metadata?.name ?? '', v);
    this.notify();
  }
  setClass(c: StorageClass): void {
    this.classes.set(c.metadata?.name ?? '', c);
  }
  /** How many onChange subscribers there are (tests check waits unsubscribe). */
  subscriberCount(): number {
    return this.subscribers.size;
  }
  private notify(): void {
    for (const fn of [...this.subscribers]) fn();
  }
}

/** No claims, volumes or classes. */
export function noVolumes(): VolumeListers {
  return new MemoryVolumes();
}

/** A handle for tests and benchmarks: no workloads and no volumes unless given. */
export function pluginHandle(over: Partial<PluginHandle> = {}): PluginHandle {
  return { workloads: noWorkloads, volumes: noVolumes(), volumeBinder: undefined, clock: realClock, ...over };
}
