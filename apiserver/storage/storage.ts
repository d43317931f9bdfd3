// The narrow storage seam (ARCHITECTURE.md, convention 6). Keys and revisions only:
// the storage knows nothing of kinds; the registry above it maps its errors to API errors.

import type { KubeObject } from '../../common/api/meta.js';

export interface Versioned {
  key: string;
  /** The object without metadata.resourceVersion (the revision carries it). */
  object: KubeObject;
  /** etcd mod_revision of the key. */
  revision: number;
  /** Read with an older encryption key or provider: an update must write it even when unchanged (rotation). */
  stale?: boolean;
}

export interface ListResult {
  items: Versioned[];
  /** The store revision the list was read at. */
  revision: number;
  /** Set when `limit` cut the list: the key to continue after. */
  nextKey?: string;
  /**
   * With nextKey: how many keys of the range follow this page (etcd's count of the range
   * from the start key, less the keys returned). Keys, not decodable objects, so a value
   * left out by decodeOrSkip still counts; a lister with selectors cannot use it.
   */
  remaining?: number;
}

export interface ListOptions {
  limit?: number;
  /** Start at this key (inclusive), within the prefix. */
  fromKey?: string;
  /** Read at this past revision (for consistent pagination). */
  atRevision?: number;
}

/**
 * A key written. The value is parsed only when `object` is first read: a reader that knows
 * these bytes already (the write that made them) need not parse them at all.
 */
export class StoragePut {
  readonly type = 'put';
  private parsed: KubeObject | undefined;

  constructor(
    readonly key: string,
    readonly revision: number,
    /** The value as stored, after decryption: the object's JSON without metadata.resourceVersion. Never mutate. */
    readonly value: Buffer,
    readonly created: boolean,
  ) {}

  /** The value parsed (once; shared by every reader of this event: never mutate). */
  get object(): KubeObject {
    return (this.parsed ??= JSON.parse(this.value.toString()) as KubeObject);
  }
}

export type StorageEvent = StoragePut | { type: 'delete'; key: string; revision: number };

export interface StorageWatch {
  close(): void;
}

export interface StorageWatchHandlers {
  events(batch: StorageEvent[]): void;
  /** The watch cannot continue (e.g. its start revision was compacted); the caller must relist. */
  failed(err: Error): void;
}

export interface Storage {
  get(key: string): Promise<Versioned | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /**
   * Fails with KeyExistsError when the key exists. Returns the new revision. `json`, when the
   * caller made it already, is storedJson(object).bytes: written as it is, not made again.
   */
  create(key: string, object: KubeObject, json?: Buffer): Promise<number>;
  /** Fails with RevisionMismatchError (carrying the current state) unless the key is at `expectedRevision`. `json` as for create. */
  update(key: string, object: KubeObject, expectedRevision: number, json?: Buffer): Promise<number>;
  /** Deletes when the key is at `expectedRevision` (any, when undefined). Returns the delete revision. */
  delete(key: string, expectedRevision?: number): Promise<number>;
  /** Every change under the prefix with revision > afterRevision, in order. */
  watch(prefix: string, afterRevision: number, handlers: StorageWatchHandlers): StorageWatch;
  currentRevision(): Promise<number>;
  /** Drop history older than `revision`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
