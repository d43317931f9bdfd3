// GET /openapi/v2: the Swagger 2.0 document (swagger.ts) as JSON or as gnostic protobuf
// (v2Proto.ts), chosen by Accept. kubectl 1.27/1.28 download the protobuf before every
// apply and explain; other tools (Helm, curl) take the JSON. Both forms are built once per
// process (the schemas are static) and carry an ETag of their content, so a client that
// sends If-None-Match gets a 304 instead of the document again.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import { ApiError } from '../../common/errors.js';
import type { SchemaObject } from '../../common/schemas/index.js';
import { buildSwaggerDocument, type SwaggerDocument } from './swagger.js';
import { encodeSwaggerDocument } from './v2Proto.js';

/** Go's mime parser rejects the `@v1.0` spelling kubectl asks with; this is the one it accepts. */
export const openApiV2ContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The spellings clients ask for the protobuf with (client-go sends the first). */
const protobufTypes = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', openApiV2ContentType];

export interface Representation {
  contentType: string;
  body: Buffer;
  /** Quoted upper-case hex SHA-512 of `body`. */
  etag: string;
}

export interface OpenApiV2 {
  document: SwaggerDocument;
  json: Representation;
  protobuf: Representation;
  /** How long building both took, in milliseconds. */
  buildMs: number;
}

function representation(contentType: string, body: Buffer): Representation {
  return { contentType, body, etag: `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"` };
}

export function buildOpenApiV2(resources: readonly ResourceDescriptor[], definitions: Readonly<Record<string, SchemaObject>>, version: string): OpenApiV2 {
  const started = process.hrtime.bigint();
  const document = buildSwaggerDocument(resources, definitions, version);
  const json = representation('application/json', Buffer.from(JSON.stringify(document)));
  const protobuf = representation(openApiV2ContentType, Buffer.from(encodeSwaggerDocument(document)));
  return { document, json, protobuf, buildMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

/**
 * Which form an Accept header asks for: the acceptable one with the highest q (the earlier
 * on a tie); JSON when Accept is absent or allows anything. Undefined when it allows neither.
 */
export function negotiateOpenApiV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  let best: { form: 'json' | 'protobuf'; q: number } | undefined;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    const form = protobufTypes.includes(type) ? 'protobuf' : ['application/json', 'application/*', '*/*'].includes(type) ? 'json' : undefined;
    if (form && (!best || q > best.q)) best = { form, q };
  }
  return best?.form;
}

/** Whether an If-None-Match header names `etag` (weak or strong) or `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

export function serveOpenApiV2(served: OpenApiV2, req: IncomingMessage, res: ServerResponse): void {
  const form = negotiateOpenApiV2(req.headers.accept);
  if (!form) {
    throw new ApiError('NotAcceptable', `only the following media types are accepted: application/json, ${protobufTypes.join(', ')}`);
  }
  const rep = served[form];
  const headers = { ETag: rep.etag, Vary: 'Accept', 'Cache-Control': 'no-cache, private' };
  if (matches(req.headers['if-none-match'], rep.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': rep.contentType, 'Content-Length': rep.body.length });
  res.end(rep.body);
}
