// What Kubernetes checks in a Secret beyond the schema: data is base64, every key is a
// valid config key, the contents total at most 1 MiB, the well-known types carry the keys
// their consumers read, the type never changes, and an immutable Secret keeps its data.

import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import { base64Bytes, configKeyProblems, maxConfigBytes, stringMap, validateImmutableContents } from './configMapValidation.js';

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Keys a Secret of a well-known type must hold (any one of a group where noted). */
const requiredKeys: Record<string, { keys: string[]; anyOne?: boolean }> = {
  'kubernetes.io/dockercfg': { keys: ['.dockercfg'] },
  'kubernetes.io/dockerconfigjson': { keys: ['.dockerconfigjson'] },
  // A username or a password may be empty, but one of them must be there.
  'kubernetes.io/basic-auth': { keys: ['username', 'password'], anyOne: true },
  'kubernetes.io/ssh-auth': { keys: ['ssh-privatekey'] },
  'kubernetes.io/tls': { keys: ['tls.crt', 'tls.key'] },
};
/** Types whose one key holds a Docker config: it must be JSON. */
const jsonKeys: Record<string, string> = { 'kubernetes.io/dockercfg': '.dockercfg', 'kubernetes.io/dockerconfigjson': '.dockerconfigjson' };

function typeCauses(type: string, data: Record<string, string>, obj: KubeObject): FieldCause[] {
  if (type === 'kubernetes.io/service-account-token') {
    const name = 'kubernetes.io/service-account.name';
    return obj.metadata.annotations?.[name] ? [] : [fe.required(`metadata.annotations[${name}]`)];
  }
  const rule = requiredKeys[type];
  if (!rule) return [];
  const missing = rule.keys.filter((k) => !Object.hasOwn(data, k));
  if (rule.anyOne ? missing.length === rule.keys.length : missing.length > 0) return missing.map((k) => fe.required(`data[${k}]`));
  const jsonKey = jsonKeys[type];
  if (jsonKey && base64.test(data[jsonKey]!)) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(data[jsonKey]!, 'base64').toString());
      if (!isObject(parsed)) throw new Error('the Docker config must be a JSON object');
    } catch (e) {
      return [fe.invalid(`data[${jsonKey}]`, '<secret contents redacted>', (e as Error).message)];
    }
  }
  return [];
}

export function validateSecret(obj: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const data = stringMap(obj.data);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of configKeyProblems(key)) out.push(fe.invalid(`data[${key}]`, key, m));
    if (!base64.test(value) || value.length % 4 !== 0) out.push({ reason: 'FieldValueInvalid', message: 'Invalid value: illegal base64 data', field: `data[${key}]` });
    total += base64Bytes(value);
  }
  if (total > maxConfigBytes) out.push(fe.tooLong('data', maxConfigBytes));
  out.push(...typeCauses(typeof obj.type === 'string' ? obj.type : '', data, obj));
  return out;
}

export function validateSecretUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  if (obj.type !== old.type) out.push(fe.invalid('type', obj.type, 'field is immutable'));
  out.push(...validateImmutableContents(obj, old, ['data']));
  return out;
}
