// The scheduler as a running component: informers (nodes, non-terminal pods, priority
// classes) feeding the scheduler, Services and ReplicaSets read by PodTopologySpread's
// default constraints, claims, volumes and storage classes read (and claims annotated) by
// VolumeBinding, PodDisruptionBudgets weighed by preemption, leader election on a Lease so
// only one of several schedulers binds, the API-backed binder/reporter/evictor, and the
// metrics server.
// main.ts runs it as a process; integration tests run it in-process.

import type { Clock, TimerClock } from '../common/clock.js';
import { realClock } from '../common/clock.js';
import { ApiClient } from '../common/client/apiClient.js';
import { Informer } from '../common/client/informer.js';
import { defaultIdentity, LeaderElector } from '../common/client/leaderElection.js';
import type { RestClient } from '../common/client/restClient.js';
import { ApiEventRecorder } from '../common/events/recorder.js';
import type { Logger } from '../common/logging.js';
import { buildFramework, resolveProfile } from './config/profile.js';
import type { SchedulerConfig } from './config/schedulerConfig.js';
import { ApiBinder, LeaderFencedBinder } from './core/apiBinder.js';
import { ApiEvictor } from './core/apiEvictor.js';
import { ApiVolumeBinder } from './core/apiVolumeBinder.js';
import { budgetInformer, storeBudgets } from './cache/budgetListers.js';
import { addStorageEventHandlers, storeVolumes, volumeInformers } from './cache/volumeListers.js';
import { ApiReporter } from './core/reporter.js';
import { Scheduler } from './core/scheduler.js';
import type { Binder } from './framework/interfaces.js';
import type { Node, Pod, PriorityClass, ReplicaSet, Service } from './framework/types.js';
import { serviceByNamespace, serviceNamespaceIndex, storeWorkloads } from './cache/workloadListers.js';
import { SchedulerMetrics } from './metrics.js';
import { startMetricsServer, type MetricsServer } from '../common/metricsServer.js';

export interface SchedulerAppOptions {
  config: SchedulerConfig;
  client: RestClient;
  logger: Logger;
  clock?: Clock;
  /** Called when leadership is lost (not on stop()): main exits so a restart campaigns afresh. */
  onLostLeadership?: () => void;
  /** Serve /metrics (default true; port from config, 0 = any). */
  serveMetrics?: boolean;
  /** Process metrics (CPU, memory, event loop) in /metrics. Default false. */
  defaultMetrics?: boolean;
}

export interface SchedulerApp {
  scheduler: Scheduler;
  elector: LeaderElector | undefined;
  identity: string;
  metrics: SchedulerMetrics;
  metricsServer: MetricsServer | undefined;
  events: ApiEventRecorder;
  reporter: ApiReporter;
  /** Resolves once nodes, pods, priority classes, Services, ReplicaSets, claims, volumes, classes and disruption budgets have been listed. */
  synced: Promise<void>;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startSchedulerApp(opts: SchedulerAppOptions): Promise<SchedulerApp> {
  const cfg = opts.config;
  const clock = opts.clock ?? realClock;
  const logger = opts.logger;
  const client = opts.client;
  const identity = cfg.identity || defaultIdentity();
  const metrics = new SchedulerMetrics({ defaultMetrics: opts.defaultMetrics ?? false });
  // The typed client for writes. No client-side QPS limit, as before: the binder's in-flight
  // cap, the reporter's coalescing and the recorder's queue bound what the scheduler sends.
  const api = new ApiClient({ client, qps: 0 });
  const events = new ApiEventRecorder({ api, component: cfg.schedulerName, instance: identity, clock, action: 'Scheduling', logger, onResult: (result) => metrics.events.inc({ result }) });
  const reporter = new ApiReporter({ api, events, clock, logger, scheduledEvents: cfg.scheduledEvents });

  let stopping = false;
  let elector: LeaderElector | undefined;
  let leading = false;
  const informers = {
    nodes: new Informer<Node>({ client, path: '/api/v1/nodes', logger }),
    pods: new Informer<Pod>({ client, path: '/api/v1/pods', fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', logger }),
    priorityClasses: new Informer<PriorityClass>({ client, path: '/apis/scheduling.k8s.io/v1/priorityclasses', logger }),
    services: new Informer<Service>({ client, path: '/api/v1/services', logger, indexers: { [serviceNamespaceIndex]: serviceByNamespace } }),
    replicaSets: new Informer<ReplicaSet>({ client, path: '/apis/apps/v1/replicasets', logger }),
    ...volumeInformers(client, logger),
    budgets: budgetInformer(client, logger),
  };
  const framework = buildFramework(cfg.schedulerName, resolveProfile(cfg.plugins), cfg.pluginConfig, {
    workloads: storeWorkloads(informers.services.store, informers.replicaSets.store),
    volumes: storeVolumes(informers),
    volumeBinder: new ApiVolumeBinder(api, () => !cfg.leaderElect || elector?.isLeader() === true),
    clock: 'setTimer' in clock ? (clock as TimerClock) : realClock,
  });
  const synced = Promise.all(Object.values(informers).map((i) => i.waitForSync())).then(() => undefined);

  const apiBinder = new ApiBinder(api);
  const binder: Binder = cfg.leaderElect ? new LeaderFencedBinder(apiBinder, () => elector?.isLeader() === true) : apiBinder;
  const s = new Scheduler({
    framework,
    binder,
    reporter,
    evictor: new ApiEvictor(api, clock, cfg.schedulerName, logger),
    clock,
    logger,
    metrics,
    percentageOfNodesToScore: cfg.percentageOfNodesToScore,
    podInitialBackoffMs: cfg.podInitialBackoffSeconds * 1000,
    podMaxBackoffMs: cfg.podMaxBackoffSeconds * 1000,
    assumedPodTTLms: cfg.assumedPodTTLSeconds * 1000,
    maxInFlightBindings: cfg.maxInFlightBindings,
    preemption: cfg.preemption,
    budgets: storeBudgets(informers.budgets),
    lookupPod: (key) => informers.pods.store.get(key),
  });
  addStorageEventHandlers(informers, (e) => s.onStorageEvent(e));

  const startScheduling = async (): Promise<void> => {
    await synced;
    if (stopping || (cfg.leaderElect && !leading)) return;
    logger.info('scheduling', { identity, nodes: s.cache.nodeCount(), pending: s.queue.pending() });
    s.start();
  };

  if (cfg.leaderElect) {
    elector = new LeaderElector({
      client,
      namespace: cfg.leaseNamespace,
      name: cfg.leaseName,
      identity,
      leaseDurationMs: cfg.leaseDurationSeconds * 1000,
      renewDeadlineMs: cfg.renewDeadlineSeconds * 1000,
      retryPeriodMs: cfg.retryPeriodSeconds * 1000,
      clock,
      logger,
      callbacks: {
        onStartedLeading: () => {
          leading = true;
          metrics.leader.set({ name: cfg.leaseName }, 1);
          void startScheduling();
        },
        onStoppedLeading: () => {
          leading = false;
          metrics.leader.set({ name: cfg.leaseName }, 0);
          void s.stop();
          if (!stopping) {
            logger.warn('lost leadership; scheduling stopped');
            opts.onLostLeadership?.();
          }
        },
      },
    });
  }
  informers.nodes.addEventHandler({ onAdd: (n) => s.onNodeAdd(n), onUpdate: (o, n) => s.onNodeUpdate(o, n), onDelete: (n) => s.onNodeDelete(n) });
  informers.pods.addEventHandler({ onAdd: (p) => s.onPodAdd(p), onUpdate: (o, p) => s.onPodUpdate(o, p), onDelete: (p) => s.onPodDelete(p) });
  informers.priorityClasses.addEventHandler({ onAdd: (c) => s.onPriorityClassSet(c), onUpdate: (_o, c) => s.onPriorityClassSet(c), onDelete: (c) => s.onPriorityClassDelete(c) });
  // Priority classes first, so pods are parsed with their priorities.
  informers.priorityClasses.start();
  informers.services.start();
  informers.replicaSets.start();
  informers.classes.start();
  informers.volumes.start();
  informers.claims.start();
  informers.budgets.start();
  informers.nodes.start();
  informers.pods.start();

  let metricsServer: MetricsServer | undefined;
  if (opts.serveMetrics !== false) {
    metricsServer = await startMetricsServer({ host: cfg.metricsHost, port: cfg.metricsPort, registry: metrics.registry, ready: () => Object.values(informers).every((i) => i.hasSynced()) });
    logger.info('serving metrics', { url: `${metricsServer.url}/metrics` });
  }

  if (elector) void elector.run();
  else void startScheduling();

  return {
    scheduler: s,
    elector,
    identity,
    metrics,
    metricsServer,
    events,
    reporter,
    synced,
    isLeader: () => (elector ? elector.isLeader() : true),
    stop: async () => {
      stopping = true;
      if (elector) await elector.stop();
      await s.stop();
      await Promise.all(Object.values(informers).map((i) => i.stop()));
      await Promise.race([Promise.all([events.flush(), reporter.flush()]), new Promise((r) => setTimeout(r, 2_000).unref())]);
      await metricsServer?.close();
    },
  };
}
