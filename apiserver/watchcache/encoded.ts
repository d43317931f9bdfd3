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
  /** Byte offsets of spec's value in `json` ([0, 0) when there is none): two states' specs compare without parsing. */
  specStart: number;
  specEnd: number;
  /** Byte offsets of metadata.resourceVersion's value ([0, 0) when there is none): a new resourceVersion is a splice. */
  rvStart: number;
  rvEnd: number;
}

/** Where one member lies in a text, in characters. */
export interface MemberSpan {
  /** The member's value. */
  valueStart: number;
  valueEnd: number;
  /** The whole `"key":value` member with one adjacent comma. */
  cutStart: number;
  cutEnd: number;
}

export interface Members {
  text: string;
  /** The spans of the tracked keys that were written. */
  spans: Partial<Record<string, MemberSpan>>;
}

/**
 * JSON.stringify of a plain object, member by member, noting where the `track`ed keys lie.
 * `inner`, when given, writes the value of its own key (it must write what JSON.stringify would).
 */
export function stringifyMembers(obj: Record<string, unknown>, track: readonly string[], inner?: { key: string; encode: (value: unknown) => string | undefined }): Members {
  let text = '{';
  const spans: Partial<Record<string, MemberSpan>> = {};
  let first = true;
  let cutAfter: MemberSpan | undefined; // a tracked member came first: its cut takes the comma that follows it
  for (const k of Object.keys(obj)) {
    const value = inner && k === inner.key ? inner.encode(obj[k]) : (JSON.stringify(obj[k]) as string | undefined);
    if (value === undefined) continue; // JSON.stringify leaves out undefined, functions and symbols
    if (cutAfter) {
      cutAfter.cutEnd = text.length + 1;
      cutAfter = undefined;
    }
    const memberStart = text.length;
    text += `${first ? '' : ','}${JSON.stringify(k)}:`;
    if (track.includes(k)) {
      const span = { valueStart: text.length, valueEnd: text.length + value.length, cutStart: memberStart, cutEnd: text.length + value.length };
      spans[k] = span;
      if (first) cutAfter = span;
    }
    text += value;
    first = false;
  }
  return { text: text + '}', spans };
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** Character offsets of the spans EncodedBytes holds, within one text. */
export interface TextSpans {
  meta?: MemberSpan | undefined;
  /** managedFields within metadata, already offset to the whole text. */
  cut?: MemberSpan | undefined;
  spec?: MemberSpan | undefined;
  /** metadata.resourceVersion, already offset to the whole text. */
  rv?: MemberSpan | undefined;
}

/**
 * `text` in a buffer of its own exact size, with the spans in bytes. A buffer of its own: a
 * slice of Node's shared 8 KiB pool would keep the whole pool alive for as long as the entry lives.
 */
export function encodedBytes(text: string, spans: TextSpans): EncodedBytes {
  const size = Buffer.byteLength(text);
  const json = Buffer.allocUnsafeSlow(size);
  json.write(text, 0);
  // ASCII text (the common case) has bytes where it has characters.
  const bytes = size === text.length ? (chars: number): number => chars : (chars: number): number => Buffer.byteLength(text.slice(0, chars));
  // A span's value (or, for managedFields, the cut that removes the member) in bytes; [0, 0] when absent.
  const value = (span: MemberSpan | undefined): [number, number] => (span ? [bytes(span.valueStart), bytes(span.valueEnd)] : [0, 0]);
  const cut = (span: MemberSpan | undefined): [number, number] => (span ? [bytes(span.cutStart), bytes(span.cutEnd)] : [0, 0]);
  // managedFields and resourceVersion lie inside metadata: without metadata they are not looked for.
  const [metaStart, metaEnd] = value(spans.meta);
  const [cutStart, cutEnd] = spans.meta ? cut(spans.cut) : [0, 0];
  const [rvStart, rvEnd] = spans.meta ? value(spans.rv) : [0, 0];
  const [specStart, specEnd] = value(spans.spec);
  const out: EncodedBytes = { json, metaStart, metaEnd, cutStart, cutEnd, specStart, specEnd, rvStart, rvEnd };
  return out;
}

/** Moves a span found in an inner text to its place in the outer one. */
export function shifted(span: MemberSpan | undefined, by: number): MemberSpan | undefined {
  return span && { valueStart: span.valueStart + by, valueEnd: span.valueEnd + by, cutStart: span.cutStart + by, cutEnd: span.cutEnd + by };
}

/** JSON.stringify(obj), byte for byte, noting where metadata's value, its managedFields and resourceVersion, and spec lie. */
export function encodeObject(obj: KubeObject): EncodedBytes {
  let metaCut: Members | undefined;
  const top = stringifyMembers(obj as unknown as Record<string, unknown>, ['metadata', 'spec'], {
    key: 'metadata',
    encode: (meta) => {
      if (!isPlainObject(meta)) return JSON.stringify(meta) as string | undefined;
      metaCut = stringifyMembers(meta, ['managedFields', 'resourceVersion']);
      return metaCut.text;
    },
  });
  const meta = top.spans.metadata;
  // A resourceVersion span only over a string: a splice writes a string there.
  const rv = typeof (obj.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion === 'string' ? metaCut?.spans.resourceVersion : undefined;
  return encodedBytes(top.text, { meta, cut: meta && shifted(metaCut?.spans.managedFields, meta.valueStart), spec: top.spans.spec, rv: meta && shifted(rv, meta.valueStart) });
}

/**
 * The same JSON with metadata.resourceVersion's value (a string) replaced by `revision`:
 * what JSON.stringify writes for {...object, metadata: {...metadata, resourceVersion}} when
 * the object already had one (it keeps its place). Undefined when `enc` marks none.
 */
export function withResourceVersion(enc: EncodedBytes, revision: number): EncodedBytes | undefined {
  if (enc.rvEnd <= enc.rvStart) return undefined;
  const value = Buffer.from(JSON.stringify(String(revision)));
  const delta = value.length - (enc.rvEnd - enc.rvStart);
  const json = Buffer.allocUnsafeSlow(enc.json.length + delta);
  enc.json.copy(json, 0, 0, enc.rvStart);
  value.copy(json, enc.rvStart);
  enc.json.copy(json, enc.rvStart + value.length, enc.rvEnd);
  // Spans never straddle the value: those after it move by the change in its length.
  const at = (offset: number): number => (offset >= enc.rvEnd ? offset + delta : offset);
  return {
    json,
    metaStart: at(enc.metaStart),
    metaEnd: at(enc.metaEnd),
    cutStart: at(enc.cutStart),
    cutEnd: at(enc.cutEnd),
    specStart: at(enc.specStart),
    specEnd: at(enc.specEnd),
    rvStart: enc.rvStart,
    rvEnd: enc.rvStart + value.length,
  };
}
