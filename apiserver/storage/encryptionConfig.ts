// `--encryption-provider-config`: Kubernetes' EncryptionConfiguration
// (apiserver.config.k8s.io/v1), the subset Gantry implements: per resource, an ordered list
// of providers, each `aesgcm` (named AES keys) or `identity` (plain). The first provider
// writes, all of them read: that order is what makes key rotation possible.

import { ConfigError } from '../../common/config.js';
import { parseYaml } from '../../common/yaml.js';

export interface AesGcmKey {
  name: string;
  /** 16, 24 or 32 bytes (AES-128/192/256). */
  secret: Buffer;
}

export type EncryptionProvider = { type: 'aesgcm'; keys: AesGcmKey[] } | { type: 'identity' };

export interface EncryptionRule {
  /** As written: `secrets`, `deployments.apps`, `*.apps`, `*.*`. */
  resources: string[];
  providers: EncryptionProvider[];
}

export interface EncryptionConfig {
  rules: EncryptionRule[];
}

const apiVersion = 'apiserver.config.k8s.io/v1';
const knownButUnsupported = ['aescbc', 'secretbox', 'kms'];
const keyNamePattern = /^[A-Za-z0-9_.-]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, message: string): never {
  throw new ConfigError(`encryption provider config: ${path}: ${message}`);
}

function parseKey(v: unknown, path: string): AesGcmKey {
  if (!isObject(v)) fail(path, 'must be an object with name and secret');
  const { name, secret } = v;
  if (typeof name !== 'string' || !name) fail(`${path}.name`, 'required');
  // The name becomes part of the stored prefix `k8s:enc:aesgcm:v1:<name>:`, so a colon would make it ambiguous.
  if (!keyNamePattern.test(name)) fail(`${path}.name`, `${JSON.stringify(name)} may contain only letters, digits, '-', '_' and '.'`);
  if (typeof secret !== 'string' || !secret) fail(`${path}.secret`, 'required (base64 of 16, 24 or 32 random bytes)');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || secret.length % 4 !== 0) fail(`${path}.secret`, 'is not valid base64');
  const bytes = Buffer.from(secret, 'base64');
  if (![16, 24, 32].includes(bytes.length)) fail(`${path}.secret`, `decodes to ${bytes.length} bytes; AES-GCM needs 16, 24 or 32`);
  return { name, secret: bytes };
}

function parseProvider(v: unknown, path: string): EncryptionProvider {
  if (!isObject(v)) fail(path, 'must be an object with exactly one provider (aesgcm or identity)');
  const names = Object.keys(v);
  if (names.length !== 1) fail(path, `must name exactly one provider, found ${names.length ? names.join(', ') : 'none'}`);
  const type = names[0]!;
  const body = v[type];
  if (type === 'identity') {
    if (body !== null && body !== undefined && !(isObject(body) && Object.keys(body).length === 0)) fail(`${path}.identity`, 'takes no settings: write `identity: {}`');
    return { type: 'identity' };
  }
  if (type === 'aesgcm') {
    if (!isObject(body) || !Array.isArray(body.keys) || body.keys.length === 0) fail(`${path}.aesgcm.keys`, 'at least one key is required');
    const keys = body.keys.map((k, i) => parseKey(k, `${path}.aesgcm.keys[${i}]`));
    const seen = new Set<string>();
    keys.forEach((k, i) => {
      if (seen.has(k.name)) fail(`${path}.aesgcm.keys[${i}].name`, `duplicate key name ${JSON.stringify(k.name)}`);
      seen.add(k.name);
    });
    return { type: 'aesgcm', keys };
  }
  if (knownButUnsupported.includes(type)) fail(`${path}.${type}`, 'is not supported by Gantry; use aesgcm (or identity)');
  fail(path, `unknown provider ${JSON.stringify(type)}; supported: aesgcm, identity`);
}

function parseResourceName(v: unknown, path: string): string {
  if (typeof v !== 'string' || !v) fail(path, 'must be a resource name such as secrets');
  // Resources are written lowercase plural (`secrets`, `deployments.apps`), or `*.<group>` / `*.*`.
  if (!/^(\*|[a-z0-9-]+)(\.(\*|[a-z0-9.-]+))?$/.test(v) || v === '*') fail(path, `${JSON.stringify(v)} is not a resource (e.g. secrets, deployments.apps, *.apps, *.*)`);
  return v;
}

/** Parses and checks the file's text; every problem names its field path. */
export function parseEncryptionConfig(text: string): EncryptionConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`encryption provider config: not valid YAML: ${(e as Error).message}`);
  }
  if (!isObject(doc)) fail('(document)', 'must be an EncryptionConfiguration object');
  if (doc.kind !== 'EncryptionConfiguration') fail('kind', `must be EncryptionConfiguration, not ${JSON.stringify(doc.kind)}`);
  if (doc.apiVersion !== apiVersion) fail('apiVersion', `must be ${apiVersion}, not ${JSON.stringify(doc.apiVersion)}`);
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) fail('resources', 'at least one entry is required');
  const claimed = new Map<string, string>();
  const rules = doc.resources.map((r: unknown, i: number): EncryptionRule => {
    const path = `resources[${i}]`;
    if (!isObject(r)) fail(path, 'must be an object with resources and providers');
    if (!Array.isArray(r.resources) || r.resources.length === 0) fail(`${path}.resources`, 'at least one resource is required');
    if (!Array.isArray(r.providers) || r.providers.length === 0) fail(`${path}.providers`, 'at least one provider is required');
    const resources = r.resources.map((n, j) => parseResourceName(n, `${path}.resources[${j}]`));
    resources.forEach((n, j) => {
      const before = claimed.get(n);
      if (before) fail(`${path}.resources[${j}]`, `${JSON.stringify(n)} is already listed at ${before}`);
      claimed.set(n, `${path}.resources[${j}]`);
    });
    const providers = r.providers.map((p, j) => parseProvider(p, `${path}.providers[${j}]`));
    const names = new Set<string>();
    providers.forEach((p, j) => {
      if (p.type !== 'aesgcm') return;
      for (const k of p.keys) {
        if (names.has(k.name)) fail(`${path}.providers[${j}].aesgcm.keys`, `key name ${JSON.stringify(k.name)} is used twice`);
        names.add(k.name);
      }
    });
    return { resources, providers };
  });
  return { rules };
}
