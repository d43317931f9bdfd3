// client-go's rate-limiting work queue (workqueue.TypedRateLimitingInterface):
// - dirty set: a key waits at most once, however often it is added;
// - processing set: a key handed to a worker is not handed to another until done(); a key
//   added meanwhile is held back and queued again by done(), so one key is never worked on
//   by two workers at once and the newest state is always looked at after the current pass;
// - delays: addAfter() holds a key on a timer of the injected clock (the earliest pending
//   time per key wins); addRateLimited() asks the rate limiter how long;
// - shutDown(): no more adds; get() hands out what is queued, then undefined.

import type { Registry } from 'prom-client';
import { realClock, type Timer, type TimerClock } from '../clock.js';
import { workQueueMetrics, type WorkQueueMetrics } from './metrics.js';
import { controllerRateLimiter, type ControllerRateLimitOptions, type RateLimiter } from './rateLimiter.js';
import type { WorkQueue } from './types.js';

export interface WorkQueueOptions<K> {
  /** Names the queue in metrics (label `name`) and logs. */
  name: string;
  clock?: TimerClock;
  /** Default: controllerRateLimiter(clock, rateLimits). */
  rateLimiter?: RateLimiter<K>;
  /** The default limiter's numbers (5 ms → 1000 s per key, 10/s burst 100 overall). */
  rateLimits?: ControllerRateLimitOptions;
  /** Where the workqueue_* metrics go; none when absent. */
  registry?: Registry;
}

/** A FIFO with O(1) shift. */
class Fifo<K> {
  private items: K[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(k: K): void {
    this.items.push(k);
  }
  shift(): K | undefined {
    if (this.head >= this.items.length) return undefined;
    const k = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return k;
  }
}

interface Delayed<K> {
  key: K;
  at: number;
}

/** A min-heap of delayed keys by due time; stale entries are skipped, not removed. */
class DelayHeap<K> {
  private readonly a: Delayed<K>[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Delayed<K> | undefined {
    return this.a[0];
  }
  push(d: Delayed<K>): void {
    const a = this.a;
    a.push(d);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p].at <= a[i].at) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): Delayed<K> | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].at < a[m].at) m = l;
        if (r < a.length && a[r].at < a[m].at) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  clear(): void {
    this.a.length = 0;
  }
}

export class RateLimitingQueue<K> implements WorkQueue<K> {
  readonly name: string;
  private readonly clock: TimerClock;
  private readonly limiter: RateLimiter<K>;
  private readonly metrics: WorkQueueMetrics | undefined;
  private readonly untrack: (() => void) | undefined;

  private readonly queue = new Fifo<K>();
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** When a dirty key was first added (queue latency), and when a worker took it (work time). */
  private readonly addedAt = new Map<K, number>();
  private readonly startedAt = new Map<K, number>();
  private waiters: ((k: K | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  /** Delayed adds: the earliest due time per key, a heap of them and one timer for the first. */
  private readonly waitingUntil = new Map<K, number>();
  private readonly delays = new DelayHeap<K>();
  private timer: Timer | undefined;
  private timerAt: number | undefined;

  constructor(opts: WorkQueueOptions<K>) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? controllerRateLimiter<K>(this.clock, opts.rateLimits);
    this.metrics = opts.registry ? workQueueMetrics(opts.registry) : undefined;
    this.untrack = this.metrics?.track({ name: this.name, inFlightSeconds: () => this.inFlightSeconds() });
    this.metrics?.depth.set({ name: this.name }, 0);
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    this.metrics?.adds.inc({ name: this.name });
    this.metrics?.depth.set({ name: this.name }, this.dirty.size);
    if (this.processing.has(key)) return; // done() queues it again
    this.queue.push(key);
    this.dispatch();
  }

  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const pending = this.waitingUntil.get(key);
    if (pending !== undefined && pending <= at) return;
    this.waitingUntil.set(key, at);
    this.delays.push({ key, at });
    this.arm();
  }

  addRateLimited(key: K): void {
    if (this.shuttingDown) return;
    this.metrics?.retries.inc({ name: this.name });
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  get(): Promise<K | undefined> {
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: K): void {
    if (!this.processing.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics?.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
    if (this.processing.size === 0 && this.shuttingDown) this.resolveDrain();
  }

  /** Keys ready to be handed out (not counting delayed or in-progress ones). */
  len(): number {
    return this.queue.length;
  }

  /** Keys waiting on a delay (addAfter / addRateLimited). */
  delayedLen(): number {
    return this.waitingUntil.size;
  }

  /** Keys a worker holds right now. */
  processingLen(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Refuses further adds, drops delayed ones; get() drains what is queued, then yields undefined. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = undefined;
    this.waitingUntil.clear();
    this.delays.clear();
    this.dispatch();
    const idle = this.waiters;
    this.waiters = [];
    for (const w of idle) w(undefined);
    this.untrack?.();
    if (this.processing.size === 0) this.resolveDrain();
  }

  /** shutDown(), then resolves once every key handed out has been marked done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private take(): K {
    const key = this.queue.shift() as K;
    const now = this.clock.now();
    this.processing.add(key);
    this.dirty.delete(key);
    this.startedAt.set(key, now);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (this.metrics) {
      this.metrics.depth.set({ name: this.name }, this.dirty.size);
      if (added !== undefined) this.metrics.queueDuration.observe({ name: this.name }, (now - added) / 1000);
    }
    return key;
  }

  /** Hands queued keys to waiting workers, oldest waiter first. */
  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) this.waiters.shift()!(this.take());
  }

  private resolveDrain(): void {
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w();
  }

  /** Keeps one timer, for the earliest pending delayed key. */
  private arm(): void {
    let top = this.delays.peek();
    while (top && this.waitingUntil.get(top.key) !== top.at) {
      this.delays.pop();
      top = this.delays.peek();
    }
    if (!top) {
      this.timer?.cancel();
      this.timer = undefined;
      this.timerAt = undefined;
      return;
    }
    if (this.timer && this.timerAt === top.at) return;
    this.timer?.cancel();
    this.timerAt = top.at;
    this.timer = this.clock.setTimer(() => this.fire(), top.at - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    const now = this.clock.now();
    for (let top = this.delays.peek(); top && top.at <= now; top = this.delays.peek()) {
      this.delays.pop();
      if (this.waitingUntil.get(top.key) !== top.at) continue; // superseded by an earlier time
      this.waitingUntil.delete(top.key);
      this.add(top.key);
    }
    this.arm();
  }

  private inFlightSeconds(): { total: number; longest: number } {
    const now = this.clock.now();
    let total = 0;
    let longest = 0;
    for (const t of this.startedAt.values()) {
      const s = (now - t) / 1000;
      total += s;
      longest = Math.max(longest, s);
    }
    return { total, longest };
  }
}
