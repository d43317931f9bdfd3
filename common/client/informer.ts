// A shared informer over the Kubernetes REST API, like client-go's reflector + indexer:
// list (remembering the list's resourceVersion), then watch from it; every event updates an
// indexed in-memory store and is handed to the registered handlers. A watch that ends is
// resumed from the last resourceVersion seen; a 410 (resourceVersion too old) or an ERROR
// event makes it list again, and that relist turns into the adds, updates and deletes the
// store missed. Handlers see objects in the order the API server sent them.

import type { Logger } from '../logging.js';
import { silentLogger } from '../logging.js';
import { Backoff } from '../backoff.js';
import { realClock, sleep } from '../clock.js';
import { GoneError } from '../errors.js';
import type { RestClient } from './restClient.js';
import { errorFromStatus } from './statusError.js';

/** What an informer needs of an object: its identity and version. */
export interface InformedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export interface InformerEventHandler<T> {
  /** `isInInitialList` is true for objects delivered by the first list, before hasSynced(). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state the informer knew; after a relist it may be older than the deletion. */
  onDelete?(obj: T): void;
}

export type IndexFunc<T> = (obj: T) => string[];

export interface InformerOptions<T> {
  client: RestClient;
  /** The collection path, e.g. `/api/v1/pods` or `/apis/coordination.k8s.io/v1/namespaces/x/leases`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  logger?: Logger;
  /** Named index functions: `byIndex(name, value)` finds the objects whose function returned `value`. */
  indexers?: Record<string, IndexFunc<T>>;
  /** The server ends each watch after a random time in [this, 2×this) seconds, as client-go asks. Default 300. */
  watchTimeoutSeconds?: number;
  /** List in pages of this size (limit/continue); default: one request. */
  pageSize?: number;
  /** Back-off after a failed list or watch: starts here, doubles, capped at maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** `namespace/name` for namespaced objects, `name` otherwise: the key client-go's MetaNamespaceKeyFunc gives. */
export function objectKey(obj: InformedObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** An in-memory, indexed copy of one collection. Objects are shared: never mutate them. */
export class IndexedStore<T extends InformedObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  /**
   * Adds a named index, at any time: the objects already stored are indexed at once. Adding
   * the same function under the same name again does nothing (shared informers: two
   * controllers may ask for one index); another function under a taken name is an error,
   * since one of them would silently get the other's answers.
   */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    const existing = this.indexers.get(name);
    if (existing === fn) return;
    if (existing) throw new Error(`an index named ${JSON.stringify(name)} exists with another function`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) addToIndex(index, fn, key, obj);
  }

  hasIndexer(name: string): boolean {
    return this.indexers.has(name);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }
  has(key: string): boolean {
    return this.items.has(key);
  }
  list(): T[] {
    return [...this.items.values()];
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  get size(): number {
    return this.items.size;
  }
  /** Objects whose index function `indexName` returned `value`. */
  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no index named ${JSON.stringify(indexName)}`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /** Stores `obj` under `key` and returns what was there before. */
  set(key: string, obj: T): T | undefined {
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    this.index(key, obj);
    return old;
  }
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) addToIndex(this.indices.get(name)!, fn, key, obj);
  }
  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(v);
      }
    }
  }
}

function addToIndex<T>(index: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
  for (const v of fn(obj)) {
    let keys = index.get(v);
    if (!keys) index.set(v, (keys = new Set()));
    keys.add(key);
  }
}

interface ListBody<T> {
  kind?: string;
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

interface WatchStatusObject {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  metadata?: { resourceVersion?: string };
}

/** Why a watch ended: resume from the last resourceVersion, or list again. */
type WatchOutcome = 'resume' | 'relist' | 'failed';

export class Informer<T extends InformedObject> {
  readonly store: IndexedStore<T>;
  private readonly handlers = new Set<InformerEventHandler<T>>();
  private readonly logger: Logger;
  private resourceVersion = '';
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private stopped = false;
  private running: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;
  /** Aborted by stop(): ends a back-off wait at once. */
  private stopping = new AbortController();
  /** Counters for tests and debugging. */
  readonly stats = { lists: 0, watches: 0, relists: 0, failures: 0, expiredContinues: 0 };

  constructor(private readonly opts: InformerOptions<T>) {
    this.store = new IndexedStore<T>(opts.indexers ?? {});
    this.logger = (opts.logger ?? silentLogger()).child({ informer: opts.path });
  }

  /**
   * Registers handlers; returns a function that removes them. Handlers added after the
   * informer has synced first receive an add for every object already in the store.
   */
  addEventHandler(h: InformerEventHandler<T>): () => void {
    this.handlers.add(h);
    if (this.synced && h.onAdd) for (const o of this.store.list()) this.call(() => h.onAdd!(o, false));
    return () => this.handlers.delete(h);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been delivered to the store and the handlers. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The newest resourceVersion the store reflects. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.stopping = new AbortController();
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch?.();
    this.stopping.abort();
    await this.running;
    this.running = undefined;
  }

  private async run(): Promise<void> {
    const backoff = new Backoff({ initialMs: this.opts.minBackoffMs ?? 200, maxMs: this.opts.maxBackoffMs ?? 10_000, jitter: 0.1 });
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.listAndReplace();
          needList = false;
        }
        const outcome = await this.watchOnce();
        if (outcome === 'relist') {
          this.stats.relists++;
          needList = true;
          backoff.reset();
          continue;
        }
        if (outcome === 'resume') {
          backoff.reset();
          continue;
        }
      } catch (e) {
        if (this.stopped) break;
        this.logger.debug('list or watch failed; retrying', { error: e instanceof Error ? e.message : String(e), backoffMs: backoff.peek() });
      }
      this.stats.failures++;
      await sleep(realClock, backoff.next(), this.stopping.signal);
    }
  }

  private query(extra: Record<string, string | number | boolean | undefined>): Record<string, string | number | boolean | undefined> {
    return { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, ...extra };
  }

  private async listAndReplace(): Promise<void> {
    this.stats.lists++;
    let list = await this.listPages(this.opts.pageSize);
    if (!list) {
      // The continue token expired mid-list (etcd compacted past the list's revision). The
      // pages read so far are a partial list; replacing the store with them would report
      // every missing object as deleted. Read the whole collection again in one request, as
      // client-go's pager falls back to a full list.
      this.stats.expiredContinues++;
      this.logger.debug('continue token expired; listing again without pages');
      list = await this.listPages(undefined);
      if (!list) throw new Error(`list ${this.opts.path}: the list expired without paging`);
    }
    if (this.stopped) return;
    this.replace(list.items, list.resourceVersion);
  }

  /** Reads the collection, in pages of `pageSize` if set; undefined when a continue token expired (410). */
  private async listPages(pageSize: number | undefined): Promise<{ items: T[]; resourceVersion: string } | undefined> {
    const items: T[] = [];
    let listRV = '';
    let cont: string | undefined;
    let kind = '';
    let apiVersion = '';
    do {
      const r = await this.opts.client.get<ListBody<T>>(this.opts.path, { query: this.query({ limit: pageSize, continue: cont }), timeoutMs: 120_000 });
      if (r.status < 200 || r.status > 299 || !r.body) {
        const e = errorFromStatus({ code: r.status, body: r.body, text: r.text, request: `GET ${this.opts.path}` });
        if (e instanceof GoneError && cont) return undefined;
        throw e;
      }
      for (const it of r.body.items ?? []) items.push(it);
      if (!listRV) listRV = r.body.metadata?.resourceVersion ?? '';
      kind = (r.body.kind ?? '').replace(/List$/, '');
      apiVersion = r.body.apiVersion ?? '';
      cont = r.body.metadata?.continue || undefined;
    } while (cont && !this.stopped);
    // List items may omit kind and apiVersion; watch events carry them. Make both alike.
    for (const it of items) {
      if (!it.kind && kind) it.kind = kind;
      if (!it.apiVersion && apiVersion) it.apiVersion = apiVersion;
    }
    return { items, resourceVersion: listRV };
  }

  /** Makes the store equal to a fresh list, telling handlers what changed. */
  private replace(items: T[], listRV: string): void {
    const initial = !this.synced;
    const fresh = new Map<string, T>();
    for (const it of items) fresh.set(objectKey(it), it);
    for (const key of this.store.keys()) {
      if (fresh.has(key)) continue;
      const old = this.store.remove(key)!;
      this.emit((h) => h.onDelete?.(old));
    }
    for (const [key, obj] of fresh) {
      const old = this.store.set(key, obj);
      if (!old) this.emit((h) => h.onAdd?.(obj, initial));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit((h) => h.onUpdate?.(old, obj));
    }
    this.resourceVersion = listRV;
    if (initial) {
      this.synced = true;
      for (const w of this.syncWaiters) w();
      this.syncWaiters = [];
    }
  }

  private watchOnce(): Promise<WatchOutcome> {
    this.stats.watches++;
    const min = this.opts.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(min + Math.random() * min);
    let outcome: WatchOutcome | undefined;
    const w = this.opts.client.watch(
      this.opts.path,
      this.query({ resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds }),
      (ev) => {
        if (outcome) return;
        const next = this.handleEvent(ev.type, ev.object as unknown);
        if (next) {
          outcome = next;
          w.stop();
        }
      },
    );
    this.stopWatch = w.stop;
    return w.done.then(
      (status) => {
        this.stopWatch = undefined;
        if (outcome) return outcome;
        if (status === 410) return 'relist';
        if (status === 200) return 'resume';
        // 0: the connection went away (e.g. the API server restarted); others: refused.
        return 'failed';
      },
      (e: unknown) => {
        this.stopWatch = undefined;
        throw e;
      },
    );
  }

  /** Applies one watch event; returns an outcome when the watch must end. */
  private handleEvent(type: string, object: unknown): WatchOutcome | undefined {
    if (type === 'ERROR') {
      const st = object as WatchStatusObject;
      this.logger.debug('watch error event; relisting', { code: st.code, message: st.message });
      return 'relist';
    }
    const obj = object as T;
    const rv = obj.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return undefined;
    }
    const key = objectKey(obj);
    if (type === 'ADDED' || type === 'MODIFIED') {
      const old = this.store.set(key, obj);
      if (old) this.emit((h) => h.onUpdate?.(old, obj));
      else this.emit((h) => h.onAdd?.(obj, false));
    } else if (type === 'DELETED') {
      const old = this.store.remove(key);
      if (old) this.emit((h) => h.onDelete?.(obj));
    } else {
      this.logger.debug('unknown watch event type', { type });
    }
    if (rv) this.resourceVersion = rv;
    return undefined;
  }

  private emit(fn: (h: InformerEventHandler<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // One faulty handler must not stop the informer or starve the others.
      this.logger.error('informer event handler failed', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  }
}
