// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`):
// the magic `k8s\0`, then a runtime.Unknown {typeMeta {apiVersion, kind}, raw, ...} whose
// raw is the object's own message. The result is the JSON object Kubernetes' JSON encoding
// of the same Go value would be, so the request then takes the JSON path unchanged.
// Failures are 400s worded as kube-apiserver words them (scripts match on them):
//   - an envelope that cannot be read: "the object provided is unrecognized (must be of type
//     Namespace): <why> (<hex of the first 30 bytes>)";
//   - a readable envelope whose object is not the one the URL takes, or that does not decode:
//     "ConfigMap in version \"v1\" cannot be handled as a Namespace: <why>".

import { parseApiVersion } from '../../common/api/meta.js';
import { BadRequestError, type FieldCause } from '../../common/errors.js';
import type { MessageValue } from './encode.js';
import { messageToJson } from './json.js';
import { bodyApiVersion, messageNameOf, type BodyKind } from './kinds.js';
import { cannotBeHandledAs, kindMismatch } from '../validation/typeMeta.js';
import { protobufMagic } from './wellKnown.js';
import { decodeMessage, WireError } from './wireDecode.js';

export const protobufContentType = 'application/vnd.kubernetes.protobuf';

const unknownType = 'k8s.io.apimachinery.pkg.runtime.Unknown';

export interface ProtobufDecodeOptions {
  /** Nested messages allowed (the bound JSON bodies have). */
  maxDepth: number;
}

/** kube-apiserver's summary of a body it could not recognise: hex unless it looks like JSON. */
function summarize(body: Uint8Array): string {
  if (body.length === 0) return '<empty>';
  const head = Buffer.from(body.subarray(0, 30));
  const text = body[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return body.length > 30 ? `${text} ...` : text;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

/** The `k8s\0` + runtime.Unknown envelope; throws the reason as text. */
function readEnvelope(body: Uint8Array): Envelope {
  if (body.length === 0) throw new Error('empty data');
  if (body.length < protobufMagic.length || !protobufMagic.every((b, i) => body[i] === b)) {
    throw new Error(`provided data does not appear to be a protobuf message, expected prefix [${[...protobufMagic].join(' ')}]`);
  }
  if (body.length === protobufMagic.length) throw new Error('empty body');
  const unknown = decodeMessage(unknownType, body.subarray(protobufMagic.length), { maxDepth: 1 });
  const typeMeta = (unknown.typeMeta ?? {}) as MessageValue;
  return {
    apiVersion: typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '',
    kind: typeof typeMeta.kind === 'string' ? typeMeta.kind : '',
    raw: unknown.raw instanceof Uint8Array ? unknown.raw : new Uint8Array(),
  };
}

function decodeObject(messageName: string, raw: Uint8Array, opts: ProtobufDecodeOptions, depth: number, path: string): Record<string, unknown> {
  const tree = decodeMessage(messageName, raw, { maxDepth: opts.maxDepth - depth }, path);
  const nested = (inner: Uint8Array, at: string, d: number): unknown => decodeNested(inner, opts, d, at);
  return messageToJson(messageName, tree, path, { maxDepth: opts.maxDepth, nested }, depth) as Record<string, unknown>;
}

/** An object inside an object (a RawExtension holding protobuf): decoded by its own type. */
function decodeNested(body: Uint8Array, opts: ProtobufDecodeOptions, depth: number, path: string): unknown {
  if (depth > opts.maxDepth) throw new WireError(`the message nests deeper than ${opts.maxDepth} levels`, path);
  let env: Envelope;
  try {
    env = readEnvelope(body);
  } catch (e) {
    throw new WireError(e instanceof WireError ? e.message : `embedded object: ${(e as Error).message}`, path);
  }
  const name = messageNameOf(env.apiVersion, env.kind);
  if (!name) throw new WireError(`embedded object: no kind ${JSON.stringify(env.kind)} is registered for version ${JSON.stringify(env.apiVersion)}`, path);
  return { apiVersion: env.apiVersion, kind: env.kind, ...decodeObject(name, env.raw, opts, depth, path) };
}

function accepts(expected: BodyKind, apiVersion: string): boolean {
  if (expected.anyGroupVersion) return true;
  const { group, version } = parseApiVersion(apiVersion);
  return group === expected.group && (version === expected.version || (expected.otherVersions ?? []).includes(version));
}

/**
 * Decodes a protobuf request body into the JSON object of the same value, with `apiVersion`
 * and `kind` from the envelope (defaulted from `expected`, as Kubernetes defaults a body's
 * missing type from the URL). Without `expected`, any kind Kubernetes defines is taken.
 */
export function decodeProtobufObject(body: Uint8Array, expected: BodyKind | undefined, opts: ProtobufDecodeOptions): Record<string, unknown> {
  const mustBe = expected?.kind ?? 'Object';
  let env: Envelope;
  try {
    env = readEnvelope(body);
  } catch (e) {
    throw new BadRequestError(`the object provided is unrecognized (must be of type ${mustBe}): ${(e as Error).message} (${summarize(body)})`);
  }
  let { apiVersion, kind } = env;
  if (expected) {
    if (kind === '') kind = expected.kind;
    if (parseApiVersion(apiVersion).version === '') apiVersion = bodyApiVersion(expected);
  }
  if (kind === '') {
    throw new BadRequestError(`the object provided is unrecognized (must be of type ${mustBe}): Object 'Kind' is missing in '<protobuf encoded body - must provide default type>' (${summarize(body)})`);
  }
  const { version } = parseApiVersion(apiVersion);
  const cannot = (why: string, causes?: FieldCause[]): BadRequestError => cannotBeHandledAs({ version, kind }, expected?.kind ?? kind, why, causes);
  const messageName = messageNameOf(apiVersion, kind);
  if (!messageName) throw cannot(`no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`);
  if (expected && kind !== expected.kind) {
    throw kindMismatch({ version, kind }, expected);
  }
  let object: Record<string, unknown>;
  try {
    object = decodeObject(messageName, env.raw, opts, 0, '');
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    const cause: FieldCause = { reason: 'FieldValueInvalid', message: e.message };
    if (e.path) cause.field = e.path;
    throw cannot(e.message, [cause]);
  }
  if (expected && !accepts(expected, apiVersion)) {
    throw new BadRequestError(`the API version in the data (${apiVersion}) does not match the expected API version (${bodyApiVersion(expected)})`);
  }
  return { apiVersion, kind, ...object };
}
