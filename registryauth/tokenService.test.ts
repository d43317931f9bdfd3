// The token endpoint over HTTP, as registries and their clients call it: who gets which
// scopes (anonymous callers pull only, the push user pushes, nobody lists the catalog),
// what is refused and how (401 for bad credentials, 400 for malformed scopes and foreign
// services), and tokens the registry's rootcertbundle verifies.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { ensureSigner, type TokenServiceFiles } from '../common/images/registryTokenService.js';
import { hashUser, writeRegistryUsers } from '../common/images/registryUsers.js';
import { silentLogger } from '../common/logging.js';
import { startRegistryAuth, type RegistryAuthApp } from './app.js';
import { registryAuthConfigDefaults, type RegistryAuthConfig } from './config.js';
import { maxScopes } from './scope.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const pusher = basic('pusher', 'push-secret');
const reader = basic('reader', 'read-secret');

interface Case {
  name: string;
  /** Query parameters, repeated as given. */
  query: Array<[string, string]>;
  authorization?: string;
  /** Default true: what `gantry up` runs with. */
  anonymousPull?: boolean;
  method?: string;
  path?: string;
  status: number;
  /** The token's subject and access claim (200 only). */
  sub?: string;
  access?: Array<{ type: string; name: string; actions: string[] }>;
  /** The error's message (non-200). */
  error?: RegExp;
}

const svc: [string, string] = ['service', 'gantry-registry'];
const scope = (s: string): [string, string] => ['scope', s];
const repo = (name: string, ...actions: string[]): { type: string; name: string; actions: string[] } => ({ type: 'repository', name, actions });

const cases: Case[] = [
  { name: 'anonymous pull is granted', query: [svc, scope('repository:busybox:pull')], status: 200, sub: '', access: [repo('busybox', 'pull')] },
  { name: 'anonymous push is dropped, pull kept', query: [svc, scope('repository:busybox:pull,push')], status: 200, sub: '', access: [repo('busybox', 'pull')] },
  { name: 'anonymous push alone: a token granting nothing', query: [svc, scope('repository:busybox:push')], status: 200, sub: '', access: [] },
  { name: 'anonymous pull when the service allows none', anonymousPull: false, query: [svc, scope('repository:busybox:pull')], status: 200, sub: '', access: [] },
  { name: 'the push user gets pull and push', authorization: pusher, query: [svc, scope('repository:gantry/web:pull,push')], status: 200, sub: 'pusher', access: [repo('gantry/web', 'pull', 'push')] },
  { name: 'the push user, pulls needing credentials', anonymousPull: false, authorization: pusher, query: [svc, scope('repository:busybox:pull')], status: 200, sub: 'pusher', access: [repo('busybox', 'pull')] },
  { name: 'a pull-only user asking to push gets pull', authorization: reader, query: [svc, scope('repository:busybox:push,pull')], status: 200, sub: 'reader', access: [repo('busybox', 'pull')] },
  { name: 'delete and * are never granted', authorization: pusher, query: [svc, scope('repository:busybox:delete,*,push')], status: 200, sub: 'pusher', access: [repo('busybox', 'push')] },
  { name: 'the catalog is dropped, even for the push user', authorization: pusher, query: [svc, scope('registry:catalog:*')], status: 200, sub: 'pusher', access: [] },
  { name: 'an unknown resource class is not a repository', authorization: pusher, query: [svc, scope('repository(plugin):busybox:pull')], status: 200, sub: 'pusher', access: [] },
  {
    name: 'several scopes, repeated and space-separated, merged per repository',
    authorization: pusher,
    query: [svc, scope('repository:a:pull repository:b/c:push'), scope('repository:a:push'), scope('repository:a:pull')],
    status: 200,
    sub: 'pusher',
    access: [repo('a', 'pull', 'push'), repo('b/c', 'push')],
  },
  { name: 'no scope: a token granting nothing (docker login)', authorization: pusher, query: [svc], status: 200, sub: 'pusher', access: [] },
  { name: 'no service: tokens for ours', query: [scope('repository:busybox:pull')], status: 200, sub: '', access: [repo('busybox', 'pull')] },
  { name: 'a wrong password', authorization: basic('pusher', 'nope'), query: [svc, scope('repository:busybox:pull')], status: 401, error: /invalid username or password/ },
  { name: 'an unknown user', authorization: basic('mallory', 'push-secret'), query: [svc, scope('repository:busybox:pull')], status: 401, error: /invalid username or password/ },
  { name: 'an empty password', authorization: basic('pusher', ''), query: [svc, scope('repository:busybox:pull')], status: 401, error: /invalid username or password/ },
  { name: 'Basic credentials without a colon', authorization: `Basic ${Buffer.from('pusher').toString('base64')}`, query: [svc], status: 401, error: /malformed Basic credentials/ },
  { name: 'a Bearer header', authorization: 'Bearer abc', query: [svc], status: 401, error: /only Basic credentials/ },
  { name: 'a scope without actions', query: [svc, scope('repository:busybox')], status: 400, error: /invalid scope "repository:busybox": expected type:name:actions/ },
  { name: 'a scope with upper case', query: [svc, scope('repository:BusyBox:pull')], status: 400, error: /not a repository name/ },
  { name: 'a scope climbing out', query: [svc, scope('repository:../etc:pull')], status: 400, error: /not a repository name/ },
  { name: 'a scope with an empty name', query: [svc, scope('repository::pull')], status: 400, error: /not a repository name/ },
  { name: 'a scope with odd actions', query: [svc, scope('repository:busybox:pull;push')], status: 400, error: /actions must be/ },
  { name: 'a scope with an odd type', query: [svc, scope('Repository:busybox:pull')], status: 400, error: /resource type "Repository" is not lower-case/ },
  { name: 'too many scopes', query: [svc, scope(Array.from({ length: maxScopes + 1 }, (_, i) => `repository:r${i}:pull`).join(' '))], status: 400, error: /too many scopes/ },
  { name: 'an unknown service', query: [['service', 'someone-else'], scope('repository:busybox:pull')], status: 400, error: /unknown service "someone-else"/ },
  { name: 'a bad scope is refused before credentials are checked', authorization: basic('pusher', 'nope'), query: [svc, scope('nope')], status: 400, error: /invalid scope/ },
  { name: 'POST', method: 'POST', query: [svc], status: 405, error: /POST is not supported/ },
  { name: 'another path', path: '/v2/', query: [], status: 404, error: /tokens are at \/token/ },
];

describe('registryauth: the token endpoint', function () {
  this.timeout(30_000);
  let dir: string;
  let files: TokenServiceFiles;
  const apps = new Map<boolean, RegistryAuthApp>();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-registryauth-'));
    files = ensureSigner(dir);
    writeRegistryUsers(files.usersFile, [await hashUser('pusher', 'push-secret', ['pull', 'push']), await hashUser('reader', 'read-secret', ['pull'])]);
    for (const anonymousPull of [true, false]) {
      const config = { ...registryAuthConfigDefaults, ...files, anonymousPull } as RegistryAuthConfig;
      apps.set(anonymousPull, await startRegistryAuth({ config, logger: silentLogger() }));
    }
  });

  after(async () => {
    for (const app of apps.values()) await app.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the users file and the key 0600, and no password in it', () => {
    expect(fs.statSync(files.usersFile).mode & 0o777).to.equal(0o600);
    expect(fs.statSync(files.signingKeyFile).mode & 0o777).to.equal(0o600);
    expect(fs.readFileSync(files.usersFile, 'utf8')).to.not.contain('push-secret');
  });

  it('a flood of password guesses: at most a few checked at once, the rest told to come back (429), and it keeps serving', async () => {
    const app = apps.get(true)!;
    const url = `http://127.0.0.1:${app.port}/token?service=gantry-registry&scope=repository:busybox:push`;
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await fetch(url, { headers: { authorization: basic('pusher', `guess-${i}`) } });
        if (res.status === 429) expect(res.headers.get('retry-after')).to.equal('1');
        await res.body?.cancel();
        return res.status;
      }),
    );
    expect(new Set(statuses)).to.deep.equal(new Set([401, 429]));
    expect(statuses.filter((s) => s === 401).length).to.be.at.least(8);
    const ok = await fetch(url, { headers: { authorization: pusher } });
    expect(ok.status).to.equal(200);
  });

  for (const tc of cases) {
    it(`${tc.name}: ${tc.status}`, async () => {
      const app = apps.get(tc.anonymousPull ?? true)!;
      const url = new URL(`http://127.0.0.1:${app.port}${tc.path ?? '/token'}`);
      for (const [k, v] of tc.query) url.searchParams.append(k, v);
      const res = await fetch(url, { method: tc.method ?? 'GET', headers: tc.authorization ? { authorization: tc.authorization } : {} });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(body)).to.equal(tc.status);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      if (tc.status !== 200) {
        expect((body.errors as Array<{ message: string }>)[0]!.message).to.match(tc.error!);
        if (tc.status === 401) expect(res.headers.get('www-authenticate')).to.match(/^Basic realm=/);
        expect(body).to.not.have.property('token');
        return;
      }
      expect(body.access_token).to.equal(body.token);
      expect(body.expires_in).to.equal(300);
      // Verified as the registry does: by the certificate in its rootcertbundle.
      const cert = fs.readFileSync(files.signingCertFile, 'utf8');
      const { payload } = await jwtVerify(body.token as string, await importX509(cert, 'RS256'), { issuer: 'gantry-registry-auth', audience: 'gantry-registry' });
      expect(payload.sub).to.equal(tc.sub);
      expect(payload.access).to.deep.equal(tc.access);
      expect(payload.exp! - payload.iat!).to.equal(300);
      expect(Date.parse(body.issued_at as string) / 1000).to.be.closeTo(payload.iat!, 1);
      const header = decodeProtectedHeader(body.token as string);
      expect(header.x5c).to.deep.equal([cert.replace(/-----[A-Z ]+-----|\s/g, '')]);
    });
  }
});
