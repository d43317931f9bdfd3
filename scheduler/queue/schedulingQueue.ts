// Pending pods in three places, as kube-scheduler keeps them:
// - activeQ: ready to be tried, highest priority first, then first come first served;
// - backoffQ: failed recently and waiting out a back-off (1 s doubling per attempt, to 10 s);
// - unschedulable: rejected by plugins; they wait until a cluster event that could change a
//   rejecting plugin's mind (a node added or freed, a pod deleted, ...) or, at the latest,
//   maxInUnschedulableMs, then move to backoffQ or activeQ.
// Time comes from an injected clock; flushBackoffCompleted() and flushUnschedulableLeftover()
// are called by timers in the scheduler and directly by tests.

import type { Clock } from '../../common/clock.js';
import type { ClusterEvent } from '../framework/interfaces.js';
import type { PodInfo } from '../framework/podInfo.js';
import { KeyedHeap } from './heap.js';
import { Nominator } from './nominator.js';
import { schedulerUnschedulableNodesAnnotation as unschedulableNodesAnnotation } from '../../common/api/schedulerAnnotations.js';

export interface QueuedPodInfo {
  pi: PodInfo;
  /** When it last entered the queue (orders equal priorities; starts the back-off). */
  timestamp: number;
  /** Ties on priority and timestamp: first added first. */
  seq: number;
  /** How many times it has been popped for scheduling. */
  attempts: number;
  /** When it was first popped (for the end-to-end scheduling latency). */
  initialAttemptTimestamp: number | undefined;
  /** Plugins that rejected it in the last attempt; empty after an error. */
  unschedulablePlugins: Set<string>;
}

export interface SchedulingQueueOptions {
  clock: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried at least this often. Default 5 min. */
  maxInUnschedulableMs?: number;
  /** Plugin name -> the events that may make a pod it rejected schedulable. */
  pluginEvents?: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
}

export interface PendingCounts {
  active: number;
  backoff: number;
  unschedulable: number;
}

/** Fields whose change may make an unschedulable pod schedulable (status and version excluded). */
function schedulingRelevant(pi: PodInfo): string {
  const m = pi.pod.metadata ?? {};
  // The scheduler's own verdict annotation is an outcome of an attempt, not a reason for another.
  const { [unschedulableNodesAnnotation]: _verdict, ...annotations } = m.annotations ?? {};
  return JSON.stringify([m.labels, annotations, pi.pod.spec]);
}

export class SchedulingQueue {
  readonly nominator = new Nominator();
  private readonly clock: Clock;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private readonly pluginEvents: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
  private readonly active: KeyedHeap<QueuedPodInfo>;
  private readonly backoff: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private seq = 0;
  private cycle = 0;
  /** The cycle during which the last move event happened. */
  private moveRequestCycle = -1;
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;

  constructor(opts: SchedulingQueueOptions) {
    this.clock = opts.clock;
    this.initialBackoff = opts.initialBackoffMs ?? 1_000;
    this.maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulable = opts.maxInUnschedulableMs ?? 5 * 60_000;
    this.pluginEvents = opts.pluginEvents ?? new Map();
    const key = (q: QueuedPodInfo): string => q.pi.key;
    this.active = new KeyedHeap(key, (a, b) => {
      if (a.pi.priority !== b.pi.priority) return a.pi.priority > b.pi.priority;
      if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
      return a.seq < b.seq;
    });
    this.backoff = new KeyedHeap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** The back-off after `attempts` failures: initial × 2^(attempts-1), capped. */
  backoffDuration(attempts: number): number {
    if (attempts <= 0) return 0;
    let d = this.initialBackoff;
    for (let i = 1; i < attempts && d < this.maxBackoff; i++) d *= 2;
    return Math.min(d, this.maxBackoff);
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q.attempts);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return this.backoffExpiry(q) > this.clock.now();
  }

  private newQueued(pi: PodInfo): QueuedPodInfo {
    return { pi, timestamp: this.clock.now(), seq: ++this.seq, attempts: 0, initialAttemptTimestamp: undefined, unschedulablePlugins: new Set() };
  }

  private pushActive(q: QueuedPodInfo): void {
    // Someone waits only while activeQ is empty, so `q` is the one to hand over.
    const w = this.waiters.shift();
    if (w) w(this.take(q));
    else this.active.addOrUpdate(q);
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key);
  }

  /** A new pending pod. */
  add(pi: PodInfo): void {
    if (this.closed) return;
    if (this.has(pi.key)) {
      this.update(pi);
      return;
    }
    this.nominator.add(pi);
    this.pushActive(this.newQueued(pi));
  }

  /** A pending pod changed. A pod that is in no queue (e.g. between attempts) is added. */
  update(pi: PodInfo): void {
    if (this.closed) return;
    this.nominator.update(pi);
    const inActive = this.active.get(pi.key);
    if (inActive) {
      this.active.addOrUpdate({ ...inActive, pi });
      return;
    }
    const inBackoff = this.backoff.get(pi.key);
    if (inBackoff) {
      this.backoff.addOrUpdate({ ...inBackoff, pi });
      return;
    }
    const parked = this.unschedulable.get(pi.key);
    if (parked) {
      const q = { ...parked, pi };
      if (schedulingRelevant(parked.pi) === schedulingRelevant(pi)) {
        this.unschedulable.set(pi.key, q);
        return;
      }
      // Its spec or labels changed: worth another try.
      this.unschedulable.delete(pi.key);
      if (this.isBackingOff(q)) this.backoff.addOrUpdate(q);
      else this.pushActive(q);
      return;
    }
    this.pushActive(this.newQueued(pi));
  }

  delete(key: string): void {
    this.nominator.delete(key);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  private take(q: QueuedPodInfo): QueuedPodInfo {
    q.attempts++;
    q.initialAttemptTimestamp ??= this.clock.now();
    this.cycle++;
    return q;
  }

  /** The next pod to schedule, without waiting; undefined when activeQ is empty. */
  tryPop(): QueuedPodInfo | undefined {
    const q = this.active.pop();
    return q ? this.take(q) : undefined;
  }

  /** The next pod to schedule; waits for one. Resolves undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    const q = this.tryPop();
    if (q || this.closed) return Promise.resolve(q);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The number of pops so far: the scheduling cycle the last popped pod belongs to. */
  schedulingCycle(): number {
    return this.cycle;
  }

  /**
   * After a failed attempt: park the pod as unschedulable — unless a move event happened
   * while it was being scheduled (it might fit now), or it failed by error, in which case
   * it goes to back-off.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number): void {
    if (this.closed || this.has(q.pi.key)) return;
    q.timestamp = this.clock.now();
    if (this.moveRequestCycle >= podSchedulingCycle || q.unschedulablePlugins.size === 0) {
      this.backoff.addOrUpdate(q);
      return;
    }
    this.unschedulable.set(q.pi.key, q);
  }

  /** Moves back-off pods whose time is up to activeQ. */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (;;) {
      const top = this.backoff.peek();
      if (!top || this.backoffExpiry(top) > now) return;
      this.backoff.pop();
      this.pushActive(top);
    }
  }

  /** Retries pods that have waited in unschedulable for longer than maxInUnschedulableMs. */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    const due = [...this.unschedulable.values()].filter((q) => now - q.timestamp > this.maxInUnschedulable);
    this.movePods(due);
  }

  private interested(q: QueuedPodInfo, event: ClusterEvent): boolean {
    if (q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) if (this.pluginEvents.get(p)?.has(event) ?? true) return true;
    return false;
  }

  /** A cluster event: every unschedulable pod it might help moves to backoffQ or activeQ. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, only?: (pi: PodInfo) => boolean): void {
    const picked: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) if (this.interested(q, event) && (!only || only(q.pi))) picked.push(q);
    this.movePods(picked);
    this.moveRequestCycle = this.cycle;
  }

  private movePods(list: QueuedPodInfo[]): void {
    for (const q of list) {
      this.unschedulable.delete(q.pi.key);
      if (this.isBackingOff(q)) this.backoff.addOrUpdate(q);
      else this.pushActive(q);
    }
  }

  pending(): PendingCounts {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** Pods the queue holds (all three places), for tests and debugging. */
  pendingPods(): { key: string; where: keyof PendingCounts }[] {
    return [
      ...this.active.values().map((q) => ({ key: q.pi.key, where: 'active' as const })),
      ...this.backoff.values().map((q) => ({ key: q.pi.key, where: 'backoff' as const })),
      ...[...this.unschedulable.values()].map((q) => ({ key: q.pi.key, where: 'unschedulable' as const })),
    ];
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }
}
