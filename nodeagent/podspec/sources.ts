// Where the agent gets the ConfigMaps and Secrets a pod refers to. Lookups return
// undefined for an object that does not exist (which a pod may tolerate with
// `optional: true`) and throw for anything else (which is retried, not reported as the
// pod's fault). Secret values are bytes, decoded from the API's base64, because secret
// volumes must reproduce binary keys exactly; env vars read them as UTF-8.

import { isObject, type KubeObject } from '../../common/api/meta.js';

export interface ConfigMapContent {
  data: Record<string, string>;
  /** `binaryData` decoded from base64. Projected into volumes, not into env vars (as in Kubernetes). */
  binaryData: Record<string, Buffer>;
}

export interface ObjectSources {
  configMap(namespace: string, name: string): Promise<ConfigMapContent | undefined>;
  /** The Secret's `data`, decoded from base64. */
  secret(namespace: string, name: string): Promise<Record<string, Buffer> | undefined>;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, s] of Object.entries(v)) if (typeof s === 'string') out[k] = s;
  return out;
}

function base64Map(v: unknown): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, s] of Object.entries(stringMap(v))) out[k] = Buffer.from(s, 'base64');
  return out;
}

/** A ConfigMap object from the API as a `ConfigMapContent`. */
export function configMapContent(obj: KubeObject): ConfigMapContent {
  return { data: stringMap(obj.data), binaryData: base64Map(obj.binaryData) };
}

/** A Secret object from the API as decoded bytes per key. */
export function secretContent(obj: KubeObject): Record<string, Buffer> {
  return base64Map(obj.data);
}
