// The scheduling loop. Informer events feed the cache (nodes, bound pods) and the queue
// (pending pods this scheduler is responsible for). Each cycle pops one pod, refreshes the
// snapshot, decides synchronously (filter, score, or preempt), assumes the pod on its node
// and runs the Reserve plugins at once; the binding cycle (PreBind, which may wait for
// volumes to be bound, then the bind) runs in the background while the next pod is
// decided, up to maxInFlightBindings at a time. A failed binding cycle runs Unreserve,
// forgets the assumed pod and retries it with back-off. Users learn of failures through the
// reporter (condition + event).

import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Clock } from '../../common/clock.js';
import { ApiError, ConflictError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { silentLogger } from '../../common/logging.js';
import { SchedulerCache } from '../cache/schedulerCache.js';
import { Snapshot } from '../cache/snapshot.js';
import type { Framework } from '../framework/framework.js';
import type { CycleState } from '../framework/cycleState.js';
import type { Status } from '../framework/status.js';
import type { Binder, ClusterEvent } from '../framework/interfaces.js';
import type { DisruptionBudgetLister } from '../framework/listers.js';
import { makePodInfo, withPod, type PodInfo } from '../framework/podInfo.js';
import type { Node, Pod, PriorityClass } from '../framework/types.js';
import { podKey } from '../framework/types.js';
import type { SchedulerMetrics } from '../metrics.js';
import { SchedulingQueue, type QueuedPodInfo } from '../queue/schedulingQueue.js';
import { BindError } from './apiBinder.js';
import { Preemptor } from './preemption.js';
import { PriorityResolver } from './priority.js';
import type { SchedulingReporter } from './reporter.js';
import { encodeUnschedulableNodes } from './unschedulableNodes.js';
import { ScheduleAlgorithm } from './scheduleAlgorithm.js';

/** Removes a preemption victim (graceful termination; core/apiEvictor.ts asks the eviction API first). */
export interface Evictor {
  evict(pod: Pod): Promise<void>;
}

/** A PreBind plugin failed (its message says which and why). */
class PreBindError extends Error {
  override name = 'PreBindError';
}

export interface SchedulerOptions {
  framework: Framework;
  binder: Binder;
  reporter: SchedulingReporter;
  evictor: Evictor;
  clock: Clock;
  logger?: Logger;
  metrics?: SchedulerMetrics;
  priorities?: PriorityResolver;
  percentageOfNodesToScore?: number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  assumedPodTTLms?: number;
  maxInFlightBindings?: number;
  preemption?: boolean;
  /** PodDisruptionBudgets preemption prefers not to break (default: none). */
  budgets?: DisruptionBudgetLister;
  random?: () => number;
  /** The pod as the informer has it now (undefined: deleted). Failed binds are retried only for pods that still wait. */
  lookupPod?: (key: string) => Pod | undefined;
}

const terminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  for (const k of ka) if (a![k] !== b?.[k]) return false;
  return true;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** What changed about a node that could let unschedulable pods fit. */
export function nodeUpdateEvents(old: Node, cur: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (json(old.status?.allocatable) !== json(cur.status?.allocatable)) out.push('NodeAllocatableChange');
  if (!sameLabels(old.metadata?.labels, cur.metadata?.labels)) out.push('NodeLabelChange');
  if (json(old.spec?.taints) !== json(cur.spec?.taints)) out.push('NodeTaintChange');
  if (old.spec?.unschedulable && !cur.spec?.unschedulable) out.push('NodeSchedulableChange');
  if (json(old.status?.images) !== json(cur.status?.images)) out.push('NodeImagesChange');
  return out;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly snapshot = new Snapshot();
  readonly priorities: PriorityResolver;
  private readonly algorithm: ScheduleAlgorithm;
  private readonly preemptor: Preemptor;
  private readonly logger: Logger;
  private readonly fwk: Framework;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private slotWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** One per binding cycle in flight, by pod key: stop() and the pod's deletion abort what PreBind waits for. */
  private readonly bindingAborts = new Map<string, AbortController>();
  readonly stats = { scheduled: 0, unschedulable: 0, errors: 0, bound: 0, bindFailures: 0, preemptions: 0 };

  constructor(private readonly opts: SchedulerOptions) {
    this.fwk = opts.framework;
    this.logger = (opts.logger ?? silentLogger()).child({ scheduler: opts.framework.schedulerName });
    this.priorities = opts.priorities ?? new PriorityResolver();
    this.cache = new SchedulerCache({ clock: opts.clock, assumedPodTTLms: opts.assumedPodTTLms ?? 30_000, logger: this.logger });
    this.queue = new SchedulingQueue({
      clock: opts.clock,
      initialBackoffMs: opts.podInitialBackoffMs ?? 1_000,
      maxBackoffMs: opts.podMaxBackoffMs ?? 10_000,
      pluginEvents: opts.framework.pluginEvents(),
    });
    this.fwk.setNominator(this.queue.nominator);
    this.algorithm = new ScheduleAlgorithm(this.fwk, { percentageOfNodesToScore: opts.percentageOfNodesToScore ?? 0, ...(opts.random ? { random: opts.random } : {}) });
    this.preemptor = new Preemptor(this.fwk, { ...(opts.random ? { random: opts.random } : {}), ...(opts.budgets ? { budgets: opts.budgets } : {}) });
    this.maxInFlight = opts.maxInFlightBindings ?? 128;
    opts.metrics?.setPendingSource(() => this.queue.pending());
  }

  get schedulerName(): string {
    return this.fwk.schedulerName;
  }

  private parse(pod: Pod): PodInfo {
    return makePodInfo(pod, this.priorities.priorityOf(pod));
  }

  responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName || 'default-scheduler') === this.fwk.schedulerName;
  }

  // ---- informer events ------------------------------------------------------

  onNodeAdd(node: Node): void {
    this.cache.addNode(node);
    this.queue.moveAllToActiveOrBackoffQueue('NodeAdd');
  }

  onNodeUpdate(old: Node, node: Node): void {
    this.cache.updateNode(node);
    for (const ev of nodeUpdateEvents(old, node)) this.queue.moveAllToActiveOrBackoffQueue(ev);
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata?.name ?? '');
  }

  onPodAdd(pod: Pod): void {
    if (terminal(pod)) return;
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      this.addAssigned(pod);
      return;
    }
    if (!this.responsibleFor(pod) || pod.metadata?.deletionTimestamp || this.cache.isAssumedPod(key)) return;
    this.queue.add(this.parse(pod));
  }

  onPodUpdate(old: Pod, pod: Pod): void {
    const key = podKey(pod);
    if (terminal(pod)) {
      this.onPodDelete(old);
      return;
    }
    if (pod.spec?.nodeName) {
      if (!old.spec?.nodeName) {
        this.addAssigned(pod);
        return;
      }
      const known = this.cache.getPod(key);
      const labelsSame = sameLabels(old.metadata?.labels, pod.metadata?.labels);
      this.cache.updatePod(known && labelsSame ? withPod(known.pi, pod) : this.parse(pod));
      if (!labelsSame) this.queue.moveAllToActiveOrBackoffQueue('AssignedPodUpdate');
      return;
    }
    if (!this.responsibleFor(pod) || this.cache.isAssumedPod(key)) return;
    if (pod.metadata?.deletionTimestamp) {
      this.queue.delete(key);
      return;
    }
    this.queue.update(this.parse(pod));
  }

  onPodDelete(pod: Pod): void {
    const key = podKey(pod);
    this.queue.delete(key);
    // A binding cycle still waiting for it (its volumes) has nothing left to wait for.
    this.bindingAborts.get(key)?.abort();
    if (this.cache.getPod(key)) {
      this.cache.removePod(key);
      this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
    }
  }

  private addAssigned(pod: Pod): void {
    const key = podKey(pod);
    this.queue.delete(key);
    const known = this.cache.getPod(key);
    // Confirming our own assumed pod: reuse what was parsed when it was scheduled.
    const pi = known && sameLabels(known.pi.labels, pod.metadata?.labels) ? withPod(known.pi, pod) : this.parse(pod);
    this.cache.addPod(pi);
    this.queue.moveAllToActiveOrBackoffQueue('AssignedPodAdd');
  }

  /** A claim, volume or storage class was added or changed: pods VolumeBinding rejected may fit now. */
  onStorageEvent(event: Extract<ClusterEvent, 'PvcAdd' | 'PvcUpdate' | 'PvAdd' | 'PvUpdate' | 'StorageClassAdd' | 'StorageClassUpdate'>): void {
    this.queue.moveAllToActiveOrBackoffQueue(event);
  }

  onPriorityClassSet(pc: PriorityClass): void {
    this.priorities.set(pc);
  }

  onPriorityClassDelete(pc: PriorityClass): void {
    this.priorities.delete(pc.metadata?.name ?? '');
  }

  // ---- the loop -----------------------------------------------------------------

  /** Starts scheduling (call once the informers have synced). */
  start(): void {
    if (this.running) return;
    this.running = true;
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(1_000, () => this.queue.flushBackoffCompleted());
    every(30_000, () => this.queue.flushUnschedulableLeftover());
    every(1_000, () => {
      for (const key of this.cache.cleanupExpiredAssumedPods()) {
        const pod = this.opts.lookupPod?.(key);
        if (pod && !pod.spec?.nodeName && this.responsibleFor(pod)) this.queue.add(this.parse(pod));
      }
    });
    this.loop = this.runLoop();
  }

  /** Stops deciding; binds already in flight finish (or fail). */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.queue.close();
    await this.loop;
    for (const ac of this.bindingAborts.values()) ac.abort();
    await this.idle();
  }

  private async runLoop(): Promise<void> {
    let lastYield = performance.now();
    while (this.running) {
      const q = await this.queue.pop();
      if (!q) break;
      if (!this.running) {
        this.queue.addUnschedulableIfNotPresent(q, this.queue.schedulingCycle());
        break;
      }
      this.scheduleOne(q);
      if (this.inFlight >= this.maxInFlight) await new Promise<void>((r) => this.slotWaiters.push(r));
      // Decisions are synchronous; let I/O (informer events, bind replies) in now and then.
      if (performance.now() - lastYield > 5) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  }

  /** Tries the next pod in activeQ, synchronously; false when there is none. For tests and benchmarks. */
  scheduleNext(): boolean {
    const q = this.queue.tryPop();
    if (!q) return false;
    this.scheduleOne(q);
    return true;
  }

  /** Resolves when no bind is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private skip(pi: PodInfo): boolean {
    if (pi.terminating) return true;
    // Already placed (assumed by us, or bound and reported by the informer).
    return this.cache.getPod(pi.key) !== undefined;
  }

  scheduleOne(q: QueuedPodInfo): void {
    const pi = q.pi;
    if (this.skip(pi)) return;
    const t0 = performance.now();
    const cycle = this.queue.schedulingCycle();
    this.cache.updateSnapshot(this.snapshot);
    const out = this.algorithm.schedule(pi, this.snapshot);
    const profile = this.fwk.schedulerName;
    if (out.kind === 'scheduled') {
      const assumed = this.cache.assumePod(pi, out.nodeName);
      this.queue.nominator.delete(pi.key);
      const reserved = this.fwk.runReserve(out.state, assumed, out.nodeName);
      if (!reserved.isSuccess()) {
        this.reserveFailed(q, assumed, out.nodeName, out.state, reserved, cycle, t0);
        return;
      }
      this.stats.scheduled++;
      this.opts.metrics?.attempts.inc({ result: 'scheduled', profile });
      this.opts.metrics?.attemptDuration.observe({ result: 'scheduled', profile }, (performance.now() - t0) / 1000);
      this.bind(q, assumed, out.nodeName, cycle, out.state);
      return;
    }
    if (out.kind === 'error') {
      this.stats.errors++;
      this.logger.error('scheduling failed', { pod: pi.key, error: out.error.message });
      this.opts.metrics?.attempts.inc({ result: 'error', profile });
      this.opts.metrics?.attemptDuration.observe({ result: 'error', profile }, (performance.now() - t0) / 1000);
      q.unschedulablePlugins = new Set();
      this.queue.addUnschedulableIfNotPresent(q, cycle);
      this.opts.reporter.unschedulable(pi.pod, out.error.message, 'SchedulerError');
      return;
    }
    const fit = out.error;
    let nominated: string | undefined;
    if (this.opts.preemption !== false && !fit.diagnosis.unschedulablePlugins.has('NoNodesAvailable')) {
      const nominatedBefore = this.queue.nominator.nominatedNode(pi.key) ?? pi.pod.status?.nominatedNodeName;
      const podForEligibility = nominatedBefore ? { ...pi, pod: { ...pi.pod, status: { ...pi.pod.status, nominatedNodeName: nominatedBefore } } } : pi;
      const el = this.preemptor.eligible(podForEligibility, this.priorities.mayPreempt(pi.pod), this.snapshot);
      if (!el.ok) {
        fit.diagnosis.postFilterMsg = el.message;
      } else {
        this.opts.metrics?.preemptionAttempts.inc();
        const r = this.preemptor.preempt(pi, this.snapshot, fit.diagnosis, out.state);
        if (r.candidate) {
          nominated = r.candidate.nodeName;
          this.executePreemption(pi, r.candidate.nodeName, r.candidate.victims);
        } else {
          fit.diagnosis.postFilterMsg = r.message;
        }
      }
    }
    this.stats.unschedulable++;
    this.opts.metrics?.attempts.inc({ result: 'unschedulable', profile });
    this.opts.metrics?.attemptDuration.observe({ result: 'unschedulable', profile }, (performance.now() - t0) / 1000);
    q.unschedulablePlugins = new Set(fit.diagnosis.unschedulablePlugins);
    this.queue.addUnschedulableIfNotPresent(q, cycle);
    const message = fit.message;
    this.logger.debug('pod is unschedulable', { pod: pi.key, message, nominated });
    this.opts.reporter.unschedulable(pi.pod, message, 'Unschedulable', nominated, encodeUnschedulableNodes(fit.diagnosis.nodeToStatus));
  }

  private executePreemption(pi: PodInfo, nodeName: string, victims: PodInfo[]): void {
    this.stats.preemptions++;
    this.opts.metrics?.preemptionVictims.observe(victims.length);
    this.logger.info('preempting', { pod: pi.key, node: nodeName, victims: victims.map((v) => v.key) });
    this.queue.nominator.add(pi, nodeName);
    // Lower-priority pods nominated to this node lose their claim to it.
    for (const other of [...this.queue.nominator.podsForNode(nodeName)]) {
      if (other.key === pi.key || other.priority >= pi.priority) continue;
      this.queue.nominator.delete(other.key);
      this.opts.reporter.clearNomination(other.pod);
    }
    for (const v of victims) {
      this.opts.reporter.preempted(v.pod, pi.pod, nodeName);
      this.opts.evictor.evict(v.pod).catch((e: unknown) => this.logger.warn('eviction failed', { pod: v.key, error: e instanceof Error ? e.message : String(e) }));
    }
  }

  /** A Reserve plugin refused: undo every Reserve, forget the assumed pod, retry with back-off. */
  private reserveFailed(q: QueuedPodInfo, assumed: PodInfo, nodeName: string, state: CycleState, st: Status, cycle: number, t0: number): void {
    const profile = this.fwk.schedulerName;
    this.stats.errors++;
    this.opts.metrics?.attempts.inc({ result: 'error', profile });
    this.opts.metrics?.attemptDuration.observe({ result: 'error', profile }, (performance.now() - t0) / 1000);
    const message = `running Reserve plugin "${st.plugin}": ${st.message()}`;
    this.logger.info('reserve failed', { pod: assumed.key, node: nodeName, error: message });
    this.inFlight++;
    void this.unreserve(state, assumed, nodeName)
      .then(() => {
        this.cache.forgetPod(assumed.key);
        q.unschedulablePlugins = new Set();
        this.queue.addUnschedulableIfNotPresent(q, cycle);
        this.opts.reporter.unschedulable(q.pi.pod, message, 'SchedulerError');
      })
      .finally(() => this.bindingDone());
  }

  private async unreserve(state: CycleState, pod: PodInfo, nodeName: string): Promise<void> {
    if (!this.fwk.hasBindingPlugins()) return;
    for (const e of await this.fwk.runUnreserve(state, pod, nodeName)) this.logger.warn('unreserve failed', { pod: pod.key, node: nodeName, plugin: e.plugin, error: e.error.message });
  }

  private bindingDone(): void {
    this.inFlight--;
    const w = this.slotWaiters.shift();
    if (w) w();
    if (this.inFlight === 0) for (const i of this.idleWaiters.splice(0)) i();
  }

  /** The binding cycle: PreBind (may wait, e.g. for volumes), then the bind; Unreserve on any failure. */
  private bind(q: QueuedPodInfo, assumed: PodInfo, nodeName: string, cycle: number, state: CycleState): void {
    this.inFlight++;
    const key = assumed.key;
    const abort = new AbortController();
    this.bindingAborts.set(key, abort);
    const bindingCycle = async (): Promise<void> => {
      if (this.fwk.hasBindingPlugins()) {
        const st = await this.fwk.runPreBind(state, assumed, nodeName, abort.signal);
        if (!st.isSuccess()) throw new PreBindError(`running PreBind plugin "${st.plugin}": ${st.message()}`);
      }
      await this.opts.binder.bind(assumed.pod, nodeName);
    };
    bindingCycle().then(
      () => {
        this.cache.finishBinding(key);
        this.stats.bound++;
        this.opts.metrics?.bindings.inc({ result: 'ok' });
        if (q.initialAttemptTimestamp !== undefined) {
          this.opts.metrics?.podSchedulingDuration.observe({ attempts: String(Math.min(q.attempts, 15)) }, (this.opts.clock.now() - q.initialAttemptTimestamp) / 1000);
        }
        this.opts.reporter.scheduled(assumed.pod, nodeName);
      },
      async (e: unknown) => {
        // The API server answered (a typed error); not a refusal of our own or a lost connection.
        const refusedByApi = e instanceof ApiError;
        const message = e instanceof Error ? e.message : String(e);
        // Conflict "already assigned": an earlier attempt whose answer we lost (a timeout)
        // landed, or another scheduler won. Settled either way: no retry, no FailedScheduling event.
        const assignedTo = e instanceof ConflictError ? /already assigned to node "([^"]*)"/.exec(message)?.[1] : undefined;
        if (assignedTo === nodeName) {
          this.cache.finishBinding(key);
          this.stats.bound++;
          this.opts.metrics?.bindings.inc({ result: 'ok' });
          return;
        }
        // Undo what Reserve and PreBind did before the pod can be tried again, so the next
        // attempt starts from a clean slate (e.g. no claim still promised to this node).
        await this.unreserve(state, assumed, nodeName);
        this.cache.forgetPod(key);
        this.stats.bindFailures++;
        this.opts.metrics?.bindings.inc({ result: 'error' });
        const preBindFailed = e instanceof PreBindError;
        this.logger.info('binding failed', { pod: key, node: nodeName, reason: e instanceof ApiError ? e.reason : e instanceof BindError ? 'Refused' : preBindFailed ? 'PreBind' : 'Error', error: message });
        if (assignedTo !== undefined) return; // bound elsewhere; the informer will report it
        // Retry only a pod that still waits for us: not one deleted or bound meanwhile.
        const current = this.opts.lookupPod ? this.opts.lookupPod(key) : q.pi.pod;
        if (!current || current.spec?.nodeName || current.metadata?.deletionTimestamp) return;
        q.unschedulablePlugins = new Set();
        this.queue.addUnschedulableIfNotPresent(q, cycle);
        if (refusedByApi) this.opts.reporter.unschedulable(current, `Binding rejected: ${message}`, 'SchedulerError');
        else if (preBindFailed && !abort.signal.aborted) this.opts.reporter.unschedulable(current, message, 'SchedulerError');
      },
    ).finally(() => {
      if (this.bindingAborts.get(key) === abort) this.bindingAborts.delete(key);
      this.bindingDone();
    }).catch((e: unknown) => this.logger.error('binding cycle failed unexpectedly', { pod: key, error: e instanceof Error ? e.message : String(e) }));
  }
}
