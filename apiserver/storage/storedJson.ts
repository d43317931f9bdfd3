// The bytes an object is stored as (its JSON without metadata.resourceVersion: the etcd
// revision is the source of truth), made once per write: the size limit is checked on them,
// etcd gets them, and the answer to the write is the same bytes with the new
// resourceVersion spliced into metadata, instead of a second and a third JSON.stringify.

import type { KubeObject } from '../../common/api/meta.js';
import { encodedBytes, shifted, stringifyMembers, type EncodedBytes, type EncodedObject, type Members } from '../watchcache/encoded.js';

export interface StoredJson {
  /** Exactly what etcd gets (before encryption at rest). */
  readonly bytes: Buffer;
  /**
   * The JSON of the object with metadata.resourceVersion set to `revision`, byte for byte
   * what JSON.stringify writes for the store's answer ({apiVersion, kind, ...object} with the
   * resourceVersion last in metadata); undefined when the layout does not allow the splice.
   */
  answer(revision: number): Buffer | undefined;
  /**
   * The watch cache's entry for these bytes read back at `revision`: byte for byte
   * JSON.stringify of the object parsed from `bytes` with metadata.resourceVersion set (last
   * in metadata, where nothing else puts it), in a buffer of its own, with its spans;
   * undefined when metadata is not an object. The same splice as the answer's, made once.
   */
  entry(revision: number): EncodedBytes | undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object's stored JSON (what etcd holds), as one JSON.stringify of it without metadata.resourceVersion would write. */
export function storedJson(object: KubeObject): StoredJson {
  const meta = object.metadata as unknown;
  if (!isPlainObject(meta)) return plain(object);
  const { resourceVersion: _rv, ...rest } = meta;
  // Member by member, noting where metadata (and its managedFields) and spec lie, for the cache entry.
  let metaMembers: Members | undefined;
  const top = stringifyMembers(object as unknown as Record<string, unknown>, ['metadata', 'spec'], {
    key: 'metadata',
    encode: () => (metaMembers = stringifyMembers(rest, ['managedFields'])).text,
  });
  const text = top.text;
  const metaSpan = top.spans.metadata!;
  const metaClose = metaSpan.valueEnd - 1;
  const bytes = Buffer.from(text);
  // The answer's layout is JSON.stringify({apiVersion, kind, ...object, metadata: {...metadata, resourceVersion}}):
  // the same text when apiVersion and kind lead and metadata held no resourceVersion of its own.
  const keys = Object.keys(object);
  const answerable = keys[0] === 'apiVersion' && keys[1] === 'kind' && typeof object.apiVersion === 'string' && typeof object.kind === 'string' && !Object.hasOwn(meta, 'resourceVersion');
  let made: { revision: number; enc: EncodedBytes } | undefined;
  const entry = (revision: number): EncodedBytes => {
    if (made?.revision === revision) return made.enc;
    const insert = `${metaMembers!.text === '{}' ? '' : ','}"resourceVersion":${JSON.stringify(String(revision))}`;
    const spliced = `${text.slice(0, metaClose)}${insert}${text.slice(metaClose)}`;
    const spec = top.spans.spec;
    // The value follows the only colon of the inserted member.
    const rvValue = metaClose + insert.indexOf(':') + 1;
    const enc = encodedBytes(spliced, {
      meta: { ...metaSpan, valueEnd: metaSpan.valueEnd + insert.length },
      rv: { valueStart: rvValue, valueEnd: metaClose + insert.length, cutStart: metaClose, cutEnd: metaClose + insert.length },
      cut: shifted(metaMembers!.spans.managedFields, metaSpan.valueStart),
      spec: spec && spec.valueStart > metaClose ? shifted(spec, insert.length) : spec,
    });
    made = { revision, enc };
    return enc;
  };
  return {
    bytes,
    answer: (revision) => (answerable ? entry(revision).json : undefined),
    entry,
  };
}

function plain(object: KubeObject): StoredJson {
  const { resourceVersion: _rv, ...meta } = object.metadata ?? {};
  return { bytes: Buffer.from(JSON.stringify({ ...object, metadata: meta })), answer: () => undefined, entry: () => undefined };
}

/** An object just written, with the bytes of its answer already made. Never mutated afterwards. */
export class WrittenObject implements EncodedObject {
  constructor(
    readonly object: KubeObject,
    readonly json: Buffer,
  ) {}

  metadataJson(): Buffer {
    return Buffer.from(JSON.stringify(this.object.metadata));
  }

  forReading(): KubeObject {
    return this.object;
  }
}
