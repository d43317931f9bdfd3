// An object as the HTTP layer writes it: its JSON bytes, and the parsed object for the
// representations that need one (Table cells, YAML, subresource views). The watch cache's
// entries are the compact kind (bytes only, parsed on demand); objects read from etcd or
// just written are the plain kind (the object, serialized on demand).

import type { KubeObject } from '../../common/api/meta.js';

export interface EncodedObject {
  /** The object's JSON exactly as JSON.stringify writes it. Shared: never mutate. */
  readonly json: Buffer;
  /** The parsed object. Each read of a compact entry parses anew; never mutate a plain one's. */
  readonly object: KubeObject;
  /** The JSON of `metadata` alone (a Table row's PartialObjectMetadata). */
  metadataJson(): Buffer;
  /**
   * The object for reading only (a Table row's cells): managedFields may be left out, as
   * nothing that prints reads them; parsing them would be a third of the work.
   */
  forReading(): KubeObject;
}

/** Wraps an object that is never mutated afterwards; its JSON is made once, when first asked. */
export class PlainEncoded implements EncodedObject {
  private bytes: Buffer | undefined;

  constructor(readonly object: KubeObject) {}

  get json(): Buffer {
    return (this.bytes ??= Buffer.from(JSON.stringify(this.object)));
  }

  metadataJson(): Buffer {
    return Buffer.from(JSON.stringify(this.object.metadata));
  }

  forReading(): KubeObject {
    return this.object;
  }
}

/** The JSON of an object with the byte spans a reader may want without parsing. */
export interface EncodedBytes {
  json: Buffer;
  /** Byte offsets of metadata's value in `json` ([0, 0) when there is none). */
  metaStart: number;
  metaEnd: number;
  /** Bytes to cut to leave out metadata.managedFields, with one comma ([0, 0) when there are none). */
  cutStart: number;
  cutEnd: number;
}

interface Members {
  text: string;
  /** Character offsets of `key`'s value in text, or -1. */
  valueStart: number;
  valueEnd: number;
  /** Character offsets of the `"key":value` member with one adjacent comma, or -1. */
  cutStart: number;
  cutEnd: number;
}

/** JSON.stringify of a plain object, member by member, noting where `key`'s value lies. */
function stringifyMembers(obj: Record<string, unknown>, key: string, inner?: (value: unknown) => string | undefined): Members {
  let text = '{';
  const out: Members = { text: '', valueStart: -1, valueEnd: -1, cutStart: -1, cutEnd: -1 };
  let first = true;
  let cutAfter = false; // the cut member came first: it takes the comma that follows it
  for (const k of Object.keys(obj)) {
    const value = k === key && inner ? inner(obj[k]) : (JSON.stringify(obj[k]) as string | undefined);
    if (value === undefined) continue; // JSON.stringify leaves out undefined, functions and symbols
    if (cutAfter) {
      out.cutEnd = text.length + 1;
      cutAfter = false;
    }
    const memberStart = text.length;
    text += `${first ? '' : ','}${JSON.stringify(k)}:`;
    if (k === key) {
      out.valueStart = text.length;
      out.valueEnd = text.length + value.length;
      out.cutStart = memberStart;
      out.cutEnd = out.valueEnd;
      cutAfter = first;
    }
    text += value;
    first = false;
  }
  out.text = text + '}';
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/**
 * JSON.stringify(obj), byte for byte, written into a buffer of its own exact size, noting
 * where metadata's value and its managedFields lie. A buffer of its own: a slice of Node's
 * shared 8 KiB pool would keep the whole pool alive for as long as the entry lives.
 */
export function encodeObject(obj: KubeObject): EncodedBytes {
  let metaCut: Members | undefined;
  const top = stringifyMembers(obj as unknown as Record<string, unknown>, 'metadata', (meta) => {
    if (!isPlainObject(meta)) return JSON.stringify(meta) as string | undefined;
    metaCut = stringifyMembers(meta, 'managedFields');
    return metaCut.text;
  });
  const text = top.text;
  const bytes = (chars: number): number => Buffer.byteLength(text.slice(0, chars));
  const json = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  json.write(text, 0);
  const out: EncodedBytes = { json, metaStart: 0, metaEnd: 0, cutStart: 0, cutEnd: 0 };
  if (top.valueStart >= 0) {
    out.metaStart = bytes(top.valueStart);
    out.metaEnd = bytes(top.valueEnd);
    if (metaCut && metaCut.cutStart >= 0) {
      out.cutStart = bytes(top.valueStart + metaCut.cutStart);
      out.cutEnd = bytes(top.valueStart + metaCut.cutEnd);
    }
  }
  return out;
}
