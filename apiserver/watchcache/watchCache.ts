// One etcd watch over the whole registry feeds an in-memory copy of every object and a
// window of recent events. Lists and watches are served from here, so N watchers cost
// one etcd watch, and a list of 10,000 pods never touches etcd.

import type { KubeObject } from '../../common/api/meta.js';
import { GoneError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import type { Storage, StorageEvent, StorageWatch } from '../storage/storage.js';
import { CachedObject } from './cachedObject.js';

/** An entry: the object's bytes (with metadata.resourceVersion set) and what selectors need. Shared: never mutate. */
export type CacheEntry = CachedObject;

/**
 * One change. Events sit in the replay window for a long time: they hold entries (shared
 * with the cache while current), never parsed trees.
 */
export class CacheEvent {
  constructor(
    readonly type: 'ADDED' | 'MODIFIED' | 'DELETED',
    /** The new state; for DELETED the last state, stamped with the delete revision. */
    readonly entry: CachedObject,
    /** The state before this event (MODIFIED and DELETED). */
    readonly previousEntry?: CachedObject,
  ) {}

  get key(): string {
    return this.entry.key;
  }

  get revision(): number {
    return this.entry.revision;
  }

  /** The new state, parsed anew on each read. */
  get object(): KubeObject {
    return this.entry.object;
  }

  /** The state before, parsed anew on each read. */
  get previous(): KubeObject | undefined {
    return this.previousEntry?.object;
  }
}

export type CacheListener = (ev: CacheEvent) => void;

export interface CacheWatch {
  close(): void;
}

/** `/registry/pods/default/a` -> `/registry/pods/`. */
export function bucketOf(key: string, root: string): string {
  const end = key.indexOf('/', root.length);
  return end < 0 ? root : key.slice(0, end + 1);
}

class Bucket {
  readonly entries = new Map<string, CacheEntry>();
  readonly listeners = new Set<{ prefix: string; fn: CacheListener; onClose: (err?: Error) => void }>();
  private sortedKeys: string[] | undefined;

  set(entry: CacheEntry): void {
    if (!this.entries.has(entry.key)) this.sortedKeys = undefined;
    this.entries.set(entry.key, entry);
  }
  remove(key: string): void {
    if (this.entries.delete(key)) this.sortedKeys = undefined;
  }
  /** Entries with keys under `prefix`, sorted by key, as etcd would list them. */
  list(prefix: string): CacheEntry[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.entries.keys()].sort();
    const keys = this.sortedKeys;
    // Keys under one prefix are contiguous in sorted order: find the first, then scan.
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: CacheEntry[] = [];
    for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) out.push(this.entries.get(keys[i]!)!);
    return out;
  }
}

export interface WatchCacheOptions {
  storage: Storage;
  logger: Logger;
  /** Key root watched, e.g. `/registry/`. */
  root: string;
  /** How many recent events are kept for watches that resume from an older resourceVersion. */
  eventWindow?: number;
}

export class WatchCache {
  private readonly storage: Storage;
  private readonly logger: Logger;
  private readonly root: string;
  private readonly capacity: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly window: (CacheEvent | undefined)[];
  private windowHead = 0; // index of the oldest event
  private windowSize = 0;
  /** Watches may resume from any revision >= this one. */
  private oldestServable = 0;
  private storageWatch: StorageWatch | undefined;
  private waiters: { revision: number; resolve: (ok: boolean) => void }[] = [];
  private stopped = false;
  private ready: Promise<void> | undefined;
  /** The newest revision the cache reflects. */
  revision = 0;

  constructor(opts: WatchCacheOptions) {
    this.storage = opts.storage;
    this.logger = opts.logger;
    this.root = opts.root;
    this.capacity = opts.eventWindow ?? 50_000;
    this.window = new Array<CacheEvent | undefined>(this.capacity);
  }

  /** Loads the current state and starts following etcd. Idempotent. */
  start(): Promise<void> {
    this.ready ??= this.load();
    return this.ready;
  }

  private async load(): Promise<void> {
    const fresh = new Map<string, Bucket>();
    let revision = 0;
    let fromKey: string | undefined;
    for (;;) {
      const page = await this.storage.list(this.root, { limit: 1_000, ...(fromKey ? { fromKey } : {}), ...(revision ? { atRevision: revision } : {}) });
      revision = page.revision;
      for (const item of page.items) {
        const b = bucketOf(item.key, this.root);
        let bucket = fresh.get(b);
        if (!bucket) fresh.set(b, (bucket = new Bucket()));
        bucket.set(CachedObject.stamped(item.key, item.revision, item.object));
      }
      if (!page.nextKey) break;
      fromKey = page.nextKey;
    }
    // Watchers of the previous generation cannot be continued consistently: end them so they relist.
    for (const bucket of this.buckets.values()) for (const l of bucket.listeners) l.onClose(new GoneError('watch cache was reloaded; relist'));
    this.buckets.clear();
    for (const [k, v] of fresh) this.buckets.set(k, v);
    this.window.fill(undefined);
    this.windowHead = 0;
    this.windowSize = 0;
    this.revision = revision;
    this.oldestServable = revision;
    this.logger.info('watch cache loaded', { revision, objects: [...fresh.values()].reduce((n, b) => n + b.entries.size, 0) });
    this.follow(revision);
    this.releaseWaiters();
  }

  private follow(after: number): void {
    this.storageWatch = this.storage.watch(this.root, after, {
      events: (batch) => this.apply(batch),
      failed: (err) => {
        if (this.stopped) return;
        this.logger.warn('etcd watch ended; reloading the watch cache', { error: err.message });
        this.ready = undefined;
        setTimeout(() => void this.start().catch((e: unknown) => this.logger.error('watch cache reload failed', { error: String(e) })), 200);
      },
    });
  }

  private apply(batch: StorageEvent[]): void {
    for (const ev of batch) {
      if (ev.revision <= this.revision && ev.type === 'put') continue;
      const bucketKey = bucketOf(ev.key, this.root);
      let bucket = this.buckets.get(bucketKey);
      if (!bucket) this.buckets.set(bucketKey, (bucket = new Bucket()));
      const prev = bucket.entries.get(ev.key);
      let out: CacheEvent;
      if (ev.type === 'put') {
        const entry = CachedObject.stamped(ev.key, ev.revision, ev.object);
        bucket.set(entry);
        out = prev ? new CacheEvent('MODIFIED', entry, prev) : new CacheEvent('ADDED', entry);
      } else {
        if (!prev) {
          this.revision = Math.max(this.revision, ev.revision);
          continue;
        }
        bucket.remove(ev.key);
        out = new CacheEvent('DELETED', prev.restamped(ev.revision), prev);
      }
      this.revision = ev.revision;
      this.record(out);
      for (const l of bucket.listeners) if (ev.key.startsWith(l.prefix)) l.fn(out);
    }
    this.releaseWaiters();
  }

  private record(ev: CacheEvent): void {
    if (this.windowSize === this.capacity) {
      const evicted = this.window[this.windowHead]!;
      this.oldestServable = Math.max(this.oldestServable, evicted.revision);
      this.windowHead = (this.windowHead + 1) % this.capacity;
      this.windowSize--;
    }
    this.window[(this.windowHead + this.windowSize) % this.capacity] = ev;
    this.windowSize++;
  }

  private releaseWaiters(): void {
    if (!this.waiters.length) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.revision <= this.revision) w.resolve(true);
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves true once the cache reflects `revision`, false after timeoutMs. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (revision <= this.revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { revision, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          resolve(false);
        }
      }, timeoutMs).unref();
    });
  }

  get(key: string): CacheEntry | undefined {
    return this.buckets.get(bucketOf(key, this.root))?.entries.get(key);
  }

  /** Current entries under `prefix` (which must lie within one resource), sorted by key. */
  list(prefix: string): CacheEntry[] {
    return this.buckets.get(bucketOf(prefix, this.root))?.list(prefix) ?? [];
  }

  /**
   * Events under `prefix` after `fromRevision`, then every later one, in order.
   * Throws GoneError when the window no longer holds what came after fromRevision.
   * `onClose` is called if the cache must end the watch (the client should relist).
   */
  watch(prefix: string, fromRevision: number, fn: CacheListener, onClose: (err?: Error) => void): CacheWatch {
    if (fromRevision < this.oldestServable) {
      throw new GoneError(`too old resource version: ${fromRevision} (${this.oldestServable})`);
    }
    const bucketKey = bucketOf(prefix, this.root);
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) this.buckets.set(bucketKey, (bucket = new Bucket()));
    // Replay and subscription happen in one synchronous step, so nothing falls between them.
    for (let i = 0; i < this.windowSize; i++) {
      const ev = this.window[(this.windowHead + i) % this.capacity]!;
      if (ev.revision > fromRevision && ev.key.startsWith(prefix)) fn(ev);
    }
    const listener = { prefix, fn, onClose };
    bucket.listeners.add(listener);
    const owner = bucket;
    return { close: () => owner.listeners.delete(listener) };
  }

  watcherCount(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.listeners.size;
    return n;
  }

  stop(): void {
    this.stopped = true;
    this.storageWatch?.close();
    for (const b of this.buckets.values()) for (const l of b.listeners) l.onClose();
    for (const w of this.waiters) w.resolve(false);
    this.waiters = [];
  }
}
