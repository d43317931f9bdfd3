// What the controllers of the manager hold the same way: the API client, the event recorder,
// a logger named after the controller, the clock, how many keys they sync at once, and the
// registration that hands the reconciler and its watch() to the manager. A controller extends
// ControllerBase with its name and default worker count, and writes only what is its own:
// which informers it watches and how events map to keys (watch), and one sync (reconcile).

import type { Api } from '../client/api.js';
import { realClock, type Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import { defaultExpectationsTTLms, Expectations } from './expectations.js';
import type { ControllerRegistration, EnqueueAfter, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from './types.js';

/** What every controller built on ControllerBase is given (its own options add to these). */
export interface ControllerDeps {
  api: Api;
  events: EventRecorder;
  logger: Logger;
  /** Default: the real clock. */
  clock?: Clock;
  /**
   * Concurrent syncs of distinct keys (kube-controller-manager's --concurrent-<name>-syncs);
   * the controller's own default when absent.
   */
  workers?: number;
}

/** What differs between controllers in the shared part: the name and the default workers. */
export interface ControllerIdentity {
  /** Names the registration (queue, metrics, config switch) and the logger's `controller` field. */
  name: string;
  defaultWorkers: number;
}

export abstract class ControllerBase implements Reconciler {
  readonly name: string;
  protected readonly api: Api;
  protected readonly events: EventRecorder;
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  protected readonly workers: number;

  protected constructor(identity: ControllerIdentity, deps: ControllerDeps) {
    this.name = identity.name;
    this.api = deps.api;
    this.events = deps.events;
    this.logger = deps.logger.child({ controller: identity.name });
    this.clock = deps.clock ?? realClock;
    this.workers = deps.workers ?? identity.defaultWorkers;
  }

  /** The controller as the manager runs it: this reconciler, its workers, its watch(). */
  registration(): ControllerRegistration {
    return { name: this.name, reconciler: this, workers: this.workers, watch: (source, enqueue, enqueueAfter) => this.watch(source, enqueue, enqueueAfter) };
  }

  /** Wires informer events to keys (ControllerRegistration.watch). */
  abstract watch(source: InformerSource, enqueue: (key: ObjectKey) => void, enqueueAfter: EnqueueAfter): void;

  abstract reconcile(key: ObjectKey): Promise<ReconcileResult | void>;
}

/** What a controller that creates and deletes children (pods) is given besides ControllerDeps. */
export interface ExpectingControllerDeps extends ControllerDeps {
  /** How long unmet expectations are trusted (default 5 minutes, as Kubernetes). */
  expectationsTTLms?: number;
}

/**
 * A ControllerBase that creates and deletes children and so tracks its own writes until its
 * cache shows them (expectations.ts): ReplicaSet, DaemonSet, StatefulSet, Job.
 */
export abstract class ExpectingControllerBase extends ControllerBase {
  readonly expectations: Expectations;

  protected constructor(identity: ControllerIdentity, deps: ExpectingControllerDeps) {
    super(identity, deps);
    this.expectations = new Expectations(this.clock, deps.expectationsTTLms ?? defaultExpectationsTTLms);
  }
}
