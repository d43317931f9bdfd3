// Test helpers: the generic protobuf decoder (apiserver/protobuf/wireDecode.ts) reads the
// bytes back tag by tag, and the inverse of v2Proto.ts for the parts of a Swagger document Gantry writes, to compare the
// protobuf with the JSON it was made from.

import { load } from 'js-yaml';
import { decodeMessage as decodeWire } from '../protobuf/wireDecode.js';

export type Decoded = { [field: string]: unknown };

/** Decodes `bytes` as `typeName` with the server's own generic decoder. */
export function decodeMessage(typeName: string, bytes: Uint8Array): Decoded {
  return decodeWire(typeName, bytes, { maxDepth: 200 });
}

const list = (v: unknown): Decoded[] => (Array.isArray(v) ? (v as Decoded[]) : []);
const obj = (v: unknown): Decoded => (v ?? {}) as Decoded;

function extensions(msg: Decoded, into: Decoded): void {
  for (const e of list(msg.vendor_extension)) into[e.name as string] = load(obj(e.value).yaml as string);
}

function copy(msg: Decoded, fields: Record<string, string>, into: Decoded): void {
  for (const [proto, json] of Object.entries(fields)) if (msg[proto] !== undefined) into[json] = msg[proto];
}

export function schemaFromGnostic(s: Decoded): Decoded {
  const out: Decoded = {};
  copy(s, { _ref: '$ref', format: 'format', title: 'title', description: 'description', required: 'required', unique_items: 'uniqueItems', read_only: 'readOnly', pattern: 'pattern' }, out);
  if (s.type) {
    const types = obj(s.type).value as string[];
    out.type = types.length === 1 ? types[0] : types;
  }
  if (s.default) out.default = load(obj(s.default).yaml as string);
  if (s.enum) out.enum = list(s.enum).map((a) => load(a.yaml as string));
  if (s.properties) {
    const props: Decoded = {};
    for (const p of list(obj(s.properties).additional_properties)) props[p.name as string] = schemaFromGnostic(obj(p.value));
    out.properties = props;
  }
  if (s.items) {
    const items = list(obj(s.items).schema).map(schemaFromGnostic);
    out.items = items.length === 1 ? items[0] : items;
  }
  if (s.additional_properties) {
    const ap = obj(s.additional_properties);
    out.additionalProperties = ap.schema ? schemaFromGnostic(obj(ap.schema)) : ap.boolean === true;
  }
  if (s.all_of) out.allOf = list(s.all_of).map(schemaFromGnostic);
  extensions(s, out);
  return out;
}

function parameterFromGnostic(item: Decoded): Decoded {
  const p = obj(item.parameter);
  if (p.body_parameter) {
    const b = obj(p.body_parameter);
    const out: Decoded = {};
    copy(b, { name: 'name', in: 'in', description: 'description', required: 'required' }, out);
    if (b.schema) out.schema = schemaFromGnostic(obj(b.schema));
    return out;
  }
  const nonBody = obj(p.non_body_parameter);
  const sub = obj(Object.values(nonBody)[0]);
  const out: Decoded = {};
  copy(sub, { name: 'name', in: 'in', description: 'description', required: 'required', type: 'type', unique_items: 'uniqueItems' }, out);
  return out;
}

function operationFromGnostic(op: Decoded): Decoded {
  const out: Decoded = {};
  copy(op, { description: 'description', operation_id: 'operationId', tags: 'tags', consumes: 'consumes', produces: 'produces', schemes: 'schemes' }, out);
  if (op.parameters) out.parameters = list(op.parameters).map(parameterFromGnostic);
  const responses: Decoded = {};
  for (const r of list(obj(op.responses).response_code)) {
    const resp = obj(obj(r.value).response);
    const one: Decoded = { description: resp.description };
    if (resp.schema) one.schema = schemaFromGnostic(obj(obj(resp.schema).schema));
    responses[r.name as string] = one;
  }
  out.responses = responses;
  extensions(op, out);
  return out;
}

/** The JSON Swagger document a decoded gnostic Document stands for (Gantry's subset of it). */
export function swaggerFromGnostic(doc: Decoded): Decoded {
  const paths: Decoded = {};
  for (const p of list(obj(doc.paths).path)) {
    const item = obj(p.value);
    const outItem: Decoded = {};
    for (const verb of ['get', 'put', 'post', 'patch', 'delete']) if (item[verb]) outItem[verb] = operationFromGnostic(obj(item[verb]));
    if (item.parameters) outItem.parameters = list(item.parameters).map(parameterFromGnostic);
    paths[p.name as string] = outItem;
  }
  const definitions: Decoded = {};
  for (const d of list(obj(doc.definitions).additional_properties)) definitions[d.name as string] = schemaFromGnostic(obj(d.value));
  const securityDefinitions: Decoded = {};
  for (const s of list(obj(doc.security_definitions).additional_properties)) {
    const apiKey = obj(obj(s.value).api_key_security);
    const out: Decoded = {};
    copy(apiKey, { type: 'type', name: 'name', in: 'in', description: 'description' }, out);
    securityDefinitions[s.name as string] = out;
  }
  const security = list(doc.security).map((req) => {
    const out: Decoded = {};
    for (const n of list(req.additional_properties)) out[n.name as string] = obj(n.value).value ?? [];
    return out;
  });
  const info: Decoded = {};
  copy(obj(doc.info), { title: 'title', version: 'version' }, info);
  return { swagger: doc.swagger, info, paths, definitions, securityDefinitions, security };
}
