// The node agent: joins the cluster (Node, Lease, status), and keeps the runtime equal to the
// pods bound to this node. Pod events, runtime changes (relist), probe flips and back-off
// timers all end in the same place: a sync of one pod by its worker. Housekeeping finds what
// the runtime holds for pods the API no longer binds here, and removes it — only after the
// first full list of pods, so a restarted agent never kills a pod it simply has not seen yet.

import type { TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import type { ImageService, RuntimeService } from '../cri/services.js';
import { RestartBackoff } from '../../common/backoff.js';
import type { EndpointDrain } from './endpointDrain.js';
import type { EventSink, NodeEventSink } from './events.js';
import { reportHostLimits } from './hostLimits.js';
import type { NodeLifecycle } from './nodeLifecycle.js';
import { ProbeManager } from './probes/probeManager.js';
import type { NodePodSource } from './podSource.js';
import { PodSyncer, type PodApi } from './podSync.js';
import { PodWorkers } from './podWorkers.js';
import { RuntimeRelister, runtimePodUids } from './runtimePods.js';
import type { PodTranslator } from './translator.js';

export interface NodeAgentOptions {
  nodeName: string;
  hostIP: string;
  runtime: RuntimeService;
  images: ImageService;
  pods: NodePodSource;
  api: PodApi;
  translator: PodTranslator;
  events: EventSink;
  lifecycle: NodeLifecycle;
  backoffInitialMs: number;
  backoffMaxMs: number;
  relistMs: number;
  /** How often every pod is synced even without a change (volumes refresh, missed events). */
  resyncMs?: number;
  /** What the host does not allow (reported once at start, see hostLimits.ts). */
  hostLimits?: { oomScoreAdjFloor?: number };
  /** Where events about the Node go. */
  nodeEvents?: NodeEventSink;
  /** Takes terminating pods out of the Services before SIGTERM (the service proxy's); default: none. */
  endpointDrain?: EndpointDrain;
  clock: TimerClock;
  logger: Logger;
}

export class NodeAgent {
  readonly workers: PodWorkers;
  readonly probes: ProbeManager;
  private readonly relister: RuntimeRelister;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(private readonly o: NodeAgentOptions) {
    const logger = o.logger;
    this.probes = new ProbeManager(o.runtime, (uid) => this.workers.enqueue(uid), logger.child({ subsystem: 'prober' }));
    const syncer = new PodSyncer({
      nodeName: o.nodeName,
      hostIP: o.hostIP,
      runtime: o.runtime,
      images: o.images,
      api: o.api,
      translator: o.translator,
      probes: this.probes,
      events: o.events,
      backoff: new RestartBackoff({ initialMs: o.backoffInitialMs, maxMs: o.backoffMaxMs }, o.clock),
      ...(o.endpointDrain ? { drain: o.endpointDrain } : {}),
      clock: o.clock,
      logger: logger.child({ subsystem: 'podsync' }),
    });
    this.workers = new PodWorkers((uid) => syncer.sync(uid), logger.child({ subsystem: 'workers' }), o.clock);
    this.relister = new RuntimeRelister(o.runtime, o.relistMs, (uid) => this.workers.enqueue(uid), logger.child({ subsystem: 'relist' }));
  }

  async start(): Promise<void> {
    await this.o.lifecycle.register();
    if (this.stopped) return;
    // Once the Node exists, so its events have an object to belong to.
    reportHostLimits(this.o.hostLimits ?? {}, this.o.nodeEvents, this.o.logger);
    this.o.lifecycle.start();
    this.o.pods.subscribe((uid) => this.workers.enqueue(uid));
    await this.o.pods.waitForSync();
    if (this.stopped) return;
    // Pods listed before the subscription above: sync each once now rather than at the next resync.
    for (const uid of this.o.pods.uids()) this.workers.enqueue(uid);
    this.o.logger.info('pods bound to this node listed', { pods: this.o.pods.uids().length });
    await this.housekeeping();
    await this.relister.relist();
    if (this.stopped) return;
    this.relister.start();
    this.timers.push(setInterval(() => void this.housekeeping(), 10_000));
    const resync = this.o.resyncMs ?? 60_000;
    this.timers.push(setInterval(() => this.o.pods.uids().forEach((uid) => this.workers.enqueue(uid)), resync));
  }

  /** Syncs every pod the runtime holds that the API does not (or no longer) bind here. */
  private async housekeeping(): Promise<void> {
    try {
      const known = new Set(this.o.pods.uids());
      for (const uid of await runtimePodUids(this.o.runtime)) if (!known.has(uid)) this.workers.enqueue(uid);
    } catch (e) {
      this.o.logger.warn('housekeeping failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.relister.stop();
    this.o.lifecycle.stop();
    this.probes.stopAll();
    await this.workers.stop();
  }
}
