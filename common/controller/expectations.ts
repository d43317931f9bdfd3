// client-go's ControllerExpectations (with UID-tracking deletions), shared by the controllers
// that create and delete pods (ReplicaSet, DaemonSet, StatefulSet, Job): after a controller
// asks for N creations or deletions, its cache lags its own writes, and a sync that counted
// pods from that cache would create or delete again. So it records what it expects, the pod
// informer's events tick the expectations off, and the controller acts on a key again only
// once they are met, or after a TTL in case an event was lost (a watch that relisted).

import type { KubeObject } from '../api/meta.js';
import type { InformerEventHandler } from '../client/informer.js';
import { objectKey } from '../client/informer.js';
import type { Clock } from '../clock.js';
import { keyString, type ObjectKey } from './types.js';

interface Expectation {
  adds: number;
  /** Keys (namespace/name) of pods whose deletion we asked for and have not seen. */
  deletes: Set<string>;
  setAt: number;
}

/** Five minutes, as Kubernetes: long enough for a slow watch, short enough to heal a lost event. */
export const defaultExpectationsTTLms = 5 * 60_000;

export class Expectations {
  private readonly byController = new Map<string, Expectation>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = defaultExpectationsTTLms,
  ) {}

  /** Replaces what `controller` waits for with `count` creations. */
  expectCreations(controller: string, count: number): void {
    this.byController.set(controller, { adds: count, deletes: new Set(), setAt: this.clock.now() });
  }

  /** Replaces what `controller` waits for with the deletion of these pods. */
  expectDeletions(controller: string, podKeys: readonly string[]): void {
    this.byController.set(controller, { adds: 0, deletes: new Set(podKeys), setAt: this.clock.now() });
  }

  /** A pod of `controller` appeared (or a creation will never happen: it failed or was skipped). */
  creationObserved(controller: string, count = 1): void {
    const e = this.byController.get(controller);
    if (e) e.adds = Math.max(0, e.adds - count);
  }

  /** The pod went away or started terminating (or its deletion failed). */
  deletionObserved(controller: string, podKey: string): void {
    this.byController.get(controller)?.deletes.delete(podKey);
  }

  /**
   * True when `controller` may act on what its cache shows: nothing expected, everything
   * expected observed, or the expectations too old to trust.
   */
  satisfied(controller: string): boolean {
    const e = this.byController.get(controller);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.setAt > this.ttlMs;
  }

  /** What is still awaited, for logs and tests. */
  pending(controller: string): { adds: number; deletes: number } | undefined {
    const e = this.byController.get(controller);
    return e ? { adds: e.adds, deletes: e.deletes.size } : undefined;
  }

  /** The controller is gone: forget it. */
  forget(controller: string): void {
    this.byController.delete(controller);
  }
}

/**
 * The handlers of a child informer (pods) for a controller that tracks its own creations and
 * deletions: each event first settles the owning controller's expectation (a new child is a
 * creation seen, unless it already shows a deletion; a child starting to terminate or gone is
 * a deletion seen), then `then` decides what to enqueue. `owner` is undefined for a child
 * this controller does not control; `gone` is true for a delete event. Updates that change
 * nothing (a resync) are skipped.
 */
export function observeChildren<T extends KubeObject>(
  expectations: Expectations,
  owner: (child: T) => ObjectKey | undefined,
  then: (child: T, owner: ObjectKey | undefined, gone: boolean) => void,
): InformerEventHandler<T> {
  return {
    onAdd: (child) => {
      const key = owner(child);
      if (key && child.metadata.deletionTimestamp) expectations.deletionObserved(keyString(key), objectKey(child));
      else if (key) expectations.creationObserved(keyString(key));
      then(child, key, false);
    },
    onUpdate: (old, child) => {
      if (old.metadata.resourceVersion === child.metadata.resourceVersion) return;
      const key = owner(child);
      if (key && child.metadata.deletionTimestamp) expectations.deletionObserved(keyString(key), objectKey(child));
      then(child, key, false);
    },
    onDelete: (child) => {
      const key = owner(child);
      if (key) expectations.deletionObserved(keyString(key), objectKey(child));
      then(child, key, true);
    },
  };
}
