// The apimachinery types whose JSON form is not their message's shape: each one's two
// directions side by side, so that decoding (message -> JSON) and encoding (JSON ->
// message) cannot drift apart. The JSON side is what Kubernetes' MarshalJSON writes for
// the Go value that its protobuf Unmarshal produces.

import { isQuantity } from '../../common/quantity.js';
import { checkBounds } from '../../common/yaml.js';
import type { MessageValue } from './encode.js';
import { formatGoDuration, formatRfc3339, isZeroTime, normalize, parseGoDuration, parseRfc3339 } from './goTime.js';
import { WireError } from './wireDecode.js';

/** Decodes a protobuf body found inside a RawExtension (an object in an object). */
export type NestedDecoder = (raw: Uint8Array, path: string, depth: number) => unknown;

export interface WellKnownContext {
  path: string;
  /** Depth of this message below the body's top, for the JSON inside raw fields. */
  depth: number;
  maxDepth: number;
  nested: NestedDecoder;
}

export interface WellKnownType {
  /** The JSON value; undefined where Go's JSON writes null (a zero time, a nil raw). */
  toJson(m: MessageValue, ctx: WellKnownContext): unknown;
  /** The message tree encode.ts writes for that JSON value. */
  toMessage(json: unknown, path: string): MessageValue;
}

const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';
export const protobufMagic = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

function expect<T>(ok: boolean, path: string, what: string, v: unknown): T {
  if (!ok) throw new TypeError(`${path}: expected ${what}, got ${JSON.stringify(v)}`);
  return v as T;
}

function timeToJson(m: MessageValue, ctx: WellKnownContext, micro: boolean): string | undefined {
  // An empty message is the zero time (Go's Marshal writes nothing for it), JSON's null.
  if (m.seconds === undefined && m.nanos === undefined) return undefined;
  // metav1.Time keeps whole seconds only (its Unmarshal drops the nanos); MicroTime keeps them.
  const t = normalize(n(m.seconds), micro ? n(m.nanos) : 0);
  if (isZeroTime(t)) return undefined;
  try {
    return formatRfc3339(t, micro ? 6 : 0);
  } catch (e) {
    throw new WireError((e as Error).message, ctx.path);
  }
}

function timeToMessage(json: unknown, path: string, micro: boolean): MessageValue {
  if (json === null) return {};
  const t = parseRfc3339(expect<string>(typeof json === 'string', path, 'an RFC 3339 time', json));
  return micro ? { seconds: Number(t.seconds), nanos: Number(t.nanos) } : { seconds: Number(t.seconds), nanos: 0 };
}

const startsWithMagic = (b: Uint8Array): boolean => b.length >= 4 && protobufMagic.every((x, i) => b[i] === x);

/** RawExtension and FieldsV1 carry JSON bytes; Go's MarshalJSON writes them as they are. */
function rawToJson(raw: unknown, ctx: WellKnownContext, allowProtobuf: boolean): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
  if (allowProtobuf && startsWithMagic(raw)) return ctx.nested(raw, ctx.path, ctx.depth + 1);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw).toString('utf8'));
    checkBounds(value, { maxNodes: Number.POSITIVE_INFINITY, maxDepth: Math.max(1, ctx.maxDepth - ctx.depth) });
  } catch (e) {
    throw new WireError(`the embedded object is not valid JSON: ${(e as Error).message}`, ctx.path);
  }
  return value;
}

const rawToMessage = (field: string) => (json: unknown): MessageValue => (json === null ? {} : { [field]: Buffer.from(JSON.stringify(json), 'utf8') });

/** Go named slices (`type ExtraValue []string`) travel wrapped as {items}. */
const stringList: WellKnownType = {
  toJson: (m) => (Array.isArray(m.items) ? m.items : []),
  toMessage: (json, path) => ({ items: expect<string[]>(Array.isArray(json) && json.every((x) => typeof x === 'string'), path, 'a list of strings', json) }),
};

const table: Record<string, WellKnownType> = {
  'k8s.io.apimachinery.pkg.api.resource.Quantity': {
    // Unmarshal parses the string (and refuses a malformed one); a message without it is 0.
    toJson: (m, ctx) => {
      if (m.string === undefined) return '0';
      const q = s(m.string);
      if (!isQuantity(q)) throw new WireError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`, ctx.path);
      return q;
    },
    toMessage: (json, path) => ({ string: typeof json === 'number' ? String(json) : expect<string>(typeof json === 'string', path, 'a quantity', json) }),
  },
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
    toJson: (m, ctx) => {
      const type = n(m.type);
      if (type === 0) return n(m.intVal);
      if (type === 1) return s(m.strVal);
      throw new WireError(`invalid IntOrString type ${type}: must be 0 (int) or 1 (string)`, ctx.path);
    },
    toMessage: (json, path) => {
      if (typeof json === 'number' && Number.isInteger(json)) return { type: 0, intVal: json };
      return { type: 1, strVal: expect<string>(typeof json === 'string', path, 'an integer or a string', json) };
    },
  },
  [`${meta}.Time`]: { toJson: (m, ctx) => timeToJson(m, ctx, false), toMessage: (json, path) => timeToMessage(json, path, false) },
  [`${meta}.MicroTime`]: { toJson: (m, ctx) => timeToJson(m, ctx, true), toMessage: (json, path) => timeToMessage(json, path, true) },
  [`${meta}.Duration`]: {
    toJson: (m) => formatGoDuration(n(m.duration)),
    toMessage: (json, path) => ({ duration: Number(parseGoDuration(expect<string>(typeof json === 'string', path, 'a duration', json))) }),
  },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': { toJson: (m, ctx) => rawToJson(m.raw, ctx, true), toMessage: rawToMessage('raw') },
  [`${meta}.FieldsV1`]: { toJson: (m, ctx) => rawToJson(m.Raw, ctx, false), toMessage: rawToMessage('Raw') },
  [`${meta}.Verbs`]: stringList,
};

/** The special handling of a message type, if it has one. */
export function wellKnownType(typeName: string): WellKnownType | undefined {
  return table[typeName] ?? (/^k8s\.io\.api\.[a-z]+\.v[0-9a-z]+\.ExtraValue$/.test(typeName) ? stringList : undefined);
}
