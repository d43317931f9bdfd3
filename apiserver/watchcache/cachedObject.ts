// One watch-cache entry, kept compact: the object's JSON bytes (exactly what a JSON GET,
// LIST or watch event writes) plus the few values selectors need, computed once when the
// entry is made. The parsed tree is not kept: a reader that needs it parses the bytes.

import type { KubeObject } from '../../common/api/meta.js';
import { fieldsOf } from '../../common/selectors/fields.js';
import { encodeObject, type EncodedObject } from './encoded.js';

/** The values label and field selectors match against. */
export interface Selectable {
  /** The kind whose field set `fields` holds (the object's own `kind`). */
  readonly kind: string | undefined;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly fields: Readonly<Record<string, string>>;
}

// kind and apiVersion repeat in every entry: keep one string of each.
const interned = new Map<string, string>();
function intern(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  const have = interned.get(s);
  if (have !== undefined) return have;
  if (interned.size < 1_000) interned.set(s, s);
  return s;
}

export class CachedObject implements EncodedObject, Selectable {
  readonly kind: string | undefined;
  readonly apiVersion: string | undefined;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly fields: Readonly<Record<string, string>>;
  readonly json: Buffer;
  private readonly metaStart: number;
  private readonly metaEnd: number;
  private readonly cutStart: number;
  private readonly cutEnd: number;

  /** `object` must already carry its resourceVersion; it is read here and not kept. */
  constructor(
    readonly key: string,
    readonly revision: number,
    object: KubeObject,
  ) {
    this.kind = intern(object.kind);
    this.apiVersion = intern(object.apiVersion);
    const labels = object.metadata?.labels;
    this.labels = labels && typeof labels === 'object' ? labels : undefined;
    this.fields = fieldsOf(this.kind ?? '', object);
    const enc = encodeObject(object);
    this.json = enc.json;
    this.metaStart = enc.metaStart;
    this.metaEnd = enc.metaEnd;
    this.cutStart = enc.cutStart;
    this.cutEnd = enc.cutEnd;
  }

  /** A new entry for `object` with metadata.resourceVersion set to `revision`. */
  static stamped(key: string, revision: number, object: KubeObject): CachedObject {
    return new CachedObject(key, revision, { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } });
  }

  /** A fresh parse of the bytes: the caller owns it and may change it. */
  get object(): KubeObject {
    return JSON.parse(this.json.toString()) as KubeObject;
  }

  forReading(): KubeObject {
    if (this.cutEnd <= this.cutStart) return this.object;
    return JSON.parse(this.json.toString('utf8', 0, this.cutStart) + this.json.toString('utf8', this.cutEnd)) as KubeObject;
  }

  metadataJson(): Buffer {
    return this.metaEnd > this.metaStart ? this.json.subarray(this.metaStart, this.metaEnd) : Buffer.from('{}');
  }
}
