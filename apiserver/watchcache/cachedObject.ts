// One watch-cache entry, kept compact: the object's JSON bytes (exactly what a JSON GET,
// LIST or watch event writes) plus the few values selectors need, computed once when the
// entry is made. The parsed tree is not kept: a reader that needs it parses the bytes.
// A delete's entry is the last state's bytes with the delete's revision spliced in
// (PreparedEntry): no parse and no second serialization.

import type { KubeObject } from '../../common/api/meta.js';
import { fieldsOf } from '../../common/selectors/fields.js';
import { encodeObject, withResourceVersion, type EncodedBytes, type EncodedObject } from './encoded.js';

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

/** What an entry keeps of its object beside the bytes: read from the object when the entry is made. */
export interface EntryFacts extends Selectable {
  readonly apiVersion: string | undefined;
}

/** The facts of `object`, which the entry may keep (labels by reference): a fresh parse that nobody else holds. */
export function factsOf(object: KubeObject): EntryFacts {
  const kind = intern(object.kind);
  const labels = object.metadata?.labels;
  const own = labels && typeof labels === 'object' ? labels : undefined;
  return {
    kind,
    apiVersion: intern(object.apiVersion),
    labels: own,
    fields: fieldsOf(kind ?? '', object),
  };
}

/** Bytes already made (another entry's, with a new resourceVersion spliced in) and the facts of the object they encode. */
export class PreparedEntry {
  constructor(
    readonly bytes: EncodedBytes,
    readonly facts: EntryFacts,
  ) {}
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
  private readonly specStart: number;
  private readonly specEnd: number;
  private readonly rvStart: number;
  private readonly rvEnd: number;

  /** `object` must already carry its resourceVersion; it is read here and not kept. */
  constructor(
    readonly key: string,
    readonly revision: number,
    object: KubeObject | PreparedEntry,
  ) {
    const prepared = object instanceof PreparedEntry;
    const facts = prepared ? object.facts : factsOf(object);
    this.kind = facts.kind;
    this.apiVersion = facts.apiVersion;
    this.labels = facts.labels;
    this.fields = facts.fields;
    const enc = prepared ? object.bytes : encodeObject(object);
    this.json = enc.json;
    this.metaStart = enc.metaStart;
    this.metaEnd = enc.metaEnd;
    this.cutStart = enc.cutStart;
    this.cutEnd = enc.cutEnd;
    this.specStart = enc.specStart;
    this.specEnd = enc.specEnd;
    this.rvStart = enc.rvStart;
    this.rvEnd = enc.rvEnd;
  }

  /**
   * This entry's object at another revision (a delete's): equal to stamped() of its object,
   * made by replacing the resourceVersion's bytes rather than parsing and serializing.
   */
  restamped(revision: number): CachedObject {
    const { json, metaStart, metaEnd, cutStart, cutEnd, specStart, specEnd, rvStart, rvEnd } = this;
    const enc = withResourceVersion({ json, metaStart, metaEnd, cutStart, cutEnd, specStart, specEnd, rvStart, rvEnd }, revision);
    if (!enc) return CachedObject.stamped(this.key, revision, this.object);
    return new CachedObject(this.key, revision, new PreparedEntry(enc, this));
  }

  /** A new entry for `object` with metadata.resourceVersion set to `revision`. */
  static stamped(key: string, revision: number, object: KubeObject): CachedObject {
    return new CachedObject(key, revision, { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } });
  }

  /** The JSON of `spec` alone (undefined when there is none): whether two states' specs differ, without parsing. */
  specJson(): Buffer | undefined {
    return this.specEnd > this.specStart ? this.json.subarray(this.specStart, this.specEnd) : undefined;
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
