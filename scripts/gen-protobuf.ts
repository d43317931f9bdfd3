// Generates apiserver/protobuf/descriptors.json: the protobuf wire facts (message names,
// field numbers, wire types, repeated/map/nullable) of Kubernetes' built-in types and of
// gnostic's OpenAPI v2 document, read from the descriptor sets that Go embeds in a kubectl
// binary:
//   - k8s.io/api and apimachinery register their generated.proto descriptors gzipped
//     (gogo-protobuf); those descriptors keep gogoproto's field options, so
//     `(gogoproto.nullable) = false` tells a Go non-pointer field (always written, zero
//     values included) from a pointer field (written only when set);
//   - gnostic's openapiv2/OpenAPIv2.proto is registered as a raw (not gzipped) descriptor.
// Only numbers, names and types are kept: no comments, no .proto text.
//
// Run by hand after a kubectl upgrade:
//   npx tsx scripts/gen-protobuf.ts [/usr/lib/google-cloud-sdk/bin/kubectl.1.33]
// The output is committed, so neither the build nor the server depends on this script.

import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import type { DescriptorTable, FieldDescriptor, MessageDescriptor, ScalarKind } from '../apiserver/protobuf/descriptorTypes.js';

const defaultBinary = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const outFile = fileURLToPath(new URL('../apiserver/protobuf/descriptors.json', import.meta.url));

/** Packages kept: Kubernetes' API groups and apimachinery's, and gnostic's OpenAPI v2. */
const wantedFile = (name: string): boolean =>
  /^k8s\.io\/(api|apimachinery)\/.*generated\.proto$/.test(name) || rawFiles.includes(name);

/** Registered by google.golang.org/protobuf as a raw descriptor: gnostic's document. */
const rawFiles = ['openapiv2/OpenAPIv2.proto'];

/**
 * gnostic refers to the well-known google.protobuf.Any, whose descriptor Go does not embed as
 * bytes; its two fields are fixed by the protobuf specification.
 */
const wellKnown: Record<string, MessageDescriptor> = {
  'google.protobuf.Any': { syntax: 'proto3', fields: [{ name: 'type_url', number: 1, kind: 'string', jsonName: 'typeUrl' }, { name: 'value', number: 2, kind: 'bytes' }] },
};

// google/protobuf/descriptor.proto field numbers (facts of the descriptor format).
const FILE = { name: 1, package: 2, messageType: 4, syntax: 12 } as const;
const MESSAGE = { name: 1, field: 2, nestedType: 3, options: 7 } as const;
const MESSAGE_OPTIONS = { mapEntry: 7 } as const;
const FIELD = { name: 1, number: 3, label: 4, type: 5, typeName: 6, options: 8, jsonName: 10 } as const;
const LABEL_REPEATED = 3;
/** gogoproto's FieldOptions extension `nullable`. */
const GOGO_NULLABLE = 65001;

const typeKinds: Record<number, ScalarKind | 'message' | 'enum'> = {
  1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 6: 'fixed64', 7: 'fixed32', 8: 'bool',
  9: 'string', 11: 'message', 12: 'bytes', 13: 'uint32', 14: 'enum', 15: 'sfixed32', 16: 'sfixed64', 17: 'sint32', 18: 'sint64',
};

type Fields = Map<number, Array<number | Uint8Array>>;

/** Reads one message's fields: varints as numbers, length-delimited as bytes (others skipped). */
function readFields(buf: Uint8Array, stopAfter?: number): { fields: Fields; end: number } {
  const r = protobuf.Reader.create(buf);
  const fields: Fields = new Map();
  while (r.pos < r.len) {
    const tag = r.uint32();
    const num = tag >>> 3;
    const wire = tag & 7;
    let v: number | Uint8Array | undefined;
    if (wire === 0) v = r.uint32(); // descriptor varints (numbers, enums, booleans) fit in 32 bits
    else if (wire === 2) v = r.bytes();
    else r.skipType(wire);
    if (v !== undefined) fields.set(num, [...(fields.get(num) ?? []), v]);
    if (stopAfter !== undefined && num === stopAfter) break;
  }
  return { fields, end: r.pos };
}

const text = (v: number | Uint8Array | undefined): string => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');
const num = (v: number | Uint8Array | undefined): number => (typeof v === 'number' ? v : 0);

function readField(buf: Uint8Array): FieldDescriptor {
  const { fields } = readFields(buf);
  const kind = typeKinds[num(fields.get(FIELD.type)?.[0])];
  if (!kind) throw new Error(`unknown field type ${num(fields.get(FIELD.type)?.[0])}`);
  const out: FieldDescriptor = { name: text(fields.get(FIELD.name)?.[0]), number: num(fields.get(FIELD.number)?.[0]), kind };
  const json = text(fields.get(FIELD.jsonName)?.[0]);
  if (json && json !== out.name) out.jsonName = json;
  const typeName = text(fields.get(FIELD.typeName)?.[0]);
  if (typeName) out.typeName = typeName.replace(/^\./, '');
  if (num(fields.get(FIELD.label)?.[0]) === LABEL_REPEATED) out.repeated = true;
  const options = fields.get(FIELD.options)?.[0];
  if (options instanceof Uint8Array) {
    const nullable = readFields(options).fields.get(GOGO_NULLABLE)?.[0];
    if (nullable === 0) out.nonNullable = true;
  }
  return out;
}

function readMessages(buf: Uint8Array, prefix: string, syntax: 'proto2' | 'proto3', into: Record<string, MessageDescriptor>): void {
  const { fields } = readFields(buf);
  const name = `${prefix}.${text(fields.get(MESSAGE.name)?.[0])}`;
  const msg: MessageDescriptor = { syntax, fields: (fields.get(MESSAGE.field) ?? []).map((f) => readField(f as Uint8Array)) };
  const options = fields.get(MESSAGE.options)?.[0];
  if (options instanceof Uint8Array && readFields(options).fields.get(MESSAGE_OPTIONS.mapEntry)?.[0] === 1) msg.mapEntry = true;
  into[name] = msg;
  for (const nested of fields.get(MESSAGE.nestedType) ?? []) readMessages(nested as Uint8Array, name, syntax, into);
}

function readFile_(buf: Uint8Array, into: Record<string, MessageDescriptor>, files: string[]): void {
  const { fields } = readFields(buf);
  const name = text(fields.get(FILE.name)?.[0]);
  if (!wantedFile(name)) return;
  const pkg = text(fields.get(FILE.package)?.[0]);
  const syntax = text(fields.get(FILE.syntax)?.[0]) === 'proto3' ? 'proto3' : 'proto2';
  for (const m of fields.get(FILE.messageType) ?? []) readMessages(m as Uint8Array, pkg, syntax, into);
  files.push(name);
}

/** Every gzip stream in the binary that inflates to a FileDescriptorProto of a wanted file. */
function gzippedDescriptors(bin: Buffer): Buffer[] {
  const magic = Buffer.from([0x1f, 0x8b, 0x08, 0x00]);
  const out: Buffer[] = [];
  for (let at = bin.indexOf(magic); at >= 0; at = bin.indexOf(magic, at + 1)) {
    let inflated: Buffer;
    try {
      inflated = gunzipSync(bin.subarray(at, at + 1_000_000), { finishFlush: 2 /* Z_SYNC_FLUSH: ignore what follows */ });
    } catch {
      continue;
    }
    if (inflated[0] !== 0x0a) continue;
    const nameLen = inflated[1]!;
    if (wantedFile(inflated.subarray(2, 2 + nameLen).toString('latin1'))) out.push(inflated);
  }
  return out;
}

/** A raw descriptor starts with field 1 (its name); it ends after field 12 (syntax). */
function rawDescriptor(bin: Buffer, fileName: string): Buffer {
  const head = Buffer.concat([Buffer.from([0x0a, fileName.length]), Buffer.from(fileName)]);
  const at = bin.indexOf(head);
  if (at < 0) throw new Error(`${fileName} not found in the binary`);
  const { end } = readFields(bin.subarray(at, at + 1_000_000), FILE.syntax);
  return bin.subarray(at, at + end);
}

async function main(): Promise<void> {
  const binary = process.argv[2] ?? defaultBinary;
  const bin = await readFile(binary);
  const messages: Record<string, MessageDescriptor> = { ...wellKnown };
  const files: string[] = [];
  for (const d of gzippedDescriptors(bin)) readFile_(d, messages, files);
  for (const raw of rawFiles) readFile_(rawDescriptor(bin, raw), messages, files);
  for (const [name, m] of Object.entries(messages)) {
    for (const f of m.fields) {
      if (f.kind === 'message' && !messages[f.typeName!]) {
        throw new Error(`${name}.${f.name} refers to ${f.typeName}, which the binary does not describe`);
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(messages).sort(([a], [b]) => a.localeCompare(b)));
  const table: DescriptorTable = {
    source: `descriptor sets embedded in ${binary.split('/').pop()} (${files.length} files)`,
    messages: sorted,
  };
  await writeFile(outFile, JSON.stringify(table) + '\n');
  console.log(`wrote ${outFile}: ${Object.keys(sorted).length} messages from ${files.length} files`);
}

await main();
