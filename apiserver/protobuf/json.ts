// Message tree <-> the JSON Kubernetes writes for the same Go value. The two directions are
// exact inverses for every object Kubernetes' JSON can produce:
//   - message fields: Go writes a non-pointer struct always (in protobuf and in JSON: omitempty
//     does not apply to structs) and a pointer when set, so a message present on the wire is a
//     member of the JSON, `{}` included; the well-known types (wellKnown.ts) have their own form.
//   - scalars: a pointer field (no `nonNullable`) is on the wire only when set, so its zero is a
//     value the client chose (`replicas: 0`). A non-pointer field is always on the wire; JSON
//     drops its zero when the field is `omitempty`, which OpenAPI tells apart: a field without
//     `omitempty` (and without +optional) is listed in the definition's `required`.
//   - repeated fields and maps: absent when empty (JSON writes nothing or null, which the
//     server treats as unset); bytes as base64.

import { definitions } from '../../common/schemas/index.js';
import { messageDescriptor } from './descriptors.js';
import type { FieldDescriptor } from './descriptorTypes.js';
import type { MessageValue } from './encode.js';
import { wellKnownType, type NestedDecoder } from './wellKnown.js';
import { setOwn } from './wireDecode.js';

export interface ToJsonOptions {
  maxDepth: number;
  /** For a protobuf object inside a RawExtension. */
  nested: NestedDecoder;
}

interface JsonFacts {
  /** JSON names the definition lists as required: the Go fields whose zero JSON writes. */
  required: ReadonlySet<string>;
  /**
   * Embedded Go structs (`json:",inline"`: Volume's VolumeSource, Probe's ProbeHandler, ...):
   * a message field in protobuf, their fields are the parent's own in JSON. The definition
   * has no property of that name.
   */
  inline: ReadonlySet<string>;
}

const factsCache = new Map<string, JsonFacts>();

function jsonFacts(typeName: string): JsonFacts {
  let out = factsCache.get(typeName);
  if (!out) {
    const def = definitions[typeName.replace(/^k8s\.io\./, 'io.k8s.')] as { required?: string[]; properties?: Record<string, unknown> } | undefined;
    const props = def?.properties;
    const inline = props ? messageDescriptor(typeName).fields.filter((f) => f.kind === 'message' && !f.repeated && f.nonNullable && !Object.hasOwn(props, f.name)).map((f) => f.name) : [];
    out = { required: new Set(def?.required ?? []), inline: new Set(inline) };
    factsCache.set(typeName, out);
  }
  return out;
}

const requiredFields = (typeName: string): ReadonlySet<string> => jsonFacts(typeName).required;

/** The JSON member names of a message, through its inline fields, each with the field path to it. */
function jsonMembers(typeName: string): Map<string, FieldDescriptor[]> {
  const out = new Map<string, FieldDescriptor[]>();
  const { inline } = jsonFacts(typeName);
  for (const f of messageDescriptor(typeName).fields) {
    if (inline.has(f.name)) for (const [k, via] of jsonMembers(f.typeName!)) out.set(k, [f, ...via]);
    else out.set(f.name, [f]);
  }
  return out;
}

function isZeroScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false || (v instanceof Uint8Array && v.length === 0);
}

const base64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** A single value of field `f` (one list item, one map value) as JSON. */
function valueToJson(f: FieldDescriptor, v: unknown, path: string, depth: number, opts: ToJsonOptions): unknown {
  if (f.kind === 'message') return messageToJson(f.typeName!, (v ?? {}) as MessageValue, path, opts, depth + 1);
  if (f.kind === 'bytes') return v instanceof Uint8Array ? base64(v) : '';
  return v;
}

/** The JSON object (or well-known value) for message `typeName`; undefined where Go writes null. */
export function messageToJson(typeName: string, m: MessageValue, path: string, opts: ToJsonOptions, depth = 0): unknown {
  const special = wellKnownType(typeName);
  if (special) return special.toJson(m, { path, depth, maxDepth: opts.maxDepth, nested: opts.nested });
  const desc = messageDescriptor(typeName);
  const out: Record<string, unknown> = {};
  for (const f of desc.fields) {
    const v = m[f.name];
    if (v === undefined) continue;
    const at = join(path, f.name);
    const entry = f.kind === 'message' && f.repeated ? messageDescriptor(f.typeName!) : undefined;
    if (entry?.mapEntry) {
      const valueField = entry.fields.find((x) => x.number === 2)!;
      const map: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v as MessageValue)) {
        const j = valueToJson(valueField, item ?? zeroOf(valueField), `${at}[${key}]`, depth, opts);
        if (j !== undefined) setOwn(map, key, j);
      }
      out[f.name] = map;
    } else if (f.repeated) {
      // Go writes a nil element (a zero Time) as null; the list keeps its length.
      out[f.name] = (v as unknown[]).map((item, i) => valueToJson(f, item, `${at}[${i}]`, depth, opts) ?? null);
    } else if (f.kind === 'message') {
      const inline = jsonFacts(typeName).inline.has(f.name);
      const j = valueToJson(f, v, inline ? path : at, depth, opts);
      if (inline) Object.assign(out, j);
      else if (j !== undefined) out[f.name] = j;
    } else if (!(f.nonNullable && isZeroScalar(v) && !requiredFields(typeName).has(f.name))) {
      out[f.name] = valueToJson(f, v, at, depth, opts);
    }
  }
  return out;
}

function zeroOf(f: FieldDescriptor): unknown {
  switch (f.kind) {
    case 'message': return {};
    case 'string': return '';
    case 'bytes': return new Uint8Array();
    case 'bool': return false;
    default: return 0;
  }
}

// ---- JSON -> message tree (tests, and protobuf responses later) ---------------------------

function scalarToMessage(f: FieldDescriptor, v: unknown, path: string): unknown {
  switch (f.kind) {
    case 'string':
      if (typeof v !== 'string') throw new TypeError(`${path}: expected a string, got ${JSON.stringify(v)}`);
      return v;
    case 'bytes':
      if (typeof v !== 'string') throw new TypeError(`${path}: expected base64 text, got ${JSON.stringify(v)}`);
      return new Uint8Array(Buffer.from(v, 'base64'));
    case 'bool':
      if (typeof v !== 'boolean') throw new TypeError(`${path}: expected a boolean, got ${JSON.stringify(v)}`);
      return v;
    default:
      if (typeof v !== 'number') throw new TypeError(`${path}: expected a number, got ${JSON.stringify(v)}`);
      return v;
  }
}

function itemToMessage(f: FieldDescriptor, v: unknown, path: string): unknown {
  return f.kind === 'message' ? jsonToMessage(f.typeName!, v, path) : scalarToMessage(f, v, path);
}

/** The message tree of JSON value `json` for message `typeName`; throws TypeError on a field the message lacks. */
export function jsonToMessage(typeName: string, json: unknown, path = ''): MessageValue {
  const special = wellKnownType(typeName);
  if (special) return special.toMessage(json, path || typeName);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError(`${path || typeName}: expected an object for ${typeName}`);
  const members = jsonMembers(typeName);
  const out: MessageValue = {};
  for (const [key, v] of Object.entries(json as Record<string, unknown>)) {
    const at = join(path, key);
    const via = members.get(key);
    if (!via) throw new TypeError(`${at}: ${typeName} has no field ${JSON.stringify(key)}`);
    if (v === null || v === undefined) continue;
    const f = via[via.length - 1]!;
    // An inline member lands in the embedded message(s) it belongs to.
    let target = out;
    for (const embedded of via.slice(0, -1)) target = (target[embedded.name] ??= {}) as MessageValue;
    const entry = f.kind === 'message' && f.repeated ? messageDescriptor(f.typeName!) : undefined;
    if (entry?.mapEntry) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${at}: expected an object (a map)`);
      const valueField = entry.fields.find((x) => x.number === 2)!;
      target[key] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, itemToMessage(valueField, item, `${at}[${k}]`)]));
    } else if (f.repeated) {
      if (!Array.isArray(v)) throw new TypeError(`${at}: expected a list`);
      target[key] = v.map((item, i) => itemToMessage(f, item, `${at}[${i}]`));
    } else {
      target[key] = itemToMessage(f, v, at);
    }
  }
  return out;
}
