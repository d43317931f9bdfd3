// A token server for the registry's `token` auth, for tests: checks Basic credentials,
// grants the scopes asked for to known users (nothing to anonymous callers), and signs
// an RS256 JWT whose x5c header carries a certificate the registry trusts
// (auth.token.rootcertbundle).

import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeCA, type KeyPair } from '../../common/pki/certs.js';

export interface TokenServer {
  realm: string;
  issuer: string;
  service: string;
  /** PEM of the certificate that signs tokens: the registry's rootcertbundle. */
  signerCertPem: string;
  /** Every scope requested, for assertions. */
  requests: Array<{ user?: string; scopes: string[] }>;
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  issuer?: string;
  service?: string;
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

function sign(signer: KeyPair, claims: Record<string, unknown>): string {
  const der = new X509Certificate(signer.certPem).raw;
  const header = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const s = createSign('RSA-SHA256').update(input).sign(signer.keyPem);
  return `${input}.${b64url(s)}`;
}

/** `repository:gantry/web:pull,push` -> an access entry. */
function access(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const signer = makeCA('gantry-test-token-signer');
  const issuer = opts.issuer ?? 'gantry-test-issuer';
  const service = opts.service ?? 'gantry-test-registry';
  const requests: TokenServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    let user: string | undefined;
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const decoded = Buffer.from(authz.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (colon < 0 || opts.users[name] === undefined || opts.users[name] !== decoded.slice(colon + 1)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        return;
      }
      user = name;
    }
    requests.push(user !== undefined ? { user, scopes } : { scopes });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: url.searchParams.get('service') ?? service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access: user !== undefined ? scopes.map(access).filter((a) => a !== undefined) : [],
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: sign(signer, claims), expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    issuer,
    service,
    signerCertPem: signer.certPem,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
