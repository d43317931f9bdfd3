// Pulling from registries that want credentials (htpasswd Basic auth, token auth with the
// cluster's token service, registryauth/, run as a process) or speak HTTPS with a
// certificate from a private CA; and pulling anonymously through the token dance, as every
// node agent of `gantry up` does.

import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AuthConfig } from '../cri/types.js';
import { startRegistry, type LocalRegistry, type RegistryOptions } from '../../common/images/registryProcess.js';
import { buildTestImages, type TestImages } from '../../common/images/testImages.js';
import { mirrorTo, openService, storeEntries } from '../testing/imageFixtures.js';
import { startTokenService, type RunningTokenService } from '../../common/images/registryTokenService.js';
import { RegistryAuthError, RegistryError } from './errors.js';
import type { RegistriesConfig } from './registry/hosts.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** A registry and, with token auth, the token service it trusts. */
type TestRegistry = LocalRegistry & { tokenServer?: RunningTokenService };

interface Case {
  name: string;
  /** Registry config for the node; default: none (the reference names the registry directly). */
  registries?: (r: TestRegistry) => RegistriesConfig;
  auth?: (r: TestRegistry) => Promise<AuthConfig> | AuthConfig;
  /** `direct`: HOST/gantry/web:v1; `mirror`: gantry/web:v1 through the docker.io mirror. */
  ref: 'direct' | 'mirror';
  error?: { cls: ErrorClass; why: RegExp };
  /** Another caller pulls first with these credentials (its token or scheme must not help us). */
  primeWith?: (r: TestRegistry) => AuthConfig;
  check?: (r: TestRegistry) => void;
}

interface Setup {
  name: string;
  registry: Omit<RegistryOptions, 'dir' | 'tokenAuthority'>;
  /** Token auth: whether callers without credentials may pull. */
  anonymousPull?: boolean;
  cases: Case[];
}

/** What the token service logged it was asked for (its JSON log lines). */
function tokenRequests(r: TestRegistry): Array<{ user: string; requested: string[] }> {
  return fs
    .readFileSync(r.tokenServer!.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { message: string; user: string; requested: string[] })
    .filter((l) => l.message === 'token issued')
    .map((l) => ({ user: l.user, requested: l.requested }));
}

const basicAuth = (r: TestRegistry): AuthConfig => ({ username: r.username, password: r.password });

function tokenFor(r: TestRegistry): Promise<string> {
  const url = new URL(r.tokenServer!.realm);
  url.searchParams.set('service', r.tokenServer!.service);
  url.searchParams.set('scope', 'repository:gantry/web:pull');
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Basic ${Buffer.from(`${r.username}:${r.password}`).toString('base64')}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve((JSON.parse(body) as { token: string }).token));
      })
      .on('error', reject);
  });
}

const setups: Setup[] = [
  {
    name: 'Basic auth (htpasswd)',
    registry: { auth: 'basic' },
    cases: [
      { name: 'credentials from the node config', registries: mirrorTo, ref: 'mirror' },
      { name: 'credentials from the pull (a pull secret)', auth: basicAuth, ref: 'direct' },
      { name: 'credentials as base64 auth', auth: (r) => ({ auth: Buffer.from(`${r.username}:${r.password}`).toString('base64') }), ref: 'direct' },
      { name: 'a wrong password', auth: (r) => ({ username: r.username, password: 'wrong' }), ref: 'direct', error: { cls: RegistryAuthError, why: /registry 127\.0\.0\.1:\d+ rejected the credentials of user "gantry"/ } },
      { name: 'no credentials', ref: 'direct', error: { cls: RegistryAuthError, why: /registry 127\.0\.0\.1:\d+ requires authentication and no credentials are configured/ } },
      { name: 'no credentials, after another caller pulled with some', primeWith: basicAuth, ref: 'direct', error: { cls: RegistryAuthError, why: /requires authentication and no credentials/ } },
      {
        name: 'a pull secret, which is never sent to a mirror',
        registries: (r) => ({ mirrors: { 'docker.io': { endpoint: [r.url] } }, disableDefaultEndpoint: true }),
        auth: basicAuth,
        ref: 'mirror',
        error: { cls: RegistryAuthError, why: /requires authentication and no credentials/ },
      },
    ],
  },
  {
    name: 'token auth (Bearer), pulls need credentials',
    registry: { auth: 'token' },
    anonymousPull: false,
    cases: [
      {
        name: 'credentials exchanged for a token',
        auth: basicAuth,
        ref: 'direct',
        check: (r) => expect(tokenRequests(r)).to.deep.include({ user: 'gantry', requested: ['repository:gantry/web:pull'] }),
      },
      { name: 'credentials from the node config', registries: mirrorTo, ref: 'mirror' },
      { name: 'a registry token given with the pull', auth: async (r) => ({ registryToken: await tokenFor(r) }), ref: 'direct' },
      { name: 'a wrong password', auth: (r) => ({ username: r.username, password: 'wrong' }), ref: 'direct', error: { cls: RegistryAuthError, why: /token server http:\/\/127\.0\.0\.1:\d+ refused the credentials for repository:gantry\/web:pull/ } },
      { name: 'no credentials (an anonymous token grants nothing)', ref: 'direct', error: { cls: RegistryAuthError, why: /requires authentication and no credentials/ } },
      { name: 'no credentials, after another caller got a token', primeWith: basicAuth, ref: 'direct', error: { cls: RegistryAuthError, why: /requires authentication and no credentials/ } },
      { name: 'a bad registry token', auth: () => ({ registryToken: 'not-a-jwt' }), ref: 'direct', error: { cls: RegistryAuthError, why: /rejected the bearer token/ } },
    ],
  },
  {
    // As `gantry up` runs it: the agents have no credentials and pull through the token dance.
    name: 'token auth (Bearer), anyone may pull',
    registry: { auth: 'token' },
    anonymousPull: true,
    cases: [
      {
        name: 'no credentials (an anonymous token)',
        ref: 'direct',
        check: (r) => expect(tokenRequests(r)).to.deep.include({ user: '(anonymous)', requested: ['repository:gantry/web:pull'] }),
      },
      { name: 'no credentials, through the docker.io mirror', registries: (r) => ({ mirrors: { 'docker.io': { endpoint: [r.url] } }, disableDefaultEndpoint: true }), ref: 'mirror' },
      { name: 'credentials, which work as well', auth: basicAuth, ref: 'direct' },
      // Bad credentials are refused, not quietly treated as none.
      { name: 'a wrong password', auth: (r) => ({ username: r.username, password: 'wrong' }), ref: 'direct', error: { cls: RegistryAuthError, why: /token server http:\/\/127\.0\.0\.1:\d+ refused the credentials for repository:gantry\/web:pull \(HTTP 401\)/ } },
    ],
  },
  {
    name: 'HTTPS with a private CA',
    registry: { tls: true },
    cases: [
      { name: 'the CA from the node config (mirror)', registries: mirrorTo, ref: 'mirror' },
      { name: 'the CA from the node config (direct)', registries: (r) => ({ configs: { [r.host]: { tls: { ca_file: r.caFile! } } } }), ref: 'direct' },
      { name: 'verification switched off', registries: (r) => ({ configs: { [r.host]: { tls: { insecure_skip_verify: true } } } }), ref: 'direct' },
      {
        name: 'an unknown CA',
        registries: (r) => ({ mirrors: { 'docker.io': { endpoint: [r.url] } }, disableDefaultEndpoint: true }),
        ref: 'mirror',
        error: { cls: RegistryError, why: /cannot fetch https:\/\/127\.0\.0\.1:\d+\/v2\/gantry\/web\/manifests\/v1: .*(self-signed|unable to verify|certificate)/ },
      },
    ],
  },
  {
    name: 'HTTPS and Basic auth together',
    registry: { tls: true, auth: 'basic' },
    cases: [
      { name: 'CA and credentials from the node config', registries: mirrorTo, ref: 'mirror' },
      { name: 'a wrong password', registries: (r) => ({ configs: { [r.host]: { tls: { ca_file: r.caFile! }, auth: { username: r.username, password: 'nope' } } } }), ref: 'direct', error: { cls: RegistryAuthError, why: /rejected the credentials/ } },
    ],
  },
];

describe('registry authentication and TLS', function () {
  this.timeout(120_000);
  let work: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-regauth-'));
  });

  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  for (const setup of setups) {
    describe(setup.name, () => {
      let reg: TestRegistry;
      let tokenServer: RunningTokenService | undefined;
      let images: TestImages;
      let n = 0;

      before(async () => {
        const dir = path.join(work, setup.name.replace(/\W+/g, '-'));
        if (setup.registry.auth !== 'token') reg = await startRegistry({ dir, ...setup.registry });
        else {
          tokenServer = await startTokenService({ dir: `${dir}-token`, users: [{ name: 'gantry', password: 'registry-secret', actions: ['pull', 'push'] }], anonymousPull: setup.anonymousPull ?? false });
          reg = { ...(await startRegistry({ dir, ...setup.registry, username: 'gantry', password: 'registry-secret', tokenAuthority: tokenServer })), tokenServer };
        }
        images = await buildTestImages(reg);
      });

      after(async () => {
        await reg?.stop();
        await tokenServer?.stop();
      });

      for (const tc of setup.cases) {
        it(tc.error ? `fails clearly with ${tc.name}` : `pulls with ${tc.name}`, async () => {
          const root = path.join(work, `store-${setup.name.replace(/\W+/g, '-')}-${n++}`);
          const svc = await openService(root, tc.registries ? { registries: tc.registries(reg) } : {});
          try {
            const ref = tc.ref === 'direct' ? images.webV1 : 'gantry/web:v1';
            const auth = tc.auth ? await tc.auth(reg) : undefined;
            if (tc.primeWith) await svc.pullImage({ image: ref }, tc.primeWith(reg));
            let err: unknown;
            let id: string | undefined;
            try {
              id = await svc.pullImage({ image: ref }, auth);
            } catch (e) {
              err = e;
            }
            if (tc.error) {
              expect(err, 'the pull should fail').to.be.instanceOf(tc.error.cls);
              expect((err as Error).message).to.match(tc.error.why);
              if (!tc.primeWith) expect(storeEntries(root, 'layers/sha256')).to.deep.equal([]);
            } else {
              if (err) throw err;
              expect(id).to.match(/^sha256:/);
              expect((await svc.resolve(ref)).layerDirs).to.have.length(3);
            }
            tc.check?.(reg);
          } finally {
            svc.close();
          }
        });
      }
    });
  }
});
