// The work queues' Prometheus metrics, client-go's names, one set per registry labelled by
// queue name: every controller's queue in a process reports into the process's registry, and
// tests inject their own registry so they never collide.

import { Counter, Gauge, Histogram, exponentialBuckets, type Registry } from 'prom-client';

/** What a queue reports about itself when metrics are collected. */
export interface QueueProbe {
  name: string;
  /** Seconds of work in flight (sum over processing keys) and the longest single one. */
  inFlightSeconds(): { total: number; longest: number };
}

export class WorkQueueMetrics {
  readonly depth: Gauge<'name'>;
  readonly adds: Counter<'name'>;
  readonly queueDuration: Histogram<'name'>;
  readonly workDuration: Histogram<'name'>;
  readonly retries: Counter<'name'>;
  readonly unfinishedWork: Gauge<'name'>;
  readonly longestRunning: Gauge<'name'>;
  private readonly probes = new Set<QueueProbe>();

  constructor(registry: Registry) {
    const registers = [registry];
    // 1 ms to ~17 min: the clock has millisecond resolution.
    const buckets = exponentialBuckets(0.001, 4, 11);
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of the work queue.', labelNames: ['name'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Adds handled by the work queue.', labelNames: ['name'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long a key waits in the queue before it is worked on.', labelNames: ['name'], buckets, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long working on a key takes.', labelNames: ['name'], buckets, registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Rate-limited re-adds (retries) handled by the work queue.', labelNames: ['name'], registers });
    const probes = this.probes;
    this.unfinishedWork = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'Seconds of work in progress not yet observed by work_duration; a large value means stuck workers.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const p of probes) this.set({ name: p.name }, p.inFlightSeconds().total);
      },
    });
    this.longestRunning = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'Seconds the longest-running worker of the queue has been working on its key.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const p of probes) this.set({ name: p.name }, p.inFlightSeconds().longest);
      },
    });
  }

  /** Reports `probe`'s in-flight work until the returned function is called. */
  track(probe: QueueProbe): () => void {
    this.probes.add(probe);
    return () => {
      this.probes.delete(probe);
    };
  }
}

const perRegistry = new WeakMap<Registry, WorkQueueMetrics>();

/** The queue metrics of `registry`, created on first use (a metric name registers once). */
export function workQueueMetrics(registry: Registry): WorkQueueMetrics {
  let m = perRegistry.get(registry);
  if (!m) perRegistry.set(registry, (m = new WorkQueueMetrics(registry)));
  return m;
}

export type ReconcileResultLabel = 'success' | 'requeue_after' | 'error' | 'terminal_error';

/** Reconcile outcomes per controller (controller-runtime's controller_runtime_reconcile_total). */
export class ControllerMetrics {
  readonly reconciles: Counter<'controller' | 'result'>;
  readonly activeWorkers: Gauge<'controller'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.reconciles = new Counter({ name: 'controller_reconcile_total', help: 'Reconciles by controller and result.', labelNames: ['controller', 'result'], registers });
    this.activeWorkers = new Gauge({ name: 'controller_active_workers', help: 'Workers reconciling right now.', labelNames: ['controller'], registers });
  }
}

const controllerPerRegistry = new WeakMap<Registry, ControllerMetrics>();

export function controllerMetrics(registry: Registry): ControllerMetrics {
  let m = controllerPerRegistry.get(registry);
  if (!m) controllerPerRegistry.set(registry, (m = new ControllerMetrics(registry)));
  return m;
}
