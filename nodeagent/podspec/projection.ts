// The files a ConfigMap, Secret, downward API or projected volume holds, as the kubelet
// computes them: every key as a file named after it, or only the listed `items` under their
// `path`, each with the item's `mode` or the volume's `defaultMode` (0644).

import type { FileProjection, Payload } from './atomicWriter.js';
import { PodSpecError, VolumeError } from './errors.js';
import { metadataFieldValue, resourceFieldValue } from './fieldRefs.js';
import { relativePathProblem } from './paths.js';
import type { ObjectSources } from './sources.js';
import { listAt, type DownwardAPIVolumeFile, type KeyToPath, type Pod, type ResourceList } from './types.js';

export const defaultFileMode = 0o644;

export function modeAt(v: unknown, fallback: number, field: string): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0o777) throw new VolumeError(`${field}: mode must be an integer between 0 and 0777 (511)`, field);
  return v;
}

function checkedPath(p: string, field: string): string {
  const problem = relativePathProblem(p);
  if (problem) throw new VolumeError(`${field}: invalid path ${JSON.stringify(p)}: ${problem}`, field);
  return p;
}

/** Keys to files: all of them, or only `items` (a missing listed key fails unless optional). */
function project(
  keys: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
  field: string,
): Payload {
  const out: Payload = new Map();
  const list = listAt(items, `${field}.items`);
  if (list.length === 0) {
    for (const [key, data] of keys) out.set(checkedPath(key, field), { data, mode: defaultMode });
    return out;
  }
  list.forEach((item, i) => {
    const data = keys.get(item.key);
    if (!data) {
      if (optional) return;
      throw new VolumeError(missingKey(item.key), `${field}.items[${i}].key`);
    }
    out.set(checkedPath(item.path, `${field}.items[${i}].path`), { data, mode: modeAt(item.mode, defaultMode, `${field}.items[${i}].mode`) });
  });
  return out;
}

function requiredName(name: string | undefined, field: string): string {
  if (typeof name !== 'string' || name === '') throw new VolumeError(`${field} is required`, field);
  return name;
}

/** What a configMap or secret volume (or projection) names: `field` is its path, `nameField` its name's. */
export interface KeysSource {
  name?: string;
  items?: KeyToPath[];
  optional?: boolean;
}

export async function configMapPayload(pod: Pod, src: KeysSource, defaultMode: number, sources: ObjectSources, field: string, nameField = `${field}.name`): Promise<Payload> {
  const name = requiredName(src.name, nameField);
  const cm = await sources.configMap(pod.metadata.namespace, name);
  if (!cm && src.optional !== true) throw new VolumeError(`configmap "${name}" not found`, field);
  const keys = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm?.data ?? {})) keys.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm?.binaryData ?? {})) keys.set(k, v);
  return project(keys, src.items, defaultMode, src.optional === true, (k) => `configmap references non-existent config key: ${k}`, field);
}

export async function secretPayload(pod: Pod, src: KeysSource, defaultMode: number, sources: ObjectSources, field: string, nameField = `${field}.name`): Promise<Payload> {
  const name = requiredName(src.name, nameField);
  const secret = await sources.secret(pod.metadata.namespace, name);
  if (!secret && src.optional !== true) throw new VolumeError(`secret "${name}" not found`, field);
  const keys = new Map<string, Buffer>(Object.entries(secret ?? {}));
  return project(keys, src.items, defaultMode, src.optional === true, (k) => `references non-existent secret key: ${k}`, field);
}

/** Downward API files: metadata fields and container resources (by container name). */
export function downwardApiPayload(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, defaultMode: number, allocatable: ResourceList, field: string): Payload {
  const out: Payload = new Map();
  listAt(items, `${field}.items`).forEach((item, i) => {
    const f = `${field}.items[${i}]`;
    let value: string;
    try {
      if (item.fieldRef) value = metadataFieldValue(pod, item.fieldRef, `${f}.fieldRef`);
      else if (item.resourceFieldRef) value = resourceFieldValue(pod, undefined, item.resourceFieldRef, allocatable, `${f}.resourceFieldRef`);
      else throw new VolumeError(`${f} needs fieldRef or resourceFieldRef`, f);
    } catch (e) {
      // The downward API's own checks speak of the pod; here they fail a volume.
      if (e instanceof PodSpecError && !(e instanceof VolumeError)) throw new VolumeError(e.message, e.field, { cause: e });
      throw e;
    }
    const projection: FileProjection = { data: Buffer.from(value, 'utf8'), mode: modeAt(item.mode, defaultMode, `${f}.mode`) };
    out.set(checkedPath(item.path, `${f}.path`), projection);
  });
  return out;
}
