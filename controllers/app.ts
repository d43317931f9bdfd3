// The controller manager as a running component: one API client (QPS-limited, its writes
// fenced by leadership), the enabled controllers built from the registry, the Manager
// (shared informers, leader election on the Lease, cache sync before workers, resync), one
// event recorder per controller, and /metrics, /healthz, /readyz. main.ts runs it as a
// process; integration tests run it in-process.

import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Api } from '../common/client/api.js';
import { ApiClient } from '../common/client/apiClient.js';
import { defaultIdentity } from '../common/client/leaderElection.js';
import type { RestClient } from '../common/client/restClient.js';
import { realClock, type TimerClock } from '../common/clock.js';
import { fencedApi } from '../common/controller/fencedApi.js';
import { Manager } from '../common/controller/manager.js';
import { ApiEventRecorder } from '../common/events/recorder.js';
import type { Logger } from '../common/logging.js';
import { startMetricsServer, type MetricsServer } from '../common/metricsServer.js';
import type { ControllerManagerConfig } from './config.js';
import type { ControllerFactory } from './context.js';
import { controllerRegistry, enabledControllers } from './registry.js';

export interface ControllerManagerAppOptions {
  config: ControllerManagerConfig;
  client: RestClient;
  logger: Logger;
  clock?: TimerClock;
  /** Default: every registered controller (tests pass a subset or extra ones). */
  registry?: Readonly<Record<string, ControllerFactory>>;
  /** Wraps the API client the controllers use (tests count or fail requests). */
  wrapApi?: (api: Api) => Api;
  /** Called when leadership is lost (not on stop()): main exits so a restart campaigns afresh. */
  onLostLeadership?: () => void;
  /** Process metrics (CPU, memory, event loop) in /metrics. Default false. */
  defaultMetrics?: boolean;
}

export interface ControllerManagerApp {
  manager: Manager;
  identity: string;
  /** The controllers that run, by name. */
  controllers: string[];
  metricsServer: MetricsServer | undefined;
  /** Resolves once this process leads and every informer has synced. */
  started(): Promise<void>;
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** Builds the enabled controllers and starts campaigning; throws on a bad configuration before anything runs. */
export async function startControllerManager(opts: ControllerManagerAppOptions): Promise<ControllerManagerApp> {
  const cfg = opts.config;
  const clock = opts.clock ?? realClock;
  const logger = opts.logger;
  const registry = opts.registry ?? controllerRegistry;
  const names = enabledControllers(cfg.controllers, registry);
  const identity = cfg.identity || defaultIdentity();
  const metrics = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: metrics });

  const manager = new Manager({
    client: opts.client,
    logger,
    clock,
    registry: metrics,
    ...(cfg.leaderElect
      ? {
          leaderElection: {
            namespace: cfg.leaseNamespace,
            name: cfg.leaseName,
            identity,
            leaseDurationMs: cfg.leaseDurationSeconds * 1000,
            renewDeadlineMs: cfg.renewDeadlineSeconds * 1000,
            retryPeriodMs: cfg.retryPeriodSeconds * 1000,
          },
        }
      : {}),
    resyncPeriodMs: cfg.resyncPeriodSeconds * 1000,
    ...(opts.onLostLeadership ? { onLostLeadership: opts.onLostLeadership } : {}),
  });
  const rawApi: Api = new ApiClient({ client: opts.client, qps: cfg.kubeApiQps, burst: cfg.kubeApiBurst, clock });
  // A deposed leader's reconciles still in flight must not write.
  const api = fencedApi(opts.wrapApi ? opts.wrapApi(rawApi) : rawApi, () => manager.isLeader());
  // Events go out unfenced: a recorder's queue may drain after leadership moved, and an
  // Event about what we did is still true.
  const recorders: ApiEventRecorder[] = [];
  const recorder = (component: string): ApiEventRecorder => {
    const r = new ApiEventRecorder({ api: rawApi, component, instance: identity, clock, logger });
    recorders.push(r);
    return r;
  };
  for (const name of names) {
    let registration;
    try {
      registration = registry[name]!({ api, recorder, logger, clock, options: cfg.controllerOptions[name] ?? {} });
    } catch (e) {
      throw new Error(`controller ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    manager.add(registration);
  }
  const unknownOptions = Object.keys(cfg.controllerOptions).filter((n) => !(n in registry));
  if (unknownOptions.length) logger.warn('controllerOptions name controllers that are not registered', { controllers: unknownOptions });

  let metricsServer: MetricsServer | undefined;
  if (cfg.metricsPort >= 0) {
    metricsServer = await startMetricsServer({ host: cfg.metricsHost, port: cfg.metricsPort, registry: metrics, ready: () => manager.hasSynced() || !manager.isLeader() });
    logger.info('serving metrics', { url: `${metricsServer.url}/metrics` });
  }
  manager.start();

  return {
    manager,
    identity,
    controllers: names,
    metricsServer,
    started: () => manager.started(),
    isLeader: () => manager.isLeader(),
    stop: async () => {
      await manager.stop();
      await Promise.race([Promise.all(recorders.map((r) => r.flush())), new Promise((r) => setTimeout(r, 2_000).unref())]);
      await metricsServer?.close();
    },
  };
}
