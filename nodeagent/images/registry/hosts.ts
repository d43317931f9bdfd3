// Where a registry's content can be fetched from, configured per node like k3s's
// registries.yaml:
//
//   mirrors:
//     docker.io:
//       endpoint: ["http://127.0.0.1:5000"]
//   configs:
//     "127.0.0.1:5000":
//       auth: { username: u, password: p }
//       tls: { ca_file: /etc/gantry/ca.pem, insecure_skip_verify: false }
//
// Mirrors are tried in order, then the registry itself (unless disabled). Settings under
// `configs` are keyed by the host:port of the endpoint they apply to.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parseYaml } from '../../../common/yaml.js';
import { BadRequestError } from '../../../common/errors.js';
import { defaultDomain } from '../reference.js';

export interface RegistryAuthConfig {
  username?: string;
  password?: string;
  /** base64 of `user:password`. */
  auth?: string;
  /** A bearer token sent to the registry as is. */
  token?: string;
}

export interface RegistryTlsConfig {
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  insecure_skip_verify?: boolean;
}

export interface RegistriesConfig {
  mirrors?: Record<string, { endpoint: string[] }>;
  configs?: Record<string, { auth?: RegistryAuthConfig; tls?: RegistryTlsConfig }>;
  /** Do not fall back to the registry itself after its mirrors (k3s: --disable-default-registry-endpoint). */
  disableDefaultEndpoint?: boolean;
}

export type Credentials = { username: string; password: string } | { token: string };

export interface TlsSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipVerify: boolean;
}

export interface Endpoint {
  /** Base of the API: `http://127.0.0.1:5000/v2`, without a trailing slash. */
  apiBase: string;
  /** host[:port], the key under `configs`. */
  host: string;
  mirror: boolean;
  credentials?: Credentials;
  tls: TlsSettings;
}

function fail(why: string): never {
  throw new BadRequestError(`registries config: ${why}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`${where}.${key} must be a string`);
  return v;
}

/** Validates a parsed registries.yaml; accepts `endpoints` as a spelling of `endpoint`. */
export function parseRegistriesConfig(doc: unknown): RegistriesConfig {
  if (doc === undefined || doc === null) return {};
  if (!isObj(doc)) fail('must be a mapping');
  const out: RegistriesConfig = {};
  if (doc.mirrors !== undefined && doc.mirrors !== null) {
    if (!isObj(doc.mirrors)) fail('mirrors must be a mapping');
    out.mirrors = {};
    for (const [name, m] of Object.entries(doc.mirrors)) {
      if (!isObj(m)) fail(`mirrors.${name} must be a mapping`);
      const list = m.endpoint ?? m.endpoints;
      if (!Array.isArray(list) || list.some((e) => typeof e !== 'string')) fail(`mirrors.${name}.endpoint must be a list of URLs`);
      for (const e of list as string[]) endpointUrl(e, `mirrors.${name}.endpoint`);
      out.mirrors[name] = { endpoint: list as string[] };
    }
  }
  if (doc.configs !== undefined && doc.configs !== null) {
    if (!isObj(doc.configs)) fail('configs must be a mapping');
    out.configs = {};
    for (const [host, c] of Object.entries(doc.configs)) {
      if (!isObj(c)) fail(`configs.${host} must be a mapping`);
      const entry: { auth?: RegistryAuthConfig; tls?: RegistryTlsConfig } = {};
      if (c.auth !== undefined && c.auth !== null) {
        if (!isObj(c.auth)) fail(`configs.${host}.auth must be a mapping`);
        const w = `configs.${host}.auth`;
        entry.auth = { username: optString(c.auth, 'username', w), password: optString(c.auth, 'password', w), auth: optString(c.auth, 'auth', w), token: optString(c.auth, 'token', w) };
      }
      if (c.tls !== undefined && c.tls !== null) {
        if (!isObj(c.tls)) fail(`configs.${host}.tls must be a mapping`);
        const w = `configs.${host}.tls`;
        const skip = c.tls.insecure_skip_verify;
        if (skip !== undefined && typeof skip !== 'boolean') fail(`${w}.insecure_skip_verify must be a boolean`);
        entry.tls = { ca_file: optString(c.tls, 'ca_file', w), cert_file: optString(c.tls, 'cert_file', w), key_file: optString(c.tls, 'key_file', w), insecure_skip_verify: skip === true };
      }
      out.configs[host] = entry;
    }
  }
  if (doc.disableDefaultEndpoint !== undefined) {
    if (typeof doc.disableDefaultEndpoint !== 'boolean') fail('disableDefaultEndpoint must be a boolean');
    out.disableDefaultEndpoint = doc.disableDefaultEndpoint;
  }
  return out;
}

export function loadRegistriesFile(file: string): RegistriesConfig {
  return parseRegistriesConfig(parseYaml(fs.readFileSync(file, 'utf8')));
}

function endpointUrl(s: string, where: string): URL {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    fail(`${where}: ${JSON.stringify(s)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(`${where}: ${JSON.stringify(s)} must be http or https`);
  if (u.username || u.password || u.search || u.hash) fail(`${where}: ${JSON.stringify(s)} must not carry credentials, a query or a fragment`);
  return u;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\./.test(name);
}

/** A fingerprint of credentials (never the secret itself), to keep caches of different callers apart. */
export function credentialKey(c: Credentials | undefined): string {
  if (!c) return 'anonymous';
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export function credentialsFrom(a: { username?: string; password?: string; auth?: string; token?: string; registryToken?: string } | undefined): Credentials | undefined {
  if (!a) return undefined;
  const token = a.registryToken ?? a.token;
  if (token) return { token };
  if (a.username !== undefined && a.username !== '') return { username: a.username, password: a.password ?? '' };
  if (a.auth) {
    const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new BadRequestError('auth must be base64 of user:password');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** The node's registry settings with files (CAs, client certs) read once, at start. */
export class RegistryHosts {
  private readonly config: RegistriesConfig;
  private readonly tls = new Map<string, TlsSettings>();

  constructor(config: RegistriesConfig = {}) {
    this.config = config;
    for (const [host, c] of Object.entries(config.configs ?? {})) {
      const t = c.tls ?? {};
      const read = (f: string | undefined, what: string): Buffer | undefined => {
        if (!f) return undefined;
        try {
          return fs.readFileSync(f);
        } catch (e) {
          fail(`configs.${host}.tls.${what}: cannot read ${f}: ${e instanceof Error ? e.message : String(e)}`);
        }
      };
      const settings: TlsSettings = { insecureSkipVerify: t.insecure_skip_verify === true };
      const ca = read(t.ca_file, 'ca_file');
      const cert = read(t.cert_file, 'cert_file');
      const key = read(t.key_file, 'key_file');
      if (ca) settings.ca = ca;
      if (cert) settings.cert = cert;
      if (key) settings.key = key;
      this.tls.set(host, settings);
    }
  }

  tlsFor(host: string): TlsSettings {
    return this.tls.get(host) ?? { insecureSkipVerify: false };
  }

  /**
   * Endpoints to try for a registry, in order. `upstreamCredentials` (a pull secret)
   * go only to the registry itself, never to a mirror.
   */
  endpointsFor(domain: string, upstreamCredentials?: Credentials): Endpoint[] {
    const upstreamHost = domain === defaultDomain ? 'registry-1.docker.io' : domain;
    const withUpstreamCredentials = (ep: Endpoint): Endpoint => {
      const creds = upstreamCredentials ?? ep.credentials;
      if (creds) ep.credentials = creds;
      return ep;
    };
    const out: Endpoint[] = [];
    const mirror = this.config.mirrors?.[domain] ?? this.config.mirrors?.['*'];
    for (const e of mirror?.endpoint ?? []) {
      const u = endpointUrl(e, `mirrors.${domain}.endpoint`);
      // A "mirror" that is the registry itself is the registry, with its credentials.
      out.push(u.host === upstreamHost ? withUpstreamCredentials(this.endpoint(u, false)) : this.endpoint(u, true));
    }
    const listed = out.some((e) => !e.mirror);
    if (!listed && (!this.config.disableDefaultEndpoint || out.length === 0)) {
      // Loopback registries speak plain HTTP unless configs.<host>.tls says otherwise (Docker treats them as insecure).
      const scheme = isLoopback(upstreamHost) && !this.config.configs?.[upstreamHost]?.tls ? 'http' : 'https';
      out.push(withUpstreamCredentials(this.endpoint(new URL(`${scheme}://${upstreamHost}`), false)));
    }
    return out;
  }

  private endpoint(u: URL, mirror: boolean): Endpoint {
    const host = u.host;
    const path = u.pathname.replace(/\/+$/, '');
    const apiBase = `${u.protocol}//${host}${path.endsWith('/v2') ? path : `${path}/v2`}`;
    const ep: Endpoint = { apiBase, host, mirror, tls: this.tlsFor(host) };
    const creds = credentialsFrom(this.config.configs?.[host]?.auth);
    if (creds) ep.credentials = creds;
    return ep;
  }
}
