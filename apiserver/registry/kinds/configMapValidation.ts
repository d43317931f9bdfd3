// What Kubernetes checks in a ConfigMap beyond the schema: every key is a valid config key
// (it becomes a file name in a volume and an environment variable name), no key is in both
// data and binaryData, the contents total at most 1 MiB, and an immutable ConfigMap keeps
// its contents.

import { isDeepStrictEqual } from 'node:util';
import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';

/** The most a ConfigMap's (or Secret's) contents may hold, in bytes. */
export const maxConfigBytes = 1024 * 1024;
const maxKeyLength = 253;

/** Problems with a ConfigMap or Secret key, none when valid. */
export function configKeyProblems(key: string): string[] {
  const out: string[] = [];
  if (key.length > maxKeyLength) out.push(`must be no more than ${maxKeyLength} characters`);
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
    out.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  // Keys become file names in the same directory: none may climb out of it.
  if (key === '.') out.push("must not be '.'");
  else if (key === '..') out.push("must not be '..'");
  else if (key.startsWith('..')) out.push("must not start with '..'");
  return out;
}

/** A map field as a record of strings (the schema already checked the value types). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : '';
  return out;
}

/** Bytes a base64 string decodes to, without decoding it. */
export function base64Bytes(s: string): number {
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((s.length * 3) / 4) - padding);
}

export function validateConfigMap(obj: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const data = stringMap(obj.data);
  const binary = stringMap(obj.binaryData);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of configKeyProblems(key)) out.push(fe.invalid(`data[${key}]`, key, m));
    if (Object.hasOwn(binary, key)) out.push(fe.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const m of configKeyProblems(key)) out.push(fe.invalid(`binaryData[${key}]`, key, m));
    total += base64Bytes(value);
  }
  // The limit is on the whole object's contents, so the cause names no field.
  if (total > maxConfigBytes) out.push(fe.tooLong(undefined, maxConfigBytes));
  return out;
}

/** Once `immutable` is true, neither it nor the contents may change. */
export function validateImmutableContents(obj: KubeObject, old: KubeObject, fields: readonly string[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const out: FieldCause[] = [];
  const why = 'field is immutable when `immutable` is set';
  if (obj.immutable !== true) out.push(fe.forbidden('immutable', why));
  for (const f of fields) if (!isDeepStrictEqual(obj[f] ?? {}, old[f] ?? {})) out.push(fe.forbidden(f, why));
  return out;
}

export function validateConfigMapUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  return validateImmutableContents(obj, old, ['data', 'binaryData']);
}
