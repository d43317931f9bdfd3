// The pod-template hash: one ReplicaSet per distinct pod template. The hash is computed over a
// canonical JSON form of the template (keys sorted, empty values dropped), so it is the same in
// every process and after every restart; `collisionCount` is mixed in so that a Deployment can
// step away from a name some other ReplicaSet already holds. Templates are compared the way
// Kubernetes' semantic equality does: ignoring the hash label, and treating a missing map or
// list like an empty one.

import { createHash } from 'node:crypto';
import { podTemplateHashLabel, type PodTemplateSpec } from './types.js';

/**
 * JSON with sorted keys, where null, undefined, {} and [] inside objects are dropped: two
 * templates that mean the same thing give the same text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v) ?? null);
  if (value === null || typeof value !== 'object') return value ?? undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = normalize((value as Record<string, unknown>)[key]);
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[key] = v;
  }
  return out;
}

/** The template without the pod-template-hash label (a copy). */
export function withoutHashLabel(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels && podTemplateHashLabel in t.metadata.labels) {
    const { [podTemplateHashLabel]: _hash, ...rest } = t.metadata.labels;
    t.metadata.labels = rest;
  }
  return t;
}

/** Whether two templates are the same apart from the pod-template-hash label. */
export function equalIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

// No vowels (no words spelled by accident) and no look-alikes (0/o, 1/l, 3/e): Kubernetes'
// alphabet for generated name suffixes, and valid in label values and DNS names.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const hashBytes = 5;

/**
 * The pod-template-hash of a template: 9 characters or fewer from a safe alphabet, a valid label
 * value. Different `collisionCount`s give different hashes for the same template.
 */
export function templateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const h = createHash('sha256').update(canonicalJson(withoutHashLabel(template)));
  if (collisionCount !== undefined && collisionCount > 0) h.update(`\0collision:${collisionCount}`);
  let n = 0n;
  for (const byte of h.digest().subarray(0, hashBytes)) n = (n << 8n) | BigInt(byte);
  const base = BigInt(alphabet.length);
  let out = '';
  do {
    out = alphabet[Number(n % base)] + out;
    n /= base;
  } while (n > 0n);
  return out;
}
