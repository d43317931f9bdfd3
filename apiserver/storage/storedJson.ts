// The bytes an object is stored as (its JSON without metadata.resourceVersion: the etcd
// revision is the source of truth), made once per write: the size limit is checked on them,
// etcd gets them, and the answer to the write is the same bytes with the new
// resourceVersion spliced into metadata, instead of a second and a third JSON.stringify.

import type { KubeObject } from '../../common/api/meta.js';
import type { EncodedObject } from '../watchcache/encoded.js';

export interface StoredJson {
  /** Exactly what etcd gets (before encryption at rest). */
  readonly bytes: Buffer;
  /**
   * The JSON of the object with metadata.resourceVersion set to `revision`, byte for byte
   * what JSON.stringify writes for the store's answer ({apiVersion, kind, ...object} with the
   * resourceVersion last in metadata); undefined when the layout does not allow the splice.
   */
  answer(revision: number): Buffer | undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object's stored JSON (what etcd holds), as one JSON.stringify of it without metadata.resourceVersion would write. */
export function storedJson(object: KubeObject): StoredJson {
  const meta = object.metadata as unknown;
  if (!isPlainObject(meta)) return plain(object);
  const { resourceVersion: _rv, ...rest } = meta;
  // `metadata` member by member: everything up to its closing brace, then the rest.
  let text = '{';
  let metaClose = -1;
  let metaEmpty = true;
  let first = true;
  for (const k of Object.keys(object)) {
    const raw = k === 'metadata' ? rest : (object as Record<string, unknown>)[k];
    const value = JSON.stringify(raw) as string | undefined;
    if (value === undefined) continue; // JSON.stringify leaves out undefined members
    text += `${first ? '' : ','}${JSON.stringify(k)}:${value}`;
    if (k === 'metadata') {
      metaClose = text.length - 1;
      metaEmpty = value === '{}';
    }
    first = false;
  }
  text += '}';
  const bytes = Buffer.from(text);
  // The answer's layout is JSON.stringify({apiVersion, kind, ...object, metadata: {...metadata, resourceVersion}}):
  // the same text when apiVersion and kind lead and metadata held no resourceVersion of its own.
  const keys = Object.keys(object);
  const spliceable = metaClose >= 0 && keys[0] === 'apiVersion' && keys[1] === 'kind' && typeof object.apiVersion === 'string' && typeof object.kind === 'string' && !Object.hasOwn(meta, 'resourceVersion');
  return {
    bytes,
    answer: (revision) => {
      if (!spliceable) return undefined;
      return Buffer.from(`${text.slice(0, metaClose)}${metaEmpty ? '' : ','}"resourceVersion":${JSON.stringify(String(revision))}${text.slice(metaClose)}`);
    },
  };
}

function plain(object: KubeObject): StoredJson {
  const { resourceVersion: _rv, ...meta } = object.metadata ?? {};
  return { bytes: Buffer.from(JSON.stringify({ ...object, metadata: meta })), answer: () => undefined };
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
