// The generic protobuf decoder driven by the generated descriptors: bytes -> message tree,
// the exact inverse of encode.ts (same tree shape: objects keyed by proto field name,
// repeated fields as arrays, map fields as plain objects, bytes as Uint8Array, 64-bit
// integers as numbers). No Kubernetes meaning lives here (see json.ts for that); what
// lives here is what Go's generated Unmarshal checks: wire types per field, lengths,
// truncation, and a nesting bound.

import protobuf from 'protobufjs/minimal.js';
import { fieldByNumber, messageDescriptor } from './descriptors.js';
import type { FieldDescriptor, ScalarKind } from './descriptorTypes.js';
import type { MessageValue } from './encode.js';

/** A malformed message; `path` is the field path where it was found (e.g. `spec.ports[0].port`). */
export class WireError extends Error {
  constructor(message: string, readonly path: string) {
    super(path ? `${message} (at ${path})` : message);
    this.name = 'WireError';
  }
}

export interface WireDecodeOptions {
  /** Nested messages allowed below the top one (JSON bodies have the same bound). */
  maxDepth: number;
}

const WIRE = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

const scalarWire: Record<ScalarKind | 'enum', number> = {
  double: WIRE.fixed64, float: WIRE.fixed32, int64: WIRE.varint, uint64: WIRE.varint, int32: WIRE.varint, fixed64: WIRE.fixed64,
  fixed32: WIRE.fixed32, bool: WIRE.varint, string: WIRE.bytes, bytes: WIRE.bytes, uint32: WIRE.varint, sfixed32: WIRE.fixed32,
  sfixed64: WIRE.fixed64, sint32: WIRE.varint, sint64: WIRE.varint, enum: WIRE.varint,
};

/** protobufjs gives 64-bit values as numbers, or as Long objects when the `long` package is loadable. */
const num = (v: number | protobuf.Long): number => (typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(v.unsigned));

function readScalar(r: protobuf.Reader, kind: ScalarKind | 'enum'): unknown {
  switch (kind) {
    case 'string': return r.string();
    case 'bytes': return r.bytes();
    case 'bool': return r.bool();
    case 'double': return r.double();
    case 'float': return r.float();
    case 'int32': case 'enum': return r.int32();
    case 'uint32': return r.uint32();
    case 'sint32': return r.sint32();
    case 'fixed32': return r.fixed32();
    case 'sfixed32': return r.sfixed32();
    // JSON numbers are doubles on this server too: int64s beyond 2^53 lose precision here
    // exactly as they do in a JSON body.
    case 'int64': return num(r.int64());
    case 'uint64': return num(r.uint64());
    case 'sint64': return num(r.sint64());
    case 'fixed64': return num(r.fixed64());
    case 'sfixed64': return num(r.sfixed64());
  }
}

/** Skips an unknown field as Go does; groups are refused (no Kubernetes type has one). */
function skipUnknown(r: protobuf.Reader, wire: number, path: string, num: number): void {
  switch (wire) {
    case WIRE.varint: case WIRE.fixed64: case WIRE.bytes: case WIRE.fixed32:
      r.skipType(wire);
      return;
    default:
      throw new WireError(`proto: illegal wireType ${wire} for field number ${num}`, path);
  }
}

const packable = (f: FieldDescriptor): boolean => f.kind !== 'string' && f.kind !== 'bytes' && f.kind !== 'message';

function fieldPath(path: string, f: FieldDescriptor): string {
  return path ? `${path}.${f.name}` : f.name;
}

function readInto(typeName: string, buf: Uint8Array, into: MessageValue, path: string, depth: number, opts: WireDecodeOptions): MessageValue {
  if (depth > opts.maxDepth) throw new WireError(`the message nests deeper than ${opts.maxDepth} levels`, path);
  const r = protobuf.Reader.create(buf);
  let current = path;
  try {
    readFields(typeName, r, into, path, depth, opts, (at) => (current = at));
  } catch (e) {
    if (e instanceof WireError) throw e;
    // protobufjs reports truncation as a RangeError ("index out of range") and bad varints as Error.
    throw new WireError(e instanceof RangeError ? 'unexpected EOF' : (e as Error).message, current);
  }
  return into;
}

function readFields(typeName: string, r: protobuf.Reader, into: MessageValue, path: string, depth: number, opts: WireDecodeOptions, reading: (at: string) => void): void {
  while (r.pos < r.len) {
    reading(path);
    const tag = r.uint32();
    const number = tag >>> 3;
    const wire = tag & 7;
    if (number === 0) throw new WireError('proto: illegal tag 0', path);
    const f = fieldByNumber(typeName, number);
    if (!f) {
      skipUnknown(r, wire, path, number);
      continue;
    }
    const at = fieldPath(path, f);
    reading(at);
    if (f.kind === 'message') {
      if (wire !== WIRE.bytes) throw new WireError(`proto: wrong wireType = ${wire} for field ${f.name}`, at);
      const bytes = r.bytes();
      const entry = messageDescriptor(f.typeName!);
      if (entry.mapEntry) {
        const kv = readInto(f.typeName!, bytes, {}, at, depth + 1, opts);
        const map = (into[f.name] ??= {}) as MessageValue;
        setOwn(map, String(kv.key ?? defaultKey(f.typeName!)), kv.value);
        continue;
      }
      if (f.repeated) {
        const list = (into[f.name] ??= []) as unknown[];
        list.push(readInto(f.typeName!, bytes, {}, `${at}[${list.length}]`, depth + 1, opts));
        continue;
      }
      // A message field seen twice is merged, as Go's generated Unmarshal does.
      const existing = into[f.name];
      into[f.name] = readInto(f.typeName!, bytes, isMessage(existing) ? existing : {}, at, depth + 1, opts);
      continue;
    }
    const kind = f.kind;
    if (f.repeated && wire === WIRE.bytes && packable(f)) {
      const end = r.uint32() + r.pos;
      if (end > r.len) throw new WireError('unexpected EOF', at);
      const list = (into[f.name] ??= []) as unknown[];
      while (r.pos < end) list.push(readScalar(r, kind));
      if (r.pos !== end) throw new WireError('unexpected EOF', at);
      continue;
    }
    if (wire !== scalarWire[kind]) throw new WireError(`proto: wrong wireType = ${wire} for field ${f.name}`, at);
    const v = readScalar(r, kind);
    if (f.repeated) ((into[f.name] ??= []) as unknown[]).push(v);
    else into[f.name] = v;
  }
}

/**
 * Map keys are data: a key such as `__proto__` must become an own member (as JSON.parse makes
 * it), never the object's prototype.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A map entry without a key has the key type's zero value. */
function defaultKey(entryType: string): string {
  const key = fieldByNumber(entryType, 1);
  return key && key.kind !== 'string' ? '0' : '';
}

const isMessage = (v: unknown): v is MessageValue => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Decodes `buf` as the message `typeName`; throws WireError for anything Go would refuse. */
export function decodeMessage(typeName: string, buf: Uint8Array, opts: WireDecodeOptions, path = ''): MessageValue {
  return readInto(typeName, buf, {}, path, 0, opts);
}
