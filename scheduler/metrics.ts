// The scheduler's Prometheus metrics (prom-client, one registry per scheduler so several
// can live in one test process). Names follow kube-scheduler's where they exist.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PendingCounts } from './queue/schedulingQueue.js';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly attempts: Counter<'result' | 'profile'>;
  readonly attemptDuration: Histogram<'result' | 'profile'>;
  readonly podSchedulingDuration: Histogram<'attempts'>;
  readonly pendingPods: Gauge<'queue'>;
  readonly preemptionAttempts: Counter;
  readonly preemptionVictims: Histogram;
  readonly bindings: Counter<'result'>;
  readonly leader: Gauge<'name'>;
  readonly events: Counter<'result'>;
  private pending: () => PendingCounts = () => ({ active: 0, backoff: 0, unschedulable: 0 });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.attempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. "unschedulable" means a pod could not be scheduled, while "error" means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding decision, not the bind call).',
      labelNames: ['result', 'profile'],
      buckets: [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.podSchedulingDuration = new Histogram({
      name: 'scheduler_pod_scheduling_duration_seconds',
      help: 'E2e latency for a pod being scheduled, from its first attempt to its binding, by the number of attempts.',
      labelNames: ['attempts'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers,
    });
    this.pendingPods = new Gauge({
      name: 'scheduler_pending_pods',
      help: 'Number of pending pods, by the queue type: active, backoff or unschedulable.',
      labelNames: ['queue'],
      registers,
      collect: () => {
        const c = this.pending();
        this.pendingPods.set({ queue: 'active' }, c.active);
        this.pendingPods.set({ queue: 'backoff' }, c.backoff);
        this.pendingPods.set({ queue: 'unschedulable' }, c.unschedulable);
      },
    });
    this.preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now.', registers });
    this.preemptionVictims = new Histogram({ name: 'scheduler_preemption_victims', help: 'Number of selected preemption victims.', buckets: [1, 2, 4, 8, 16, 32, 64], registers });
    this.bindings = new Counter({ name: 'scheduler_bindings_total', help: 'Bind calls, by result.', labelNames: ['result'], registers });
    this.leader = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', labelNames: ['name'], registers });
    this.events = new Counter({ name: 'scheduler_events_total', help: 'Events recorded, by result: written, dropped (queue full, as client-go drops) or failed.', labelNames: ['result'], registers });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where scheduler_pending_pods reads its values at scrape time. */
  setPendingSource(fn: () => PendingCounts): void {
    this.pending = fn;
  }
}
