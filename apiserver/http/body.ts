// Request bodies: size-limited before any decoding, then decoded by content type.

import type { IncomingMessage } from 'node:http';
import { BadRequestError, TooLargeError, UnsupportedMediaTypeError } from '../../common/errors.js';
import { checkBounds, parseYaml, YamlError } from '../../common/yaml.js';
import { decodeProtobufObject, protobufContentType } from '../protobuf/decode.js';
import type { BodyKind } from '../protobuf/kinds.js';

/** structuredClone, validation and JSON.stringify recurse: deep JSON is refused here, as deep YAML is. */
export const maxJsonDepth = 100;

/** Kubernetes' request body limit. */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Bodies an earlier step (admission) already read; the stream cannot be read twice. */
const preread = new WeakMap<IncomingMessage, Buffer>();

/** Reads the body now and keeps it for the handler's later readBody. */
export async function prereadBody(req: IncomingMessage): Promise<Buffer> {
  const body = await readBody(req);
  preread.set(req, body);
  return body;
}

export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const kept = preread.get(req);
  if (kept) return kept;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new TooLargeError(`Request entity too large: limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new TooLargeError(`Request entity too large: limit is ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

const jsonTypes = new Set(['application/json', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', '']);
const yamlTypes = new Set(['application/yaml', 'application/apply-patch+yaml', 'application/x-yaml', 'text/yaml']);

/**
 * Decodes JSON, YAML or Kubernetes protobuf; anything else is 415. Syntax errors are 400 with
 * the position. `expected` is the kind the URL takes: protobuf bodies name their kind, and a
 * different one is refused in Kubernetes' words (without it, any kind Kubernetes defines).
 */
export function decodeBody(body: Buffer, contentType: string | undefined, expected?: BodyKind): unknown {
  const type = mediaType(contentType);
  if (type === protobufContentType) return decodeProtobufObject(body, expected, { maxDepth: maxJsonDepth });
  const text = body.toString('utf8');
  if (text.trim() === '') throw new BadRequestError('the request body is empty');
  if (jsonTypes.has(type)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
      checkBounds(value, { maxNodes: Number.POSITIVE_INFINITY, maxDepth: maxJsonDepth });
    } catch (e) {
      throw new BadRequestError(`the body of the request could not be decoded as JSON: ${(e as Error).message}`);
    }
    return value;
  }
  if (yamlTypes.has(type)) {
    try {
      return parseYaml(text);
    } catch (e) {
      if (e instanceof YamlError) {
        const where = e.line ? ` (line ${e.line}, column ${e.column ?? 0})` : '';
        throw new BadRequestError(`the body of the request could not be decoded as YAML${where}: ${e.message}`);
      }
      throw e;
    }
  }
  throw new UnsupportedMediaTypeError(type);
}
