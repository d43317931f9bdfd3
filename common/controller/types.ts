// The contracts of Gantry's controller runtime (ARCHITECTURE.md, convention 2): informer
// handlers only enqueue keys; a rate-limited work queue owns de-duplication, back-off and the
// global rate limit; a Reconciler reads from the caches, takes one step toward the desired
// state and says when to look again. Retry policy is never business logic.

import type { KubeObject } from '../api/meta.js';
import type { ResourceDescriptor } from '../api/resources.js';
import type { IndexFunc, Informer, InformedObject } from '../client/informer.js';

/** What a reconciler is asked about: one object, by namespace (if namespaced) and name. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/** `namespace/name` or `name`: the queue's de-duplication key (client-go's MetaNamespaceKeyFunc). */
export function keyString(k: ObjectKey): string {
  return k.namespace ? `${k.namespace}/${k.name}` : k.name;
}

export function parseKey(s: string): ObjectKey {
  const slash = s.indexOf('/');
  return slash < 0 ? { name: s } : { namespace: s.slice(0, slash), name: s.slice(slash + 1) };
}

export function keyOf(obj: InformedObject): ObjectKey {
  const m = obj.metadata ?? {};
  return m.namespace ? { namespace: m.namespace, name: m.name ?? '' } : { name: m.name ?? '' };
}

export interface ReconcileResult {
  /** Look at this key again after this long, even if nothing changes (e.g. minReadySeconds). */
  requeueAfterMs?: number;
}

/**
 * One step toward the desired state of one object. Throwing retries the key with per-key
 * exponential back-off; a TerminalError is logged and not retried (until the next event).
 */
export interface Reconciler {
  reconcile(key: ObjectKey): Promise<ReconcileResult | void>;
}

/** A failure that retrying cannot fix (an invalid spec): the queue forgets the key. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/**
 * client-go's rate-limiting work queue: a key is held at most once while waiting (dirty set)
 * and never handed to two workers at once (processing set); a key added while processing is
 * handed out again after done().
 */
export interface WorkQueue<K> {
  add(key: K): void;
  /** Adds after a delay (a later add of the same key sooner wins). */
  addAfter(key: K, delayMs: number): void;
  /** Adds after the rate limiter's delay for this key: per-key back-off combined with the global bucket. */
  addRateLimited(key: K): void;
  /** Resets the key's back-off (after a success). */
  forget(key: K): void;
  numRequeues(key: K): number;
  /** The next key to work on; undefined once shut down and drained. */
  get(): Promise<K | undefined>;
  /** Marks the key finished; re-queues it if it was added meanwhile. */
  done(key: K): void;
  len(): number;
  shutDown(): void;
}

/** Which shared informer, and the indexes its store must have. */
export interface InformerRequest<T> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Named indexes added to the shared informer's store (`store.byIndex(name, value)`), on top
   * of those other controllers asked for. Every caller naming an index must pass the same
   * function (share it as a module constant): another function under a taken name throws.
   */
  indexers?: Record<string, IndexFunc<T>>;
}

/** Shared informers, one per resource (and selector) per process. */
export interface InformerSource {
  informer<T extends InformedObject = KubeObject>(resource: ResourceDescriptor, opts?: InformerRequest<T>): Informer<T>;
}

/** A controller as the manager runs it. */
export interface ControllerRegistration {
  /** e.g. `replicaset`; names the queue's metrics, logs and config switches. */
  name: string;
  reconciler: Reconciler;
  /** Concurrent workers (distinct keys only). Default 1. */
  workers?: number;
  /**
   * Wires informer events to keys, once, before the informers start: `enqueue` adds a key to
   * this controller's queue, `enqueueAfter` adds it after a delay (the earliest pending time
   * per key wins, so events within one delay make one sync); handlers must do nothing else.
   */
  watch(source: InformerSource, enqueue: (key: ObjectKey) => void, enqueueAfter: EnqueueAfter): void;
}

/** Queues a key after `delayMs` (de-duplicated by the queue: a pending earlier time wins). */
export type EnqueueAfter = (key: ObjectKey, delayMs: number) => void;

/** A Kubernetes Event about an object, recorded asynchronously (never throws, never blocks). */
export interface EventRecorder {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
