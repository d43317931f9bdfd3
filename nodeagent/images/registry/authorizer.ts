// Authorization for registry requests. The registry's 401 challenge says how: Basic
// (send the credentials) or Bearer (get a token for the scope from the realm it names,
// with the credentials if we have any, then retry). Tokens are cached per endpoint and
// scope until they expire.

import type { Logger } from '../../../common/logging.js';
import { RegistryAuthError, RegistryError } from '../errors.js';
import { parseChallenges } from './challenge.js';
import { credentialKey, type Credentials, type Endpoint } from './hosts.js';
import { readBody, type Transport } from './transport.js';

interface CachedToken {
  token: string;
  expiresAt: number;
}

const minTokenLifetimeSeconds = 60;

export class Authorizer {
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly schemes = new Map<string, 'basic' | 'bearer'>();

  constructor(transport: Transport, log: Logger, now: () => number = Date.now) {
    this.transport = transport;
    this.log = log;
    this.now = now;
  }

  /** Headers for a request to `endpoint` needing `scope`, from what earlier challenges taught us. */
  headers(endpoint: Endpoint, scope: string): Record<string, string> {
    const creds = endpoint.credentials;
    if (creds && 'token' in creds) return { authorization: `Bearer ${creds.token}` };
    const scheme = this.schemes.get(endpoint.apiBase);
    if (scheme === 'basic' && creds) return { authorization: basic(creds) };
    if (scheme === 'bearer') {
      const t = this.tokens.get(tokenKey(endpoint, scope));
      if (t && t.expiresAt > this.now()) return { authorization: `Bearer ${t.token}` };
    }
    return {};
  }

  /**
   * Answers a 401: learns the scheme and, for Bearer, fetches a token. Throws when no
   * retry could succeed (no credentials for Basic, or credentials already rejected).
   */
  async handleChallenge(endpoint: Endpoint, scope: string, wwwAuthenticate: string | string[] | undefined, alreadyRetried: boolean): Promise<void> {
    const who = endpoint.host;
    const creds = endpoint.credentials;
    if (alreadyRetried) throw new RegistryAuthError(rejected(who, creds));
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      if (creds && 'token' in creds) throw new RegistryAuthError(rejected(who, creds));
      this.schemes.set(endpoint.apiBase, 'bearer');
      const realm = bearer.params.realm;
      if (!realm) throw new RegistryError(`registry ${who} sent a Bearer challenge without a realm`);
      await this.fetchToken(endpoint, realm, bearer.params.service, scope);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.schemes.set(endpoint.apiBase, 'basic');
      if (!creds) throw new RegistryAuthError(`registry ${who} requires authentication and no credentials are configured for it`);
      return;
    }
    throw new RegistryAuthError(`registry ${who} answered 401 with no challenge we understand (${JSON.stringify(wwwAuthenticate ?? '')})`);
  }

  private async fetchToken(endpoint: Endpoint, realm: string, service: string | undefined, scope: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`registry ${endpoint.host} named an invalid token realm ${JSON.stringify(realm)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RegistryError(`token realm ${realm} is not http(s)`);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const creds = endpoint.credentials;
    const headers: Record<string, string> = {};
    // Credentials go to the realm only over TLS, or on loopback/the registry's own plain-HTTP host.
    if (creds && 'username' in creds) {
      const sameHost = url.host === endpoint.host;
      if (url.protocol === 'https:' || sameHost || isLoopbackHost(url.hostname)) headers.authorization = basic(creds);
      else this.log.warn('not sending credentials to a plain-HTTP token realm', { realm });
    }
    const res = await this.transport.request('GET', url.toString(), headers);
    const body = await readBody(res.body, 1024 * 1024, `token from ${url.origin}`);
    if (res.status === 401 || res.status === 403) throw new RegistryAuthError(`token server ${url.origin} refused ${creds ? 'the credentials' : 'anonymous access'} for ${scope} (HTTP ${res.status})`);
    if (res.status !== 200) throw new RegistryError(`token server ${url.origin} answered HTTP ${res.status} for ${scope}`, res.status);
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError(`token server ${url.origin} sent a body that is not JSON`);
    }
    const o = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    const token = typeof o.token === 'string' && o.token ? o.token : typeof o.access_token === 'string' ? o.access_token : '';
    if (!token) throw new RegistryError(`token server ${url.origin} sent no token`);
    const lifetime = typeof o.expires_in === 'number' && o.expires_in > 0 ? o.expires_in : minTokenLifetimeSeconds;
    // Renew a little early so a token does not expire between check and use.
    this.tokens.set(tokenKey(endpoint, scope), { token, expiresAt: this.now() + Math.max(lifetime - 10, 1) * 1000 });
  }
}

/** Tokens are kept per endpoint, scope and credentials: one caller's token never serves another. */
function tokenKey(endpoint: Endpoint, scope: string): string {
  return `${endpoint.apiBase} ${scope} ${credentialKey(endpoint.credentials)}`;
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

function basic(creds: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

function rejected(who: string, creds: Credentials | undefined): string {
  if (!creds) return `registry ${who} requires authentication and no credentials are configured for it`;
  return 'token' in creds ? `registry ${who} rejected the bearer token` : `registry ${who} rejected the credentials of user ${JSON.stringify(creds.username)}`;
}
