// Storage on etcd through the etcd3 client's raw KV calls: one round trip per
// operation, with compare-and-swap transactions on mod_revision for create/update/delete.

import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, type IBackoff } from 'cockatiel';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import { prefixEnd } from '../../common/etcdKeys.js';
import type { KubeObject } from '../../common/api/meta.js';
import type { Logger } from '../../common/logging.js';
import { KeyExistsError, KeyNotFoundError, RevisionCompactedError, RevisionMismatchError, StorageUnavailableError } from './errors.js';
import { identityTransformer, ValueTransformError, type ValueTransformer } from './encryption.js';
import { StoragePut, type ListOptions, type ListResult, type Storage, type StorageEvent, type StorageWatch, type StorageWatchHandlers, type Versioned } from './storage.js';
import { storedJson } from './storedJson.js';

interface RawKv {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
  create_revision: string;
}

function unavailable(e: unknown): never {
  if (e instanceof KeyExistsError || e instanceof KeyNotFoundError || e instanceof RevisionMismatchError || e instanceof ValueTransformError) throw e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/compacted/i.test(msg)) throw e;
  throw new StorageUnavailableError(`etcd request failed: ${msg}`, { cause: e });
}

export interface EtcdStorageOptions {
  endpoints: string[];
  logger: Logger;
  /** Per-call deadline. */
  timeoutMs?: number;
  /** Between object bytes and etcd values: encryption at rest (default: plain). */
  transformer?: ValueTransformer;
  /** For https endpoints: the etcd CA (PEM) and the client certificate and key it signed (--etcd-cafile/certfile/keyfile). */
  tls?: EtcdClientCredentials;
}

export interface EtcdClientCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export class EtcdStorage implements Storage {
  private readonly client: Etcd3;
  private readonly clientOpts: IOptions;
  /** Watches get their own connection, so a busy write path cannot hold back events (HTTP/2 flow control). */
  private watchClient: Etcd3 | undefined;
  private readonly logger: Logger;
  private readonly transformer: ValueTransformer;

  constructor(opts: EtcdStorageOptions) {
    const clientOpts: IOptions = {
      hosts: opts.endpoints,
      // gRPC's default 4 MiB receive limit would fail a page of a few thousand pods.
      // Keepalive pings find a dead member under a long-lived watch stream (etcd allows one every 5 s).
      grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024, 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000, 'grpc.keepalive_permit_without_calls': 1 },
      // A deadline on a watch stream would end it every timeoutMs and resume it (a delay for the
      // events in between): streams get none, single calls do.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + (opts.timeoutMs ?? 10_000) }),
      // Fault handling as the client's default (retry recoverable errors; a per-host circuit
      // breaker, so with several members it fails over to a live one), but the breaker tries a
      // member again after 500 ms, not 5 s, and watches reconnect within 2 s, not 30 s: a
      // restarted etcd (its supervisor brings it back in about a second) is used again at once.
      faultHandling: {
        host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(3) }),
        // etcd3 calls next() on this to start each backoff, as on its own default (a cockatiel
        // ExponentialBackoff, the factory), though its .d.ts names the backoff type.
        watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 }) as unknown as IBackoff<unknown>,
      },
      ...(opts.tls
        ? { credentials: { rootCertificate: Buffer.from(opts.tls.caPem), certChain: Buffer.from(opts.tls.certPem), privateKey: Buffer.from(opts.tls.keyPem) } }
        : {}),
    };
    this.clientOpts = clientOpts;
    this.client = new Etcd3(clientOpts);
    this.logger = opts.logger;
    this.transformer = opts.transformer ?? identityTransformer;
  }

  /** Throws ValueTransformError (a 500 naming the key) when the value cannot be decrypted. */
  private decode(kv: RawKv): Versioned {
    const key = kv.key.toString();
    const { value, stale } = this.transformer.fromStorage(key, kv.value);
    const out: Versioned = { key, object: JSON.parse(value.toString()) as KubeObject, revision: Number(kv.mod_revision) };
    if (stale) out.stale = true;
    return out;
  }

  /**
   * For lists and watches, which feed the watch cache: one value no provider can read must
   * not stop the cache (and the whole API server) from loading, so it is left out and logged;
   * a GET of that key answers the 500 naming it.
   */
  private decodeOrSkip(kv: RawKv): Versioned | undefined {
    return this.orSkip(() => this.decode(kv));
  }

  /** A watch event's value decrypted, not parsed (StoragePut parses when asked); undefined as for decodeOrSkip. */
  private decryptOrSkip(key: string, kv: RawKv): Buffer | undefined {
    return this.orSkip(() => this.transformer.fromStorage(key, kv.value).value);
  }

  private orSkip<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof ValueTransformError)) throw e;
      this.logger.error('skipping a value that cannot be decrypted', { key: e.key, error: e.message });
      return undefined;
    }
  }

  /** Objects are stored without their resourceVersion (storedJson): the etcd revision is the source of truth. */
  private encode(key: string, object: KubeObject, json?: Buffer): Buffer {
    return this.transformer.toStorage(key, json ?? storedJson(object).bytes);
  }

  async get(key: string): Promise<Versioned | undefined> {
    try {
      const res = await this.client.kv.range({ key: Buffer.from(key) });
      const kv = res.kvs[0];
      return kv ? this.decode(kv) : undefined;
    } catch (e) {
      return unavailable(e);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    try {
      const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
      const res = await this.client.kv.range({
        key: Buffer.from(opts.fromKey ?? prefix),
        range_end: prefixEnd(prefix),
        // One more than asked tells us whether there is a next page.
        limit: limit ? limit + 1 : 0,
        revision: opts.atRevision ?? 0,
      });
      // Paging counts raw keys, so a skipped value cannot shift the next page's start.
      const raw = res.kvs as RawKv[];
      const out: ListResult = { items: [], revision: opts.atRevision ?? Number(res.header.revision) };
      if (limit && raw.length > limit) {
        out.nextKey = raw[limit]!.key.toString();
        raw.length = limit;
        // etcd counts the whole range [start, end) whatever the limit, in the same read.
        out.remaining = Math.max(0, Number(res.count) - limit);
      }
      for (const kv of raw) {
        const item = this.decodeOrSkip(kv);
        if (item) out.items.push(item);
      }
      return out;
    } catch (e) {
      if (e instanceof Error && /compacted/i.test(e.message) && opts.atRevision !== undefined) {
        throw new RevisionCompactedError(opts.atRevision, 0);
      }
      return unavailable(e);
    }
  }

  async create(key: string, object: KubeObject, json?: Buffer): Promise<number> {
    try {
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: 0 }],
        success: [{ request_put: { key: k, value: this.encode(key, object, json) } }],
        failure: [],
      });
      if (!res.succeeded) throw new KeyExistsError(key);
      return Number(res.header.revision);
    } catch (e) {
      return unavailable(e);
    }
  }

  async update(key: string, object: KubeObject, expectedRevision: number, json?: Buffer): Promise<number> {
    try {
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_put: { key: k, value: this.encode(key, object, json) } }],
        failure: [{ request_range: { key: k } }],
      });
      if (!res.succeeded) {
        const kv = res.responses[0]?.response_range?.kvs[0];
        throw new RevisionMismatchError(key, expectedRevision, kv ? this.decode(kv) : undefined);
      }
      return Number(res.header.revision);
    } catch (e) {
      return unavailable(e);
    }
  }

  async delete(key: string, expectedRevision?: number): Promise<number> {
    try {
      const k = Buffer.from(key);
      if (expectedRevision === undefined) {
        const res = await this.client.kv.deleteRange({ key: k });
        if (Number(res.deleted) === 0) throw new KeyNotFoundError(key);
        return Number(res.header.revision);
      }
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_delete_range: { key: k } }],
        failure: [{ request_range: { key: k } }],
      });
      if (!res.succeeded) {
        const kv = res.responses[0]?.response_range?.kvs[0];
        if (!kv) throw new KeyNotFoundError(key);
        throw new RevisionMismatchError(key, expectedRevision, this.decode(kv));
      }
      return Number(res.header.revision);
    } catch (e) {
      return unavailable(e);
    }
  }

  watch(prefix: string, afterRevision: number, handlers: StorageWatchHandlers): StorageWatch {
    let closed = false;
    this.watchClient ??= new Etcd3(this.clientOpts);
    const builder = this.watchClient.watch().prefix(prefix).startRevision(String(afterRevision + 1));
    const pending = builder.create();
    pending
      .then((watcher) => {
        if (closed) {
          void watcher.cancel();
          return;
        }
        // The client resumes a broken stream (a member gone, a deadline) from the revision in
        // the last response header, which can be past events not yet delivered while catching
        // up: resume from the last event handed on instead, so no event is skipped.
        let delivered = afterRevision;
        watcher.on('connecting', () => {
          // Sent as the create request right after this event.
          watcher.request.start_revision = String(delivered + 1);
        });
        watcher.on('data', (res) => {
          const batch: StorageEvent[] = [];
          for (const ev of res.events) {
            const kv = ev.kv as RawKv;
            const revision = Number(kv.mod_revision);
            delivered = Math.max(delivered, revision);
            const key = kv.key.toString();
            if (ev.type === 'Delete') batch.push({ type: 'delete', key, revision });
            else {
              const value = this.decryptOrSkip(key, kv);
              if (value) batch.push(new StoragePut(key, revision, value, kv.create_revision === kv.mod_revision));
            }
          }
          if (batch.length) handlers.events(batch);
        });
        watcher.on('error', (err) => {
          if (closed) return;
          closed = true;
          const msg = err.message;
          const m = /compact/i.test(msg) ? new RevisionCompactedError(afterRevision, 0) : err;
          this.logger.warn('etcd watch failed', { prefix, error: msg });
          void watcher.cancel().catch(() => undefined);
          handlers.failed(m);
        });
        closeHook = () => void watcher.cancel().catch(() => undefined);
      })
      .catch((err: unknown) => {
        if (closed) return;
        closed = true;
        handlers.failed(err instanceof Error ? err : new Error(String(err)));
      });
    let closeHook: () => void = () => undefined;
    return {
      close: () => {
        closed = true;
        closeHook();
      },
    };
  }

  async currentRevision(): Promise<number> {
    try {
      // A count-only range over an empty key space still returns the header revision.
      const res = await this.client.kv.range({ key: Buffer.from('\0'), count_only: true });
      return Number(res.header.revision);
    } catch (e) {
      return unavailable(e);
    }
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision });
    } catch (e) {
      if (e instanceof Error && /compacted/i.test(e.message)) return;
      unavailable(e);
    }
  }

  async close(): Promise<void> {
    this.client.close();
    this.watchClient?.close();
  }
}
