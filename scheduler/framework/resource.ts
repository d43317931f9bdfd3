// Resource amounts as the scheduler adds and compares them: plain numbers (milli-CPU,
// bytes, counts) parsed once from quantities with common/quantity, so the hot filter
// loop compares numbers instead of parsing strings.

import { tryParseQuantity } from '../../common/quantity.js';
import type { Node, Pod } from './types.js';

export interface Resource {
  milliCPU: number;
  /** Bytes. */
  memory: number;
  /** Bytes. */
  ephemeralStorage: number;
  /** On a node: how many pods it takes. On a pod: unused (each pod counts as one). */
  allowedPodNumber: number;
  /** Extended resources (`example.com/gpu`, `hugepages-2Mi`), in whole units. */
  scalar: Map<string, number> | undefined;
}

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: undefined };
}

export function cloneResource(r: Resource): Resource {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, allowedPodNumber: r.allowedPodNumber, scalar: r.scalar ? new Map(r.scalar) : undefined };
}

/** Resources the scheduler accounts for beyond the well-known four. */
export function isScalarResource(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

function amount(name: string, raw: unknown): number {
  const q = tryParseQuantity(typeof raw === 'number' ? raw : String(raw));
  if (!q.ok) return 0; // the API server validated quantities; a bad one counts as nothing
  return Number(name === CPU ? q.quantity.milliValue() : q.quantity.value());
}

/** Parses a ResourceList (`{cpu: '500m', memory: '1Gi'}`). */
export function resourceFromList(list: Record<string, unknown> | undefined): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const [name, raw] of Object.entries(list)) setAmount(r, name, amount(name, raw));
  return r;
}

function setAmount(r: Resource, name: string, v: number): void {
  switch (name) {
    case CPU:
      r.milliCPU = v;
      return;
    case MEMORY:
      r.memory = v;
      return;
    case EPHEMERAL_STORAGE:
      r.ephemeralStorage = v;
      return;
    case PODS:
      r.allowedPodNumber = v;
      return;
    default:
      if (isScalarResource(name)) (r.scalar ??= new Map()).set(name, v);
  }
}

/** The amount of one named resource. */
export function amountOf(r: Resource, name: string): number {
  switch (name) {
    case CPU:
      return r.milliCPU;
    case MEMORY:
      return r.memory;
    case EPHEMERAL_STORAGE:
      return r.ephemeralStorage;
    case PODS:
      return r.allowedPodNumber;
    default:
      return r.scalar?.get(name) ?? 0;
  }
}

/** A fast reader of one named resource, for hot loops (no switch on the name per call). */
export function amountReader(name: string): (r: Resource) => number {
  switch (name) {
    case CPU:
      return (r) => r.milliCPU;
    case MEMORY:
      return (r) => r.memory;
    case EPHEMERAL_STORAGE:
      return (r) => r.ephemeralStorage;
    case PODS:
      return (r) => r.allowedPodNumber;
    default:
      return (r) => r.scalar?.get(name) ?? 0;
  }
}

/** into += r (in place). */
export function addInto(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.allowedPodNumber += r.allowedPodNumber;
  if (r.scalar) for (const [k, v] of r.scalar) (into.scalar ??= new Map()).set(k, (into.scalar.get(k) ?? 0) + v);
}

/** into -= r (in place). */
export function subInto(into: Resource, r: Resource): void {
  into.milliCPU -= r.milliCPU;
  into.memory -= r.memory;
  into.ephemeralStorage -= r.ephemeralStorage;
  into.allowedPodNumber -= r.allowedPodNumber;
  if (r.scalar) for (const [k, v] of r.scalar) (into.scalar ??= new Map()).set(k, (into.scalar.get(k) ?? 0) - v);
}

/** into = max(into, r), per resource (in place). */
function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  if (r.scalar) for (const [k, v] of r.scalar) (into.scalar ??= new Map()).set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

/**
 * What a pod asks of its node, as Kubernetes counts it: the containers run together, so
 * their requests add up; ordinary init containers run one at a time before them, so only
 * the largest counts — but restartable (sidecar) init containers keep running, so they add
 * to everything started after them. Result: max(sum(containers) + sidecars, max over init
 * containers of (init + sidecars started before it)) + pod overhead.
 */
export function podRequests(pod: Pod): Resource {
  const spec = pod.spec;
  const total = emptyResource();
  if (!spec) return total;
  for (const c of spec.containers ?? []) addInto(total, resourceFromList(c.resources?.requests));
  const sidecars = emptyResource();
  const initPeak = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const req = resourceFromList(c.resources?.requests);
    if (c.restartPolicy === 'Always') {
      addInto(total, req);
      addInto(sidecars, req);
      // While this sidecar starts, the ones before it already run.
      maxInto(initPeak, cloneWithAdded(sidecars, emptyResource()));
    } else {
      maxInto(initPeak, cloneWithAdded(req, sidecars));
    }
  }
  maxInto(total, initPeak);
  if (spec.overhead) addInto(total, resourceFromList(spec.overhead));
  return total;
}

function cloneWithAdded(a: Resource, b: Resource): Resource {
  const out = cloneResource(a);
  addInto(out, b);
  return out;
}

/** The node's allocatable resources (capacity when allocatable is missing). */
export function nodeAllocatable(node: Node): Resource {
  return resourceFromList(node.status?.allocatable ?? node.status?.capacity);
}
