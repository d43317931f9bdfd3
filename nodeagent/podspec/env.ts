// A container's environment, resolved the way the kubelet resolves it: envFrom sources
// first (keys that are not valid variable names are skipped), then `env` in order, each
// `value` expanded against the variables defined before it; service variables, when
// given, fill in names nothing else set. A later definition of a name replaces an earlier
// one and keeps its position.

import type { KeyValue } from '../cri/types.js';
import { ContainerConfigError, PodSpecError } from './errors.js';
import { expandReferences } from './expansion.js';
import { envFieldValue, resourceFieldValue, type PodRuntimeFacts } from './fieldRefs.js';
import type { ConfigMapContent, ObjectSources } from './sources.js';
import { containerField, listAt, type Container, type Pod, type ResourceList } from './types.js';

export interface EnvSources extends ObjectSources, PodRuntimeFacts {
  /** The node's allocatable resources: what `limits.*` of a container without limits reads as. */
  nodeAllocatable: ResourceList;
  /** Service link variables (`<SVC>_SERVICE_HOST`, ...), when the pod enables them. */
  serviceEnv?: Record<string, string>;
  /** Told about envFrom keys skipped as invalid names (the kubelet's InvalidEnvironmentVariableNames event). */
  warn?(reason: string, message: string): void;
}

const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvVarName(name: string): boolean {
  return envVarName.test(name);
}

/** One lookup per object per container, as a container sees one version of each. */
class ObjectCache {
  private readonly configMaps = new Map<string, Promise<ConfigMapContent | undefined>>();
  private readonly secrets = new Map<string, Promise<Record<string, Buffer> | undefined>>();
  constructor(
    private readonly sources: ObjectSources,
    private readonly namespace: string,
  ) {}
  configMap(name: string): Promise<ConfigMapContent | undefined> {
    let p = this.configMaps.get(name);
    if (!p) this.configMaps.set(name, (p = this.sources.configMap(this.namespace, name)));
    return p;
  }
  secret(name: string): Promise<Record<string, Buffer> | undefined> {
    let p = this.secrets.get(name);
    if (!p) this.secrets.set(name, (p = this.sources.secret(this.namespace, name)));
    return p;
  }
}

function requiredName(name: string | undefined, field: string): string {
  if (typeof name !== 'string' || name === '') throw new ContainerConfigError(`${field}.name is required`, `${field}.name`);
  return name;
}

export async function resolveEnv(pod: Pod, container: Container, sources: EnvSources): Promise<KeyValue[]> {
  const base = containerField(pod, container);
  const ns = pod.metadata.namespace;
  const cache = new ObjectCache(sources, ns);
  const env = new Map<string, string>();

  const envFrom = listAt(container.envFrom, `${base}.envFrom`);
  for (const [i, from] of envFrom.entries()) {
    const field = `${base}.envFrom[${i}]`;
    const prefix = from.prefix ?? '';
    let entries: [string, string][];
    let what: string;
    if (from.configMapRef) {
      const name = requiredName(from.configMapRef.name, `${field}.configMapRef`);
      const cm = await cache.configMap(name);
      if (!cm) {
        if (from.configMapRef.optional === true) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`, `${field}.configMapRef`);
      }
      entries = Object.entries(cm.data);
      what = `configMap ${ns}/${name}`;
    } else if (from.secretRef) {
      const name = requiredName(from.secretRef.name, `${field}.secretRef`);
      const secret = await cache.secret(name);
      if (!secret) {
        if (from.secretRef.optional === true) continue;
        throw new ContainerConfigError(`secret "${name}" not found`, `${field}.secretRef`);
      }
      entries = Object.entries(secret).map(([k, v]) => [k, v.toString('utf8')]);
      what = `secret ${ns}/${name}`;
    } else {
      throw new PodSpecError(`${field} needs configMapRef or secretRef`, field);
    }
    const invalid: string[] = [];
    for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const name = prefix + key;
      if (isEnvVarName(name)) env.set(name, value);
      else invalid.push(name);
    }
    if (invalid.length) {
      sources.warn?.('InvalidEnvironmentVariableNames', `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`);
    }
  }

  const serviceEnv = sources.serviceEnv ?? {};
  const lookup = (name: string): string | undefined => env.get(name) ?? (Object.hasOwn(serviceEnv, name) ? serviceEnv[name] : undefined);
  for (const [i, v] of listAt(container.env, `${base}.env`).entries()) {
    const field = `${base}.env[${i}]`;
    if (typeof v?.name !== 'string' || v.name === '') throw new PodSpecError(`${field}.name is required`, `${field}.name`);
    const value = await envValue(pod, container, v, field, sources, cache, lookup);
    if (value !== undefined) env.set(v.name, value);
  }

  const out: KeyValue[] = [...env].map(([key, value]) => ({ key, value }));
  for (const [key, value] of Object.entries(serviceEnv)) if (!env.has(key)) out.push({ key, value });
  return out;
}

/** One `env` entry's value; undefined when an optional source is missing (the variable is left out). */
async function envValue(
  pod: Pod,
  container: Container,
  v: NonNullable<Container['env']>[number],
  field: string,
  sources: EnvSources,
  cache: ObjectCache,
  lookup: (name: string) => string | undefined,
): Promise<string | undefined> {
  if (typeof v.value === 'string' && v.value !== '') return expandReferences(v.value, lookup);
  const from = v.valueFrom;
  if (!from) return '';
  const ns = pod.metadata.namespace;
  if (from.fieldRef) return envFieldValue(pod, from.fieldRef, sources, `${field}.valueFrom.fieldRef`);
  if (from.resourceFieldRef) return resourceFieldValue(pod, container, from.resourceFieldRef, sources.nodeAllocatable, `${field}.valueFrom.resourceFieldRef`);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const refField = `${field}.valueFrom.configMapKeyRef`;
    const name = requiredName(ref.name, refField);
    const cm = await cache.configMap(name);
    if (!cm) {
      if (ref.optional === true) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`, refField);
    }
    if (Object.hasOwn(cm.data, ref.key)) return cm.data[ref.key];
    if (ref.optional === true) return undefined;
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${name}`, `${refField}.key`);
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const refField = `${field}.valueFrom.secretKeyRef`;
    const name = requiredName(ref.name, refField);
    const secret = await cache.secret(name);
    if (!secret) {
      if (ref.optional === true) return undefined;
      throw new ContainerConfigError(`secret "${name}" not found`, refField);
    }
    if (Object.hasOwn(secret, ref.key)) return secret[ref.key]!.toString('utf8');
    if (ref.optional === true) return undefined;
    throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${name}`, `${refField}.key`);
  }
  throw new PodSpecError(`${field}.valueFrom names no source`, `${field}.valueFrom`);
}
