// A generic protobuf encoder driven by the generated descriptors: a message value is a plain
// object keyed by proto field names (or their json names). Repeated fields are arrays, map
// fields plain objects, messages nested objects, bytes Uint8Arrays (or strings, taken as
// UTF-8). No Kubernetes meaning lives here: callers build the message tree (Quantity as
// {string}, Time as {seconds, nanos}, ...) and this writes it.

import protobuf from 'protobufjs/minimal.js';
import { messageDescriptor } from './descriptors.js';
import type { FieldDescriptor, ScalarKind } from './descriptorTypes.js';

export type MessageValue = { [field: string]: unknown };

/** Wire types per kind (protobuf encoding spec). */
const wireType: Record<ScalarKind | 'enum', number> = {
  double: 1, float: 5, int64: 0, uint64: 0, int32: 0, fixed64: 1, fixed32: 5, bool: 0, string: 2,
  bytes: 2, uint32: 0, sfixed32: 5, sfixed64: 1, sint32: 0, sint64: 0, enum: 0,
};

const packable = (kind: FieldDescriptor['kind']): boolean => kind !== 'string' && kind !== 'bytes' && kind !== 'message';

function writeScalar(w: protobuf.Writer, kind: ScalarKind | 'enum', v: unknown, where: string): void {
  switch (kind) {
    case 'string':
      if (typeof v !== 'string') throw new TypeError(`${where}: expected a string`);
      w.string(v);
      return;
    case 'bytes':
      if (typeof v === 'string') w.bytes(Buffer.from(v, 'utf8'));
      else if (v instanceof Uint8Array) w.bytes(v);
      else throw new TypeError(`${where}: expected bytes`);
      return;
    case 'bool':
      w.bool(Boolean(v));
      return;
    case 'double':
      w.double(Number(v));
      return;
    case 'float':
      w.float(Number(v));
      return;
  }
  // 64-bit values beyond 2^53 do not occur in the API's JSON either (JSON numbers are doubles).
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TypeError(`${where}: expected an integer`);
  switch (kind) {
    case 'int32': case 'enum': w.int32(n); return;
    case 'uint32': w.uint32(n); return;
    case 'sint32': w.sint32(n); return;
    case 'fixed32': w.fixed32(n); return;
    case 'sfixed32': w.sfixed32(n); return;
    case 'int64': w.int64(n); return;
    case 'uint64': w.uint64(n); return;
    case 'sint64': w.sint64(n); return;
    case 'fixed64': w.fixed64(n); return;
    case 'sfixed64': w.sfixed64(n); return;
  }
}

/** proto3 leaves zero scalars off the wire; proto2 writes what is present. */
function isProto3Default(f: FieldDescriptor, v: unknown): boolean {
  if (f.kind === 'message' || f.repeated) return false;
  if (f.kind === 'string') return v === '';
  if (f.kind === 'bytes') return v instanceof Uint8Array ? v.length === 0 : v === '';
  if (f.kind === 'bool') return v === false;
  return Number(v) === 0;
}

function writeField(w: protobuf.Writer, f: FieldDescriptor, v: unknown, proto3: boolean, where: string): void {
  if (f.kind === 'message') {
    w.uint32((f.number << 3) | 2).fork();
    writeMessageBody(w, f.typeName!, v as MessageValue, where);
    w.ldelim();
    return;
  }
  if (proto3 && isProto3Default(f, v)) return;
  w.uint32((f.number << 3) | wireType[f.kind]);
  writeScalar(w, f.kind, v, where);
}

function writeMessageBody(w: protobuf.Writer, typeName: string, value: MessageValue, where: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${where}: expected an object for ${typeName}`);
  const m = messageDescriptor(typeName);
  const proto3 = m.syntax === 'proto3';
  for (const f of m.fields) {
    const v = value[f.name] ?? (f.jsonName ? value[f.jsonName] : undefined);
    if (v === undefined || v === null) continue;
    const at = `${where}.${f.name}`;
    if (!f.repeated) {
      writeField(w, f, v, proto3, at);
      continue;
    }
    const entryType = f.kind === 'message' ? messageDescriptor(f.typeName!) : undefined;
    if (entryType?.mapEntry) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${at}: expected an object (a map)`);
      for (const key of Object.keys(v as object).sort()) {
        writeField(w, f, { key, value: (v as MessageValue)[key] }, false, `${at}[${key}]`);
      }
      continue;
    }
    if (!Array.isArray(v)) throw new TypeError(`${at}: expected an array`);
    if (proto3 && packable(f.kind) && v.length > 0) {
      w.uint32((f.number << 3) | 2).fork();
      v.forEach((item, i) => writeScalar(w, f.kind as ScalarKind, item, `${at}[${i}]`));
      w.ldelim();
      continue;
    }
    v.forEach((item, i) => writeField(w, f, item, false, `${at}[${i}]`));
  }
}

/** Encodes `value` as the message `typeName` (e.g. `openapi.v2.Document`). */
export function encodeMessage(typeName: string, value: MessageValue): Uint8Array {
  const w = protobuf.Writer.create();
  writeMessageBody(w, typeName, value, typeName);
  return w.finish();
}
