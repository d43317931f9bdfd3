// The controller manager's runtime: the controllers of one process over ONE shared informer
// per (resource, namespace, selectors), behind leader election.
//
// Life cycle, as kube-controller-manager's:
//   add(registration)  each controller wires its watches (handlers only enqueue);
//   start()            campaign for the Lease (or go straight on without election);
//   on leading         start every informer, wait until all have synced, then start the
//                      workers and the periodic resync;
//   on losing the lease stop the controllers and informers and call onLostLeadership: the
//                      process exits and `gantry supervise` restarts it to campaign afresh
//                      (as the scheduler does; a half-stopped leader must not linger);
//   stop()             stop workers (letting reconciles finish), informers, release the Lease.
// Informers start only when leading, so standby managers put no load on the API server.

import type { Registry } from 'prom-client';
import type { KubeObject } from '../api/meta.js';
import type { ResourceDescriptor } from '../api/resources.js';
import { resourcePath } from '../client/apiClient.js';
import { Informer, type InformedObject } from '../client/informer.js';
import { defaultIdentity, LeaderElector } from '../client/leaderElection.js';
import type { RestClient } from '../client/restClient.js';
import { realClock, type Timer, type TimerClock } from '../clock.js';
import type { Logger } from '../logging.js';
import { Controller } from './controller.js';
import type { ControllerRateLimitOptions } from './rateLimiter.js';
import type { ControllerRegistration, InformerRequest, InformerSource } from './types.js';

export interface LeaderElectionOptions {
  /** The Lease, e.g. kube-system/gantry-controller-manager. */
  namespace: string;
  name: string;
  /** Unique per candidate; default hostname + random suffix. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerOptions {
  client: RestClient;
  logger: Logger;
  /** Work-queue delays and resync timers run on it. */
  clock?: TimerClock;
  /** workqueue_*, controller_* metrics; none when absent. */
  registry?: Registry;
  /** Absent: run at once, without election (one instance only; tests). */
  leaderElection?: LeaderElectionOptions;
  /** Re-enqueue every object of each controller's primary informer this often; 0 (default) never. */
  resyncPeriodMs?: number;
  rateLimits?: ControllerRateLimitOptions;
  /** Workers per controller name, overriding the registration's own number. */
  workers?: Record<string, number>;
  /** Informers list in pages of this size; default 500 (client-go's). */
  pageSize?: number;
  /** Leadership was lost (not on stop()): the process should exit so it is restarted. */
  onLostLeadership?: () => void;
}


type Phase = 'new' | 'waiting' | 'syncing' | 'running' | 'stopped';

interface ManagedController {
  controller: Controller;
  /** The first informer the controller asked for: its own kind, re-enqueued on resync. */
  primary: Informer<InformedObject> | undefined;
}

export class Manager implements InformerSource {
  readonly identity: string;
  private readonly clock: TimerClock;
  private readonly logger: Logger;
  private readonly informers = new Map<string, Informer<InformedObject>>();
  private readonly controllers: ManagedController[] = [];
  private readonly elector: LeaderElector | undefined;
  private phase: Phase = 'new';
  private stopping = false;
  private leading = false;
  private resyncTimer: Timer | undefined;
  private stopAbort = new AbortController();
  private runningDone: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | undefined;
  private readonly startedWaiters: (() => void)[] = [];

  constructor(private readonly opts: ManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger;
    this.identity = opts.leaderElection?.identity ?? defaultIdentity();
    const le = opts.leaderElection;
    if (le) {
      this.elector = new LeaderElector({
        client: opts.client,
        namespace: le.namespace,
        name: le.name,
        identity: this.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        logger: opts.logger,
        callbacks: {
          onStartedLeading: () => {
            this.leading = true;
            this.runningDone = this.runControllers();
          },
          onStoppedLeading: () => {
            this.leading = false;
            if (this.stopping) return;
            this.logger.warn('lost leadership; stopping controllers', { identity: this.identity });
            void this.stopControllers().then(() => this.opts.onLostLeadership?.());
          },
        },
      });
    }
  }

  /**
   * The shared informer for `resource` (optionally one namespace and selectors): every caller
   * with the same arguments gets the same Informer. Informers asked for once the manager runs
   * start at once. `indexers` are added to the shared store (the same name with another
   * function throws), so each controller asks for the indexes it reads.
   */
  informer<T extends InformedObject = KubeObject>(resource: ResourceDescriptor, opts: InformerRequest<T> = {}): Informer<T> {
    const path = resourcePath(resource, resource.namespaced ? opts.namespace : undefined);
    const id = JSON.stringify([path, opts.labelSelector ?? '', opts.fieldSelector ?? '']);
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new Informer<InformedObject>({
        client: this.opts.client,
        path,
        labelSelector: opts.labelSelector || undefined,
        fieldSelector: opts.fieldSelector || undefined,
        pageSize: this.opts.pageSize ?? 500,
        logger: this.logger,
      });
      this.informers.set(id, inf);
      if (this.phase === 'syncing' || this.phase === 'running') inf.start();
    }
    const typed = inf as unknown as Informer<T>;
    for (const [name, fn] of Object.entries(opts.indexers ?? {})) typed.store.addIndexer(name, fn);
    return typed;
  }

  /** Adds a controller: its watch() wires handlers now. Only before start(). */
  add(registration: ControllerRegistration): Controller {
    if (this.phase !== 'new') throw new Error(`controller ${registration.name}: add controllers before start()`);
    if (this.controllers.some((c) => c.controller.name === registration.name)) throw new Error(`controller ${registration.name} added twice`);
    const controller = new Controller({
      registration,
      logger: this.logger,
      clock: this.clock,
      registry: this.opts.registry,
      rateLimits: this.opts.rateLimits,
      workers: this.opts.workers?.[registration.name],
    });
    const managed: ManagedController = { controller, primary: undefined };
    const source: InformerSource = {
      informer: <T extends InformedObject = KubeObject>(resource: ResourceDescriptor, o?: InformerRequest<T>): Informer<T> => {
        const inf = this.informer<T>(resource, o);
        managed.primary ??= inf as unknown as Informer<InformedObject>;
        return inf;
      },
    };
    registration.watch(source, controller.enqueue, controller.enqueueAfter);
    this.controllers.push(managed);
    return controller;
  }

  /** Campaigns for the Lease (or, without election, runs at once). Returns at once. */
  start(): void {
    if (this.phase !== 'new') throw new Error('the manager was started already');
    this.phase = 'waiting';
    this.logger.info('controller manager starting', { identity: this.identity, controllers: this.controllers.map((c) => c.controller.name), leaderElection: !!this.elector });
    if (this.elector) void this.elector.run();
    else {
      this.leading = true;
      this.runningDone = this.runControllers();
    }
  }

  /** Resolves once the workers run (we lead and every informer has synced). */
  started(): Promise<void> {
    if (this.phase === 'running') return Promise.resolve();
    return new Promise((resolve) => this.startedWaiters.push(resolve));
  }

  isLeader(): boolean {
    return this.elector ? this.leading && this.elector.isLeader() : this.phase !== 'stopped';
  }

  /** True once every informer has synced (readiness). */
  hasSynced(): boolean {
    return this.phase === 'running';
  }

  controllerNames(): string[] {
    return this.controllers.map((c) => c.controller.name);
  }

  /** Stops workers (reconciles in progress finish), informers, and releases the Lease. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      // Workers first, while we still hold the Lease, then give it up.
      await this.stopControllers();
      await this.elector?.stop();
      await this.runningDone;
    })();
    return this.stopped;
  }

  private async runControllers(): Promise<void> {
    if (this.stopping || this.phase !== 'waiting') return;
    this.phase = 'syncing';
    const informers = [...this.informers.values()];
    for (const inf of informers) inf.start();
    const aborted = new Promise<void>((resolve) => this.stopAbort.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([Promise.all(informers.map((i) => i.waitForSync())), aborted]);
    if (this.stopAbort.signal.aborted || this.phase !== 'syncing') return;
    this.logger.info('caches synced; starting controllers', { informers: informers.length });
    for (const c of this.controllers) c.controller.start();
    this.phase = 'running';
    for (const w of this.startedWaiters.splice(0)) w();
    this.scheduleResync();
  }

  private scheduleResync(): void {
    const period = this.opts.resyncPeriodMs ?? 0;
    if (!(period > 0) || this.phase !== 'running') return;
    this.resyncTimer = this.clock.setTimer(() => {
      this.resyncTimer = undefined;
      if (this.phase !== 'running') return;
      for (const c of this.controllers) {
        if (!c.primary) continue;
        for (const key of c.primary.store.keys()) c.controller.queue.add(key);
      }
      this.scheduleResync();
    }, period);
  }

  private async stopControllers(): Promise<void> {
    if (this.phase === 'stopped') return;
    const wasRunning = this.phase === 'running' || this.phase === 'syncing';
    this.phase = 'stopped';
    this.stopAbort.abort();
    this.resyncTimer?.cancel();
    this.resyncTimer = undefined;
    await Promise.all(this.controllers.map((c) => c.controller.stop()));
    if (wasRunning) await Promise.all([...this.informers.values()].map((i) => i.stop()));
    if (wasRunning) this.logger.info('controllers stopped');
  }
}
