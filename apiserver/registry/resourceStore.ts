// The generic store behind every kind: Kubernetes object semantics (uid, generation,
// resourceVersion preconditions, finalizers, graceful deletion, dry-run) over the
// narrow Storage seam, with lists and watches served from the watch cache.

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import equal from 'fast-deep-equal';
import type { KubeList, KubeObject, ListMeta } from '../../common/api/meta.js';
import { apiVersionOf } from '../../common/api/meta.js';
import { generateName } from '../../common/api/names.js';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { Clock } from '../../common/clock.js';
import { rfc3339 } from '../../common/clock.js';
import {
  AlreadyExistsError,
  ApiError,
  BadRequestError,
  ConflictError,
  GoneError,
  InvalidError,
  NotFoundError,
  TooLargeError,
  type FieldCause,
  type ObjectRef,
} from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { KeyExistsError, KeyNotFoundError, RevisionCompactedError, RevisionMismatchError } from '../storage/errors.js';
import type { Storage, Versioned } from '../storage/storage.js';
import { storedJson, WrittenObject, type StoredJson } from '../storage/storedJson.js';
import type { CacheEvent, WatchCache } from '../watchcache/watchCache.js';
import type { CachedObject } from '../watchcache/cachedObject.js';
import { PlainEncoded, type EncodedObject } from '../watchcache/encoded.js';
import { compileFilter, type ObjectFilter } from './objectFilter.js';
import type { DeleteOptions, ListOptions, WatchOptions, WriteOptions } from './options.js';
import type { AllocationTxn, Allocator, Strategy } from './strategy.js';
import { deletionFinalizers } from './deletionFinalizers.js';
import type { ObjectValidator } from './validator.js';
import { nameProblems, validationError } from '../validation/index.js';
import { objectMetaCauses } from '../validation/objectMeta.js';
import { checkTypeMeta } from '../validation/typeMeta.js';
import type { FieldTracker } from '../apply/fieldManagerApply.js';

/** etcd's default request limit is 1.5 MiB; Kubernetes refuses larger objects the same way. */
export const maxObjectBytes = 1_572_864;

export interface WatchSink {
  /** The object as stored: a cache entry's bytes are written as they are, once per event for every watcher. */
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: EncodedObject): void;
  /** The store ended the watch; an error means the client should relist. */
  closed(err?: Error): void;
}

/** A list whose items are ready to write: cache entries' own bytes, or objects read from etcd. */
export interface EncodedList {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: EncodedObject[];
}

export interface StoreWatch {
  close(): void;
}

export interface ResourceStoreDeps {
  descriptor: ResourceDescriptor;
  strategy: Strategy;
  storage: Storage;
  cache: WatchCache;
  validator: ObjectValidator;
  clock: Clock;
  logger: Logger;
  /** Throws when objects may not be created in the namespace (missing or terminating). */
  namespaceGate?: (namespace: string) => Promise<void>;
  /** Admission that needs other objects (e.g. a pod's PriorityClass); runs on create, may change the object. */
  admitCreate?: (obj: KubeObject) => void;
  /**
   * Validating admission of a change (main resource or subresource), judged on the object as
   * it would be stored against the current one, and on who asks (restrictions by identity).
   */
  admitUpdate?: (obj: KubeObject, old: KubeObject, requester: WriteOptions['requester'], subresource: WriteSubresource | undefined) => void;
  /** Key root shared with the watch cache, e.g. `/registry/`. */
  root: string;
  /** Records which manager owns which fields (metadata.managedFields). */
  fieldTracker?: FieldTracker;
  /** Claims the kind holds outside its objects (a Service's cluster IP and node ports). */
  allocator?: Allocator;
}

export interface WriteResult {
  object: KubeObject;
  /** True when the write created the object (201 rather than 200). */
  created: boolean;
  /** `object` with its JSON already made (from the bytes just stored), when the write made them. */
  encoded?: EncodedObject;
}

/**
 * Which part of an object a write may change: status only, spec via scale, a pod binding
 * (both), or a namespace's spec.finalizers (finalize: the handler shapes the object, and the
 * strategy's prepareForUpdate, which keeps them on main-resource writes, is skipped).
 */
export type WriteSubresource = 'status' | 'approval' | 'scale' | 'binding' | 'finalize';

export type Mutation = (current: KubeObject) => KubeObject | Promise<KubeObject>;

interface ContinueToken {
  rv: number;
  start: string;
}

const maxUpdateRetries = 5;

export class ResourceStore {
  readonly descriptor: ResourceDescriptor;
  readonly strategy: Strategy;
  private readonly storage: Storage;
  private readonly cache: WatchCache;
  private readonly validator: ObjectValidator;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly namespaceGate: ((ns: string) => Promise<void>) | undefined;
  private readonly admitCreate: ((obj: KubeObject) => void) | undefined;
  private readonly admitUpdate: ResourceStoreDeps['admitUpdate'];
  private readonly base: string;
  private readonly fieldTracker: FieldTracker | undefined;
  private readonly allocator: Allocator | undefined;

  constructor(deps: ResourceStoreDeps) {
    this.fieldTracker = deps.fieldTracker;
    this.allocator = deps.allocator;
    this.descriptor = deps.descriptor;
    this.strategy = deps.strategy;
    this.storage = deps.storage;
    this.cache = deps.cache;
    this.validator = deps.validator;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.namespaceGate = deps.namespaceGate;
    this.admitCreate = deps.admitCreate;
    this.admitUpdate = deps.admitUpdate;
    const d = deps.descriptor;
    this.base = `${deps.root}${d.group ? `${d.plural}.${d.group}` : d.plural}/`;
  }

  get apiVersion(): string {
    return apiVersionOf(this.descriptor);
  }

  private ref(name?: string): ObjectRef {
    const r: ObjectRef = { resource: this.descriptor.plural, group: this.descriptor.group };
    if (name !== undefined) r.name = name;
    return r;
  }

  private key(namespace: string | undefined, name: string): string {
    return this.descriptor.namespaced ? `${this.base}${namespace}/${name}` : `${this.base}${name}`;
  }

  private prefix(namespace: string | undefined): string {
    return this.descriptor.namespaced && namespace ? `${this.base}${namespace}/` : this.base;
  }

  /**
   * Makes sure kind and apiVersion are set (and the resourceVersion, when given). Objects
   * that already carry them are returned as they are: cache objects keep their identity,
   * so their serialized form is computed once for every watcher and list.
   */
  private typed(obj: KubeObject, revision?: number): KubeObject {
    const rv = revision === undefined ? undefined : String(revision);
    if (obj.apiVersion === this.apiVersion && obj.kind === this.descriptor.kind && (rv === undefined || obj.metadata.resourceVersion === rv)) return obj;
    const out: KubeObject = { apiVersion: this.apiVersion, kind: this.descriptor.kind, ...obj };
    out.apiVersion = this.apiVersion;
    out.kind = this.descriptor.kind;
    if (rv !== undefined) out.metadata = { ...obj.metadata, resourceVersion: rv };
    return out;
  }

  // ---- reads ----------------------------------------------------------------

  async get(namespace: string | undefined, name: string, opts: { resourceVersion?: string } = {}): Promise<KubeObject> {
    return (await this.getEncoded(namespace, name, opts)).object;
  }

  /** GET as the HTTP layer writes it: with resourceVersion "0", the cache entry's own bytes. */
  async getEncoded(namespace: string | undefined, name: string, opts: { resourceVersion?: string } = {}): Promise<EncodedObject> {
    const key = this.key(namespace, name);
    if (opts.resourceVersion === '0') {
      const hit = this.cache.get(key);
      if (!hit) throw new NotFoundError(this.ref(name));
      return this.served(hit);
    }
    const got = await this.storage.get(key);
    if (!got) throw new NotFoundError(this.ref(name));
    return new PlainEncoded(this.typed(got.object, got.revision));
  }

  /** A cache entry as served: its bytes when they carry this resource's kind and apiVersion, else a typed copy. */
  private served(entry: CachedObject): EncodedObject {
    if (entry.kind === this.descriptor.kind && entry.apiVersion === this.apiVersion) return entry;
    return new PlainEncoded(this.typed(entry.object));
  }

  /** The list with parsed items (each a fresh copy), for callers inside the server. */
  async list(namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList> {
    const { items, ...rest } = await this.listEncoded(namespace, opts);
    return { ...rest, items: items.map((i) => i.object) };
  }

  /** LIST as the HTTP layer writes it: from the cache, the entries' own bytes, never parsed for JSON. */
  async listEncoded(namespace: string | undefined, opts: ListOptions = {}): Promise<EncodedList> {
    const filter = compileFilter(this.descriptor.kind, opts.labelSelector, opts.fieldSelector);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const prefix = this.prefix(namespace);
    // Counted only without selectors, as Kubernetes does: then every later entry is in the list.
    const countRest = !opts.labelSelector && !opts.fieldSelector;
    if (opts.continue) return this.continueList(prefix, filter, limit, opts.continue, countRest);

    const rv = opts.resourceVersion;
    if (rv && rv !== '0') {
      const want = parseRevision(rv, 'resourceVersion');
      if (opts.resourceVersionMatch === 'Exact') return this.listFromStorage(prefix, filter, limit, want, countRest);
      if (!(await this.cache.waitForRevision(want, 3_000))) {
        throw new ApiError('Timeout', `Too large resource version: ${want}, current: ${this.cache.revision}`, { retryAfterSeconds: 1 });
      }
    } else if (!rv) {
      // A consistent read: wait until the cache has caught up with etcd, as Kubernetes'
      // consistent reads from cache do; fall back to etcd if it lags.
      const current = await this.storage.currentRevision();
      if (!(await this.cache.waitForRevision(current, 1_000))) return this.listFromStorage(prefix, filter, limit, undefined, countRest);
    }
    const revision = this.cache.revision;
    const items: EncodedObject[] = [];
    let nextKey: string | undefined;
    let remaining = 0;
    for (const entry of this.cache.list(prefix)) {
      if (nextKey !== undefined) {
        remaining++;
        continue;
      }
      if (!filter.entry(entry)) continue;
      if (limit && items.length === limit) {
        nextKey = entry.key;
        remaining = 1;
        if (!countRest) break;
        continue;
      }
      items.push(this.served(entry));
    }
    return this.listObject(items, revision, nextKey, countRest ? remaining : undefined);
  }

  private listObject(items: EncodedObject[], revision: number, nextKey?: string, remainingItemCount?: number): EncodedList {
    const list: EncodedList = { apiVersion: this.apiVersion, kind: this.descriptor.listKind, metadata: { resourceVersion: String(revision) }, items };
    if (nextKey) list.metadata.continue = encodeContinue({ rv: revision, start: nextKey });
    if (nextKey && remainingItemCount !== undefined) list.metadata.remainingItemCount = remainingItemCount;
    return list;
  }

  private async continueList(prefix: string, filter: ObjectFilter, limit: number, token: string, countRest: boolean): Promise<EncodedList> {
    const t = decodeContinue(token);
    if (!t.start.startsWith(prefix)) throw new BadRequestError('continue key is not valid for this list');
    return this.listFromStorage(prefix, filter, limit, t.rv, countRest, t.start);
  }

  /**
   * Reads pages from etcd at one revision until `limit` matching items are found. With
   * countRest (no selectors) a cut list reports etcd's count of the keys after it.
   */
  private async listFromStorage(prefix: string, filter: ObjectFilter, limit: number, atRevision: number | undefined, countRest: boolean, fromKey?: string): Promise<EncodedList> {
    const items: EncodedObject[] = [];
    let revision = atRevision;
    let start = fromKey;
    try {
      for (;;) {
        const page = await this.storage.list(prefix, {
          // Pages of at most 1,000 keep each etcd answer small, as Kubernetes' storage does.
          limit: limit ? Math.min(Math.max(limit - items.length, 1), 1_000) : 1_000,
          ...(start ? { fromKey: start } : {}),
          ...(revision ? { atRevision: revision } : {}),
        });
        revision = page.revision;
        for (const v of page.items) {
          const obj = this.typed(v.object, v.revision);
          if (filter(obj)) items.push(new PlainEncoded(obj));
        }
        if (!page.nextKey) return this.listObject(items, revision);
        if (limit && items.length >= limit) return this.listObject(items, revision, page.nextKey, countRest ? page.remaining : undefined);
        start = page.nextKey;
      }
    } catch (e) {
      if (e instanceof RevisionCompactedError) {
        throw new GoneError('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      throw e;
    }
  }

  /**
   * Streams changes. Without a resourceVersion (or "0") it starts with ADDED events for
   * the current state; otherwise with the changes after that version. Events that move an
   * object into or out of the selection become ADDED or DELETED, as in Kubernetes.
   */
  watch(namespace: string | undefined, opts: WatchOptions, sink: WatchSink): StoreWatch {
    const filter = compileFilter(this.descriptor.kind, opts.labelSelector, opts.fieldSelector);
    const prefix = this.prefix(namespace);
    const rv = opts.resourceVersion;
    let from: number;
    if (!rv || rv === '0') {
      from = this.cache.revision;
      for (const entry of this.cache.list(prefix)) if (filter.entry(entry)) sink.event('ADDED', this.served(entry));
    } else {
      from = parseRevision(rv, 'resourceVersion');
    }
    const onEvent = (ev: CacheEvent): void => {
      const now = filter.entry(ev.entry);
      const obj = (): EncodedObject => this.served(ev.entry);
      if (ev.type === 'ADDED') {
        if (now) sink.event('ADDED', obj());
      } else if (ev.type === 'DELETED') {
        if (ev.previousEntry ? filter.entry(ev.previousEntry) : now) sink.event('DELETED', obj());
      } else {
        const before = ev.previousEntry ? filter.entry(ev.previousEntry) : now;
        if (before && now) sink.event('MODIFIED', obj());
        else if (now) sink.event('ADDED', obj());
        else if (before) sink.event('DELETED', obj());
      }
    };
    const w = this.cache.watch(prefix, from, onEvent, (err) => sink.closed(err));
    return { close: () => w.close() };
  }

  // ---- writes ---------------------------------------------------------------

  private checkIdentity(obj: KubeObject, namespace: string | undefined): void {
    checkTypeMeta(obj, this.descriptor);
    if (this.descriptor.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw new BadRequestError('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else if (obj.metadata.namespace) {
      delete obj.metadata.namespace;
    }
  }

  /** Schema validation, defaults and the kind's own checks; returns the object to store. */
  private admit(obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions, only?: 'status'): KubeObject {
    const strict = (opts.fieldValidation ?? 'Warn') === 'Strict';
    const typed = this.typed(obj);
    const result = this.validator.validate(this.descriptor.definition, typed, { strictFields: strict, ...(only ? { only } : {}) });
    const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
    const failure = validationError(result, { kind: this.descriptor.kind, group: this.descriptor.group, version: this.descriptor.version, name });
    if (failure) throw failure;
    const out = result.pruned as KubeObject;
    if (opts.fieldValidation !== 'Ignore') for (const f of result.unknownFields) (opts.warnings ??= []).push(`unknown field "${f}"`);
    this.strategy.defaults?.(out);
    const causes: FieldCause[] = [...this.checkName(out), ...objectMetaCauses(out.metadata), ...(this.strategy.validate?.(out) ?? [])];
    if (old) causes.push(...(this.strategy.validateUpdate?.(out, old) ?? []), ...checkFinalizerAdditions(out, old));
    if (causes.length) throw new InvalidError(this.descriptor.kind, name, causes, this.descriptor.group || undefined);
    return out;
  }

  /** The bytes etcd will hold, made once per write; over etcd's request limit is a 413, as in Kubernetes. */
  private encodeForStorage(obj: KubeObject): StoredJson {
    const stored = storedJson(obj);
    const size = stored.bytes.length;
    if (size > maxObjectBytes) throw new TooLargeError(`Request entity too large: the object is ${size} bytes; the limit is ${maxObjectBytes}`);
    return stored;
  }

  /** The store's answer to a write: the object with its new resourceVersion, and its JSON when made from the stored bytes. */
  private written(obj: KubeObject, stored: StoredJson, revision: number, created: boolean): WriteResult {
    const object = this.typed(obj, revision);
    const json = stored.answer(revision);
    return json ? { object, created, encoded: new WrittenObject(object, json) } : { object, created };
  }

  private checkName(obj: KubeObject): FieldCause[] {
    const name = obj.metadata.name;
    if (!name) return [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }];
    const problems = nameProblems(this.strategy.nameRule ?? 'subdomain', name);
    return problems.map((p) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${p}`, field: 'metadata.name' }));
  }

  async create(namespace: string | undefined, body: KubeObject, opts: WriteOptions = {}): Promise<WriteResult> {
    // The body was decoded for this request alone: it is ours to change.
    const obj = body;
    obj.metadata ??= {};
    this.checkIdentity(obj, namespace);
    if (obj.metadata.resourceVersion) throw new BadRequestError('resourceVersion should not be set on objects to be created');
    if (this.descriptor.namespaced && this.namespaceGate) await this.namespaceGate(obj.metadata.namespace ?? '');
    this.admitCreate?.(obj);
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    for (let attempt = 0; ; attempt++) {
      // Only a retry with a new generated name needs a fresh copy.
      const candidate = attempt === 0 ? obj : structuredClone(obj);
      if (generated) candidate.metadata.name = generateName(candidate.metadata.generateName!);
      const meta = candidate.metadata;
      meta.uid = randomUUID();
      meta.creationTimestamp = rfc3339(this.clock.now());
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
      if (this.strategy.tracksGeneration) meta.generation = 1;
      else delete meta.generation;
      this.strategy.prepareForCreate?.(candidate, opts.requester);
      const admitted = this.admit(candidate, undefined, opts);
      this.trackFields(undefined, admitted, opts);
      // After field tracking: values the server allocates belong to no client's manager.
      const claims = await this.allocator?.allocate(admitted, undefined, { dryRun: !!opts.dryRun });
      let stored: StoredJson;
      try {
        stored = this.encodeForStorage(admitted);
      } catch (e) {
        await claims?.revert();
        throw e;
      }
      if (opts.dryRun) return { object: this.typed(admitted), created: true };
      const key = this.key(admitted.metadata.namespace, admitted.metadata.name!);
      try {
        const rev = await this.storage.create(key, admitted, stored.bytes);
        await claims?.commit();
        return this.written(admitted, stored, rev, true);
      } catch (e) {
        await claims?.revert();
        if (e instanceof KeyExistsError) {
          if (generated && attempt < 3) continue;
          throw new AlreadyExistsError(this.ref(admitted.metadata.name), { cause: e });
        }
        throw e;
      }
    }
  }

  /** PUT: replaces the object (or its status) with `body`; a set resourceVersion is a precondition. */
  async update(namespace: string | undefined, name: string, body: KubeObject, opts: WriteOptions = {}, subresource?: 'status' | 'approval'): Promise<WriteResult> {
    const obj = structuredClone(body);
    obj.metadata ??= {};
    this.checkIdentity(obj, namespace);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw new BadRequestError(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    // A fresh copy per attempt: a write changes the object it is given (the resourceVersion
    // precondition is deleted from it), and a retry must still carry the caller's precondition.
    return this.guaranteedUpdate(namespace, name, () => structuredClone(obj), opts, subresource);
  }

  /**
   * Reads the current object, applies `mutate`, writes with a revision precondition and
   * retries on conflict. A resourceVersion left in the mutated object is a precondition
   * the caller asked for: a mismatch is a 409, not a retry.
   */
  async guaranteedUpdate(namespace: string | undefined, name: string, mutate: Mutation, opts: WriteOptions = {}, subresource?: WriteSubresource): Promise<WriteResult> {
    const key = this.key(namespace, name);
    // Like Kubernetes, start from the watch cache's copy (saving an etcd read per write) and
    // go to etcd only when that copy proves stale: a revision conflict, a failed
    // precondition, or a change that looks like a no-op.
    let current: FromCache | undefined = this.cachedVersion(key);
    let confirmed = current === undefined;
    for (let attempt = 0; ; attempt++) {
      current ??= await this.storage.get(key);
      if (!current) throw new NotFoundError(this.ref(name));
      // A private deep copy of the current object: a cache entry of this kind and version
      // parses its bytes anew (less than half the cost of structuredClone), anything else is
      // cloned. The shared parse (currentObj) is made only when asked: a binding never reads it.
      const from: Versioned = current;
      let parsed: KubeObject | undefined;
      const currentObj = (): KubeObject => (parsed ??= this.typed(from.object, from.revision));
      const entry = current.entry;
      const copyCurrent = entry && entry.kind === this.descriptor.kind && entry.apiVersion === this.apiVersion ? () => entry.object : () => structuredClone(currentObj());
      let mutated: KubeObject;
      try {
        mutated = await mutate(copyCurrent());
      } catch (e) {
        // A patch's test or precondition failing against the cache's copy may only mean the
        // copy is stale (the client just wrote and read the newer state): judge it against
        // etcd before answering, as Kubernetes' GuaranteedUpdate does.
        if (!confirmed) {
          [current, confirmed] = [undefined, true];
          continue;
        }
        throw e;
      }
      mutated.metadata ??= {};
      const wanted = mutated.metadata.resourceVersion;
      if (wanted && wanted !== String(current.revision)) {
        if (!confirmed) {
          [current, confirmed] = [undefined, true];
          continue;
        }
        throw new ConflictError(this.ref(name), 'the object has been modified; please apply your changes to the latest version and try again');
      }
      try {
        if (subresource === 'binding') return await this.writeBinding(current, mutated, opts);
        return await this.writeUpdate(current, currentObj(), copyCurrent, mutated, opts, subresource, confirmed);
      } catch (e) {
        if (e instanceof StaleRead) {
          [current, confirmed] = [undefined, true];
          continue;
        }
        if (e instanceof RevisionMismatchError && (!wanted || !confirmed) && attempt < maxUpdateRetries) {
          this.logger.debug('update raced another writer; retrying', { resource: this.descriptor.plural, name, attempt });
          // The failed transaction already told us the current state.
          [current, confirmed] = [e.current, true];
          continue;
        }
        if (e instanceof RevisionMismatchError) {
          throw new ConflictError(this.ref(name), 'the object has been modified; please apply your changes to the latest version and try again');
        }
        if (e instanceof KeyNotFoundError) throw new NotFoundError(this.ref(name), { cause: e });
        throw e;
      }
    }
  }

  /** The cache's copy of the key; its object is parsed from the entry's bytes when first read. */
  private cachedVersion(key: string): FromCache | undefined {
    const hit = this.cache.get(key);
    if (!hit) return undefined;
    let parsed: KubeObject | undefined;
    return {
      key,
      revision: hit.revision,
      entry: hit,
      get object(): KubeObject {
        return (parsed ??= hit.object);
      },
    };
  }

  /**
   * A binding sets spec.nodeName and the PodScheduled condition in one write; the handler
   * built both from the current object, so there is nothing else to admit.
   */
  private async writeBinding(current: Versioned, mutated: KubeObject, opts: WriteOptions): Promise<WriteResult> {
    const { resourceVersion: _rv, ...meta } = mutated.metadata;
    const next = { ...mutated, metadata: meta };
    if (opts.dryRun) return { object: this.typed(next, current.revision), created: false };
    const rev = await this.storage.update(current.key, next, current.revision, this.encodeForStorage(next).bytes);
    return { object: this.typed(next, rev), created: false };
  }

  private async writeUpdate(current: Versioned, currentObj: KubeObject, copyCurrent: () => KubeObject, mutated: KubeObject, opts: WriteOptions, subresource: Exclude<WriteSubresource, 'binding'> | undefined, confirmed: boolean): Promise<WriteResult> {
    let next: KubeObject;
    if (subresource === 'status' || subresource === 'approval') {
      // Only status changes through /status; everything else keeps its current value. The
      // mutated copy is already that when the write changed nothing else (a status patch):
      // then it saves parsing a third copy.
      next = onlyStatusDiffers(mutated, currentObj) ? mutated : { ...copyCurrent(), status: mutated.status };
    } else {
      next = mutated;
      if (this.strategy.hasStatus) {
        if (currentObj.status === undefined) delete next.status;
        else next.status = structuredClone(currentObj.status);
      }
    }
    // System-owned metadata is never taken from the client.
    const cm = currentObj.metadata;
    const nm = next.metadata;
    nm.name = cm.name;
    nm.uid = cm.uid;
    nm.creationTimestamp = cm.creationTimestamp;
    if (this.descriptor.namespaced) nm.namespace = cm.namespace;
    if (cm.deletionTimestamp) nm.deletionTimestamp = cm.deletionTimestamp;
    else delete nm.deletionTimestamp;
    if (cm.deletionGracePeriodSeconds !== undefined) nm.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    else delete nm.deletionGracePeriodSeconds;
    if (cm.generation !== undefined) nm.generation = cm.generation;
    else delete nm.generation;
    if (nm.managedFields === undefined && cm.managedFields) nm.managedFields = cm.managedFields;
    if (subresource === undefined) this.strategy.prepareForUpdate?.(next, currentObj);
    if (subresource === 'status' || subresource === 'approval') this.strategy.prepareForSubresourceUpdate?.(subresource, next, currentObj);

    // A status write keeps everything else as stored (checked when it was written): the schema checks status alone.
    const admitted = this.admit(next, currentObj, opts, subresource === 'status' || subresource === 'approval' ? 'status' : undefined);
    this.admitUpdate?.(admitted, currentObj, opts.requester, subresource);
    if (this.strategy.tracksGeneration && specChanged(admitted, currentObj)) {
      admitted.metadata.generation = (currentObj.metadata.generation ?? 0) + 1;
    }
    this.trackFields(currentObj, admitted, opts, subresource === 'status' || subresource === 'approval' ? 'status' : undefined);
    // Status writes keep the spec as it is: only a main-resource write can change claims.
    const claims = subresource === undefined ? await this.allocator?.allocate(admitted, currentObj, { dryRun: !!opts.dryRun }) : undefined;
    try {
      return await this.storeUpdate(current, currentObj, admitted, opts, confirmed, claims);
    } catch (e) {
      await claims?.revert();
      throw e;
    }
  }

  /** The write at the end of an update: nothing, an update, or the deletion a last finalizer completes. */
  private async storeUpdate(current: Versioned, currentObj: KubeObject, admitted: KubeObject, opts: WriteOptions, confirmed: boolean, claims: AllocationTxn | undefined): Promise<WriteResult> {
    admitted.metadata.resourceVersion = currentObj.metadata.resourceVersion;
    // A value read with an old encryption key is rewritten even unchanged: that is how rotation re-encrypts.
    if (equal(admitted, currentObj) && !(confirmed && current.stale)) {
      // "No change" is only an answer when measured against the current state.
      if (!confirmed) throw new StaleRead();
      await claims?.revert();
      return { object: currentObj, created: false };
    }
    delete admitted.metadata.resourceVersion;
    const stored = this.encodeForStorage(admitted);

    // The last finalizer removed from an object being deleted completes its deletion.
    if (admitted.metadata.deletionTimestamp && !admitted.metadata.finalizers?.length && this.graceElapsed(admitted) && !this.strategy.holdDeletion?.(structuredClone(admitted))) {
      if (opts.dryRun) return { object: this.typed(admitted), created: false };
      const rev = await this.storage.delete(current.key, current.revision);
      await claims?.revert();
      await this.released(currentObj);
      return { object: this.typed(admitted, rev), created: false };
    }
    if (opts.dryRun) return { object: this.typed(admitted, current.revision), created: false };
    const rev = await this.storage.update(current.key, admitted, current.revision, stored.bytes);
    await claims?.commit();
    return this.written(admitted, stored, rev, false);
  }

  /** Frees an object's claims once it is really gone; a failure leaves a leak for the repair pass, never an error. */
  private async released(obj: KubeObject): Promise<void> {
    if (!this.allocator) return;
    await this.allocator.release(obj).catch((e: unknown) => this.logger.warn('could not free the claims of a deleted object', { name: obj.metadata.name, error: String(e) }));
  }

  private trackFields(old: KubeObject | undefined, next: KubeObject, opts: WriteOptions, subresource?: string): void {
    if (!this.fieldTracker || opts.applying) return;
    const scope = !this.strategy.hasStatus ? 'all' : subresource === 'status' ? 'status' : 'main';
    const fields = this.fieldTracker.track(this.descriptor.definition, this.apiVersion, old, next, opts.fieldManager ?? 'unknown', subresource, scope);
    if (fields) next.metadata.managedFields = fields;
    else delete next.metadata.managedFields;
  }

  /** Objects in graceful deletion (pods) are removed by their node agent, not by a finalizer update. */
  private graceElapsed(obj: KubeObject): boolean {
    return !obj.metadata.deletionGracePeriodSeconds;
  }

  /**
   * DELETE. Objects with finalizers, foreground propagation or a grace period get a
   * deletionTimestamp and stay until those are done; others go at once. Returns the
   * object as it was last seen (kubectl prints its name).
   *
   * A DELETE of an object already being deleted, as in Kubernetes: while a grace period runs
   * it may only shorten it (and then also switch the propagation policy); otherwise nothing
   * changes. Once the grace period is over (or there was none: finalizers hold it), a new
   * propagationPolicy swaps the collector's finalizers (orphan, foregroundDeletion), and an
   * object left with none goes at once.
   */
  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: KubeObject; removed: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.storage.get(key);
      if (!current) throw new NotFoundError(this.ref(name));
      const obj = this.typed(current.object, current.revision);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw new ConflictError(this.ref(name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw new ConflictError(this.ref(name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`);
      }
      const next = structuredClone(obj);
      const meta = next.metadata;
      const grace = this.strategy.deletion?.(obj, opts.gracePeriodSeconds).gracePeriodSeconds ?? 0;
      const pendingGrace = meta.deletionTimestamp ? (meta.deletionGracePeriodSeconds ?? 0) : 0;
      // A running grace period that this request does not shorten: Kubernetes changes nothing.
      if (pendingGrace > 0 && grace >= pendingGrace) return { object: obj, removed: false };
      const gc = deletionFinalizers(meta.finalizers ?? [], opts.propagationPolicy);
      const finalizers = gc.finalizers;
      const held = this.strategy.holdDeletion?.(next) ?? false;
      try {
        if (finalizers.length === 0 && (grace === 0 || (meta.deletionTimestamp && pendingGrace === 0)) && !held) {
          if (opts.dryRun) return { object: obj, removed: true };
          const rev = await this.storage.delete(key, current.revision);
          await this.released(obj);
          return { object: this.typed(current.object, rev), removed: true };
        }
        if (meta.deletionTimestamp && pendingGrace === 0) {
          // Held by finalizers: only the collector's may change; the timestamp stays.
          if (!gc.changed) return { object: obj, removed: false };
          meta.finalizers = finalizers;
        } else {
          const now = this.clock.now();
          meta.deletionTimestamp = rfc3339(now + grace * 1000);
          meta.deletionGracePeriodSeconds = grace;
          if (finalizers.length) meta.finalizers = finalizers;
          else delete meta.finalizers;
          if (grace === 0 && finalizers.length === 0) delete meta.deletionGracePeriodSeconds;
        }
        delete meta.resourceVersion;
        if (opts.dryRun) return { object: this.typed(next, current.revision), removed: false };
        const rev = await this.storage.update(key, next, current.revision);
        return { object: this.typed(next, rev), removed: false };
      } catch (e) {
        if ((e instanceof RevisionMismatchError || e instanceof KeyNotFoundError) && attempt < maxUpdateRetries) continue;
        throw e;
      }
    }
  }

  /** Deletes every object matching the selectors in the namespace (DELETE on the collection). */
  async deleteCollection(namespace: string | undefined, list: ListOptions, opts: DeleteOptions): Promise<KubeList> {
    const current = await this.list(namespace, { ...list, limit: 0 });
    const items: KubeObject[] = [];
    for (const item of current.items) {
      try {
        items.push((await this.delete(item.metadata.namespace, item.metadata.name!, opts)).object);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    return { ...current, items };
  }

  /** Number of objects currently cached (for metrics and tests). */
  count(): number {
    return this.cache.list(this.base).length;
  }
}

/** The cached copy an update started from may be stale; read etcd and try again. */
class StaleRead extends Error {}

/** The state an update starts from; `entry` when it came from the watch cache (its bytes give cheap private copies). */
type FromCache = Versioned & { entry?: CachedObject };

function checkFinalizerAdditions(next: KubeObject, old: KubeObject): FieldCause[] {
  if (!old.metadata.deletionTimestamp) return [];
  const before = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  return added.length
    ? [{ reason: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, field: 'metadata.finalizers' }]
    : [];
}

/**
 * Whether `mutated` has the members of `current` in the same order with the same values,
 * status aside: then it is, as it is, what a status write stores (a private copy).
 */
function onlyStatusDiffers(mutated: KubeObject, current: KubeObject): boolean {
  const a = Object.keys(mutated);
  const b = Object.keys(current);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const k = a[i]!;
    if (k !== b[i]) return false;
    if (k !== 'status' && !equal((mutated as Record<string, unknown>)[k], (current as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Generation counts changes to anything outside metadata and status. */
function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !isDeepStrictEqual(strip(a), strip(b));
}

function parseRevision(s: string, what: string): number {
  if (!/^[0-9]+$/.test(s)) throw new BadRequestError(`invalid ${what}: ${JSON.stringify(s)}`);
  return Number(s);
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'gantry/1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString()) as { v?: string; rv?: unknown; start?: unknown };
    if (t.v === 'gantry/1' && typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError('continue key is not valid');
}
