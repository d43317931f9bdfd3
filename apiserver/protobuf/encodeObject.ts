// A JSON object -> Kubernetes' protobuf encoding (`k8s\0` + runtime.Unknown), the inverse of
// decode.ts: what a Go client sends, and what protobuf responses will be made of.

import { encodeMessage } from './encode.js';
import { jsonToMessage } from './json.js';
import { messageNameOf } from './kinds.js';
import { protobufMagic } from './wellKnown.js';

/** The message tree and message name of an object with apiVersion and kind. */
export function objectToMessage(obj: Record<string, unknown>): { messageName: string; tree: ReturnType<typeof jsonToMessage> } {
  const { apiVersion, kind, ...rest } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') throw new TypeError('the object needs apiVersion and kind');
  const messageName = messageNameOf(apiVersion, kind);
  if (!messageName) throw new TypeError(`no protobuf message for ${apiVersion} ${kind}`);
  return { messageName, tree: jsonToMessage(messageName, rest) };
}

/** Wraps an encoded object's bytes in the envelope. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const unknown = encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' });
  const out = new Uint8Array(protobufMagic.length + unknown.length);
  out.set(protobufMagic, 0);
  out.set(unknown, protobufMagic.length);
  return out;
}

export function encodeProtobufObject(obj: Record<string, unknown>): Uint8Array {
  const { messageName, tree } = objectToMessage(obj);
  return envelope(obj.apiVersion as string, obj.kind as string, encodeMessage(messageName, tree));
}
