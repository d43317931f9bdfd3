// A Swagger 2.0 JSON document as gnostic's `openapi.v2.Document` message tree (field names
// as in the proto), for the protobuf form of /openapi/v2 that kubectl 1.27/1.28 download.
// gnostic's model differs from the JSON in a few regular ways:
// - maps are lists of named pairs (NamedSchema, NamedPathItem, NamedAny, ...), in order;
// - where JSON allows alternatives there is a oneof wrapper (ParametersItem: a parameter or a
//   reference; Parameter: body or non-body, the non-body one by `in`; SchemaItem;
//   AdditionalPropertiesItem: a schema or a boolean; SecurityDefinitionsItem by `type`);
// - `type` is a TypeItem list and `items` an ItemsItem list;
// - free-form values (default, enum, example, every `x-` extension) are Any{yaml}.
// Keys the model has no field for (other than `x-` ones) are dropped, as gnostic would reject
// them; this converter does not validate.

import { dump } from 'js-yaml';
import { encodeMessage, type MessageValue } from '../protobuf/encode.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asObject = (v: unknown): Json => (isObject(v) ? v : {});

/** A free-form value as gnostic stores it: its YAML text. */
export function anyValue(value: unknown): MessageValue {
  return { yaml: dump(value, { lineWidth: -1, noRefs: true }) };
}

/** The `x-` keys of a JSON object, in order. */
function vendorExtensions(obj: Json): MessageValue[] {
  return Object.entries(obj)
    .filter(([key]) => key.startsWith('x-'))
    .map(([name, value]) => ({ name, value: anyValue(value) }));
}

/** Copies the listed JSON keys to proto field names (snake case where the proto says so). */
function pick(obj: Json, fields: Record<string, string>): MessageValue {
  const out: MessageValue = {};
  for (const [json, proto] of Object.entries(fields)) if (obj[json] !== undefined) out[proto] = obj[json];
  return out;
}

function named<T>(obj: unknown, convert: (v: unknown) => T): { name: string; value: T }[] {
  return Object.entries(asObject(obj)).map(([name, value]) => ({ name, value: convert(value) }));
}

const externalDocs = (v: unknown): MessageValue => ({ ...pick(asObject(v), { description: 'description', url: 'url' }), vendor_extension: vendorExtensions(asObject(v)) });

/** Validation keywords shared by schemas, parameters, headers and primitive items. */
const validationFields = {
  maximum: 'maximum',
  exclusiveMaximum: 'exclusive_maximum',
  minimum: 'minimum',
  exclusiveMinimum: 'exclusive_minimum',
  maxLength: 'max_length',
  minLength: 'min_length',
  pattern: 'pattern',
  maxItems: 'max_items',
  minItems: 'min_items',
  uniqueItems: 'unique_items',
  multipleOf: 'multiple_of',
};

/** default, enum and example: free-form values. */
function freeForm(obj: Json, out: MessageValue): void {
  if (obj.default !== undefined) out.default = anyValue(obj.default);
  if (Array.isArray(obj.enum)) out.enum = obj.enum.map(anyValue);
  if (obj.example !== undefined) out.example = anyValue(obj.example);
}

export function schemaMessage(v: unknown): MessageValue {
  const s = asObject(v);
  const out: MessageValue = pick(s, {
    $ref: '_ref',
    format: 'format',
    title: 'title',
    description: 'description',
    ...validationFields,
    maxProperties: 'max_properties',
    minProperties: 'min_properties',
    required: 'required',
    discriminator: 'discriminator',
    readOnly: 'read_only',
  });
  freeForm(s, out);
  if (s.additionalProperties !== undefined) {
    out.additional_properties = typeof s.additionalProperties === 'boolean' ? { boolean: s.additionalProperties } : { schema: schemaMessage(s.additionalProperties) };
  }
  if (s.type !== undefined) out.type = { value: Array.isArray(s.type) ? s.type : [s.type] };
  if (s.items !== undefined) out.items = { schema: (Array.isArray(s.items) ? s.items : [s.items]).map(schemaMessage) };
  if (Array.isArray(s.allOf)) out.all_of = s.allOf.map(schemaMessage);
  if (s.properties !== undefined) out.properties = { additional_properties: named(s.properties, schemaMessage) };
  if (s.xml !== undefined) {
    const xml = asObject(s.xml);
    out.xml = { ...pick(xml, { name: 'name', namespace: 'namespace', prefix: 'prefix', attribute: 'attribute', wrapped: 'wrapped' }), vendor_extension: vendorExtensions(xml) };
  }
  if (s.externalDocs !== undefined) out.external_docs = externalDocs(s.externalDocs);
  out.vendor_extension = vendorExtensions(s);
  return out;
}

function primitivesItems(v: unknown): MessageValue {
  const p = asObject(v);
  const out: MessageValue = pick(p, { type: 'type', format: 'format', collectionFormat: 'collection_format', ...validationFields });
  if (p.items !== undefined) out.items = primitivesItems(p.items);
  freeForm(p, out);
  out.vendor_extension = vendorExtensions(p);
  return out;
}

const nonBodyKinds: Record<string, string> = {
  query: 'query_parameter_sub_schema',
  path: 'path_parameter_sub_schema',
  header: 'header_parameter_sub_schema',
  formData: 'form_data_parameter_sub_schema',
};

function parameter(v: unknown): MessageValue {
  const p = asObject(v);
  if (p.in === 'body') {
    const body = pick(p, { description: 'description', name: 'name', in: 'in', required: 'required' });
    if (p.schema !== undefined) body.schema = schemaMessage(p.schema);
    body.vendor_extension = vendorExtensions(p);
    return { body_parameter: body };
  }
  const sub = pick(p, {
    required: 'required',
    in: 'in',
    description: 'description',
    name: 'name',
    allowEmptyValue: 'allow_empty_value',
    type: 'type',
    format: 'format',
    collectionFormat: 'collection_format',
    ...validationFields,
  });
  // Only query and formData parameters may allow empty values.
  if (p.in === 'path' || p.in === 'header') delete sub.allow_empty_value;
  if (p.items !== undefined) sub.items = primitivesItems(p.items);
  freeForm(p, sub);
  delete sub.example;
  sub.vendor_extension = vendorExtensions(p);
  const kind = nonBodyKinds[String(p.in)];
  return kind ? { non_body_parameter: { [kind]: sub } } : {};
}

function parametersItem(v: unknown): MessageValue {
  const p = asObject(v);
  if (typeof p.$ref === 'string') return { json_reference: pick(p, { $ref: '_ref', description: 'description' }) };
  return { parameter: parameter(p) };
}

function response(v: unknown): MessageValue {
  const r = asObject(v);
  const out: MessageValue = pick(r, { description: 'description' });
  if (r.schema !== undefined) {
    const schema = asObject(r.schema);
    out.schema =
      schema.type === 'file'
        ? { file_schema: { ...pick(schema, { format: 'format', title: 'title', description: 'description', required: 'required', type: 'type', readOnly: 'read_only' }), vendor_extension: vendorExtensions(schema) } }
        : { schema: schemaMessage(schema) };
  }
  if (r.headers !== undefined) {
    out.headers = {
      additional_properties: named(r.headers, (h) => {
        const header = asObject(h);
        const msg = pick(header, { type: 'type', format: 'format', collectionFormat: 'collection_format', description: 'description', ...validationFields });
        if (header.items !== undefined) msg.items = primitivesItems(header.items);
        freeForm(header, msg);
        delete msg.example;
        msg.vendor_extension = vendorExtensions(header);
        return msg;
      }),
    };
  }
  if (r.examples !== undefined) out.examples = { additional_properties: named(r.examples, anyValue) };
  out.vendor_extension = vendorExtensions(r);
  return out;
}

function responseValue(v: unknown): MessageValue {
  const r = asObject(v);
  return typeof r.$ref === 'string' ? { json_reference: pick(r, { $ref: '_ref', description: 'description' }) } : { response: response(r) };
}

function securityRequirements(v: unknown): MessageValue[] {
  return (Array.isArray(v) ? v : []).map((req) => ({ additional_properties: named(req, (scopes) => ({ value: Array.isArray(scopes) ? scopes : [] })) }));
}

function operation(v: unknown): MessageValue {
  const op = asObject(v);
  const out: MessageValue = pick(op, {
    tags: 'tags',
    summary: 'summary',
    description: 'description',
    operationId: 'operation_id',
    produces: 'produces',
    consumes: 'consumes',
    schemes: 'schemes',
    deprecated: 'deprecated',
  });
  if (op.externalDocs !== undefined) out.external_docs = externalDocs(op.externalDocs);
  if (Array.isArray(op.parameters)) out.parameters = op.parameters.map(parametersItem);
  const responses = asObject(op.responses);
  out.responses = {
    response_code: Object.entries(responses)
      .filter(([code]) => !code.startsWith('x-'))
      .map(([name, value]) => ({ name, value: responseValue(value) })),
    vendor_extension: vendorExtensions(responses),
  };
  if (op.security !== undefined) out.security = securityRequirements(op.security);
  out.vendor_extension = vendorExtensions(op);
  return out;
}

const pathVerbs = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function pathItem(v: unknown): MessageValue {
  const item = asObject(v);
  const out: MessageValue = pick(item, { $ref: '_ref' });
  for (const verb of pathVerbs) if (item[verb] !== undefined) out[verb] = operation(item[verb]);
  if (Array.isArray(item.parameters)) out.parameters = item.parameters.map(parametersItem);
  out.vendor_extension = vendorExtensions(item);
  return out;
}

const securitySchemeKinds: Record<string, string> = {
  basic: 'basic_authentication_security',
  apiKey: 'api_key_security',
};
const oauth2Flows: Record<string, string> = {
  implicit: 'oauth2_implicit_security',
  password: 'oauth2_password_security',
  application: 'oauth2_application_security',
  accessCode: 'oauth2_access_code_security',
};

function securityDefinition(v: unknown): MessageValue {
  const d = asObject(v);
  const kind = d.type === 'oauth2' ? oauth2Flows[String(d.flow)] : securitySchemeKinds[String(d.type)];
  if (!kind) return {};
  const out = pick(d, { type: 'type', name: 'name', in: 'in', flow: 'flow', authorizationUrl: 'authorization_url', tokenUrl: 'token_url', description: 'description' });
  if (d.scopes !== undefined) out.scopes = { additional_properties: named(d.scopes, String) };
  out.vendor_extension = vendorExtensions(d);
  return { [kind]: out };
}

/** The gnostic message tree of a Swagger 2.0 document. */
export function swaggerToGnostic(document: object): MessageValue {
  const doc = asObject(document);
  const out: MessageValue = pick(doc, {
    swagger: 'swagger',
    host: 'host',
    basePath: 'base_path',
    schemes: 'schemes',
    consumes: 'consumes',
    produces: 'produces',
  });
  if (doc.info !== undefined) {
    const info = asObject(doc.info);
    const msg = pick(info, { title: 'title', version: 'version', description: 'description', termsOfService: 'terms_of_service' });
    if (info.contact !== undefined) msg.contact = { ...pick(asObject(info.contact), { name: 'name', url: 'url', email: 'email' }), vendor_extension: vendorExtensions(asObject(info.contact)) };
    if (info.license !== undefined) msg.license = { ...pick(asObject(info.license), { name: 'name', url: 'url' }), vendor_extension: vendorExtensions(asObject(info.license)) };
    msg.vendor_extension = vendorExtensions(info);
    out.info = msg;
  }
  const paths = asObject(doc.paths);
  out.paths = {
    vendor_extension: vendorExtensions(paths),
    path: Object.entries(paths)
      .filter(([p]) => !p.startsWith('x-'))
      .map(([name, value]) => ({ name, value: pathItem(value) })),
  };
  if (doc.definitions !== undefined) out.definitions = { additional_properties: named(doc.definitions, schemaMessage) };
  if (doc.parameters !== undefined) out.parameters = { additional_properties: named(doc.parameters, parameter) };
  if (doc.responses !== undefined) out.responses = { additional_properties: named(doc.responses, response) };
  if (doc.security !== undefined) out.security = securityRequirements(doc.security);
  if (doc.securityDefinitions !== undefined) out.security_definitions = { additional_properties: named(doc.securityDefinitions, securityDefinition) };
  if (Array.isArray(doc.tags)) {
    out.tags = doc.tags.map((t) => {
      const tag = asObject(t);
      const msg = pick(tag, { name: 'name', description: 'description' });
      if (tag.externalDocs !== undefined) msg.external_docs = externalDocs(tag.externalDocs);
      msg.vendor_extension = vendorExtensions(tag);
      return msg;
    });
  }
  if (doc.externalDocs !== undefined) out.external_docs = externalDocs(doc.externalDocs);
  out.vendor_extension = vendorExtensions(doc);
  return out;
}

/** The protobuf bytes of `openapi.v2.Document` for a Swagger 2.0 document. */
export function encodeSwaggerDocument(document: object): Uint8Array {
  return encodeMessage('openapi.v2.Document', swaggerToGnostic(document));
}
