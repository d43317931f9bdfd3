// Values of the downward API: pod fields (`fieldRef`) and container resources
// (`resourceFieldRef`), as env vars and downward API volume files present them.

import type { Quantity } from '../../common/quantity.js';
import { PodSpecError } from './errors.js';
import { effectiveResources, quantityAt } from './quantities.js';
import { allContainers, containerField, type Container, type ObjectFieldSelector, type Pod, type ResourceFieldSelector, type ResourceList } from './types.js';

/** What only the node knows about a running pod. */
export interface PodRuntimeFacts {
  podIP?: string;
  podIPs?: string[];
  hostIP: string;
  hostIPs?: string[];
  nodeName: string;
}

/** Go's %q for the strings of a label or annotation value: printable text as is, the rest escaped. */
function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Labels or annotations as one file: `key="value"` lines sorted by key, without a final newline. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(String(m![k]))}`)
    .join('\n');
}

/** `metadata.labels['app']` -> ['metadata.labels', 'app']; undefined when not subscripted. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const inner = fieldPath.slice(0, -2);
  const at = inner.indexOf("['");
  if (at <= 0) return undefined;
  return [inner.slice(0, at), inner.slice(at + 2)];
}

function checkApiVersion(ref: ObjectFieldSelector, field: string): void {
  if (ref.apiVersion !== undefined && ref.apiVersion !== '' && ref.apiVersion !== 'v1') {
    throw new PodSpecError(`${field}: unsupported fieldRef apiVersion ${JSON.stringify(ref.apiVersion)}`, `${field}.apiVersion`);
  }
}

/** A metadata field, the part of the downward API both env vars and volumes offer. */
export function metadataFieldValue(pod: Pod, ref: ObjectFieldSelector, field: string): string {
  checkApiVersion(ref, field);
  const path = ref.fieldPath;
  const sub = typeof path === 'string' ? splitSubscript(path) : undefined;
  if (sub) {
    const [base, key] = sub;
    if (base === 'metadata.labels') return pod.metadata.labels?.[key] ?? '';
    if (base === 'metadata.annotations') return pod.metadata.annotations?.[key] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
  }
  throw new PodSpecError(`${field}: unsupported fieldPath ${JSON.stringify(path)}`, `${field}.fieldPath`);
}

/** A fieldRef of an env var: metadata, plus the spec and status fields only the node knows. */
export function envFieldValue(pod: Pod, ref: ObjectFieldSelector, facts: PodRuntimeFacts, field: string): string {
  checkApiVersion(ref, field);
  switch (ref.fieldPath) {
    case 'spec.nodeName':
      return pod.spec.nodeName || facts.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return facts.hostIP;
    case 'status.hostIPs':
      return (facts.hostIPs?.length ? facts.hostIPs : [facts.hostIP]).join(',');
    case 'status.podIP':
      return facts.podIP ?? facts.podIPs?.[0] ?? '';
    case 'status.podIPs':
      return (facts.podIPs?.length ? facts.podIPs : facts.podIP ? [facts.podIP] : []).join(',');
  }
  return metadataFieldValue(pod, ref, field);
}

const defaultedLimits = ['cpu', 'memory', 'ephemeral-storage'];

function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n || n < 0n ? q : q + 1n;
}

/**
 * A container's request or limit divided by `divisor` and rounded up, as the downward API
 * gives it (`limits.cpu` of 500m with divisor 1 is "1"). A limit left unset is the node's
 * allocatable amount, which is what the container can in fact use.
 */
export function resourceFieldValue(pod: Pod, self: Container | undefined, ref: ResourceFieldSelector, allocatable: ResourceList, field: string): string {
  let container = self;
  if (ref.containerName) {
    container = allContainers(pod).find((c) => c.name === ref.containerName);
    if (!container) throw new PodSpecError(`${field}: container ${ref.containerName} not found`, `${field}.containerName`);
  }
  if (!container) throw new PodSpecError(`${field}.containerName is required`, `${field}.containerName`);
  const dot = typeof ref.resource === 'string' ? ref.resource.indexOf('.') : -1;
  const kind = dot > 0 ? ref.resource.slice(0, dot) : '';
  const name = dot > 0 ? ref.resource.slice(dot + 1) : '';
  const known = name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
  if ((kind !== 'limits' && kind !== 'requests') || !known) throw new PodSpecError(`${field}: unsupported container resource ${JSON.stringify(ref.resource)}`, `${field}.resource`);

  const divisor = ref.divisor === undefined || ref.divisor === '' ? undefined : quantityAt(ref.divisor, `${field}.divisor`);
  if (divisor && divisor.sign() <= 0) throw new PodSpecError(`${field}.divisor must be positive`, `${field}.divisor`);

  const r = effectiveResources(container, containerField(pod, container));
  let amount: Quantity | undefined = (kind === 'limits' ? r.limits : r.requests).get(name);
  if (kind === 'limits' && defaultedLimits.includes(name) && (!amount || amount.isZero()) && allocatable[name] !== undefined) {
    amount = quantityAt(allocatable[name], `node allocatable ${name}`);
  }
  if (name === 'cpu') {
    const d = divisor?.milliValue() ?? 1000n;
    return ceilDiv(amount?.milliValue() ?? 0n, d).toString();
  }
  const d = divisor?.value() ?? 1n;
  return ceilDiv(amount?.value() ?? 0n, d).toString();
}
