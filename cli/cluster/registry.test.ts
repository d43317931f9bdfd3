// The cluster's registry as `gantry up` starts it (startClusterRegistry): the token
// service supervised, the registry trusting only it, the example images pushed with the
// push credentials `up` generates. And an attacker on the machine (or in a pod) without
// them: every way to write — a blob upload with no token, with an anonymous token, with a
// forged one, a manifest PUT, a DELETE, buildah push without or with wrong credentials —
// is refused and the registry's content stays byte for byte what it was.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readAuthFile } from '../../common/images/authFile.js';
import { anonymousToken, fetchAnonymously } from '../../common/images/registryFetch.js';
import { readRegistryUsers } from '../../common/images/registryUsers.js';
import { makeTempDir } from '../../common/proc/etcdProcess.js';
import { mountsUnder } from '../../common/proc/leftovers.js';
import { pidRuns, stopPid } from '../../common/proc/pids.js';
import { freePort } from '../../common/proc/ports.js';
import { makeCA } from '../../common/pki/certs.js';
import { parseYaml } from '../../common/yaml.js';
import { choosePort } from './ports.js';
import { ensureClusterImages, pushUser, registriesConfigYaml, startClusterRegistry, type ClusterRegistry } from './registry.js';
import type { ClusterProcess } from './state.js';

const run = promisify(execFile);

const manifestTypes = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json';

async function tags(reg: ClusterRegistry['registry'], repo: string): Promise<string[]> {
  const res = await fetchAnonymously(`${reg.url}/v2/${repo}/tags/list`, {}, `repository:${repo}:pull`);
  return res.status === 200 ? ((await res.json()) as { tags: string[] }).tags : [];
}

/** The digest the registry serves for repo:tag, read anonymously. */
async function manifestDigest(reg: ClusterRegistry['registry'], repo: string, tag: string): Promise<string | null> {
  const res = await fetchAnonymously(`${reg.url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: manifestTypes } }, `repository:${repo}:pull`);
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}

/** Every file and directory under the registry's storage with its content hash: any write shows. */
function storageSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    out[path.relative(dir, p) || '.'] = st.isFile() ? createHash('sha256').update(fs.readFileSync(p)).digest('hex') : 'dir';
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dir);
  return out;
}

/** A throw-away buildah storage holding one tiny image, `localhost/attacker:1`. */
async function tinyImage(workDir: string): Promise<(args: string[]) => Promise<{ code: number; stderr: string }>> {
  fs.mkdirSync(workDir, { recursive: true });
  const policy = path.join(workDir, 'policy.json');
  fs.writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const global = ['--root', path.join(workDir, 'root'), '--runroot', path.join(workDir, 'runroot'), '--storage-driver', 'vfs'];
  const env = { ...process.env, BUILDAH_ISOLATION: 'chroot', TMPDIR: workDir };
  const buildah = async (args: string[]): Promise<{ code: number; stderr: string; stdout: string }> => {
    try {
      const { stdout, stderr } = await run('buildah', [...global, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stderr?: string; stdout?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
    }
  };
  const from = await buildah(['from', '--signature-policy', policy, 'scratch']);
  expect(from.code, from.stderr).to.equal(0);
  const commit = await buildah(['commit', '--signature-policy', policy, '-q', from.stdout.trim(), 'localhost/attacker:1']);
  expect(commit.code, commit.stderr).to.equal(0);
  return (args) => buildah(['push', '--signature-policy', policy, '--tls-verify=false', '-q', ...args]);
}

/** A token with push on busybox, shaped like the real ones but signed by a key the registry does not trust. */
async function forgedToken(audience: string, issuer: string): Promise<string> {
  const ca = makeCA('not-the-cluster-signer');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ access: [{ type: 'repository', name: 'busybox', actions: ['pull', 'push'] }] })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c: [new X509Certificate(ca.certPem).raw.toString('base64')] })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(pushUser)
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(now + 300)
    .setJti(randomBytes(8).toString('hex'))
    .sign(createPrivateKey(ca.keyPem));
}

async function stopAll(processes: ClusterProcess[]): Promise<void> {
  for (const p of [...processes].reverse()) await stopPid(p.pid, p.marker, 30_000);
}

describe("the cluster's registry (gantry up)", function () {
  this.timeout(180_000);
  let tmp: { dir: string; remove: () => void };
  let home: string;
  let cluster: ClusterRegistry | undefined;
  let logFile: string;

  before(() => {
    tmp = makeTempDir('gantry-cluster-registry');
    home = path.join(tmp.dir, 'home');
    logFile = path.join(tmp.dir, 'logs', 'registry.log');
    fs.mkdirSync(path.dirname(logFile));
  });

  after(async () => {
    if (cluster) await stopAll(cluster.processes);
    tmp?.remove();
  });

  it('runs its token service supervised, then the registry detached trusting it; config, storage and credentials in $GANTRY_HOME/registry', async () => {
    cluster = await startClusterRegistry(home, '127.0.0.1', await freePort(), logFile);
    const reg = cluster.registry;
    expect(cluster.processes.map((p) => p.name)).to.deep.equal(['registry-auth', 'registry']);
    for (const p of cluster.processes) expect(pidRuns(p.pid, p.marker), p.name).to.equal(true);
    expect(cluster.processes[0]!.marker).to.equal(path.join(tmp.dir, 'logs', 'registry-auth.log'));
    const stat = fs.readFileSync(`/proc/${reg.pid}/stat`, 'utf8');
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    expect(pgrp).to.equal(reg.pid);
    expect(reg.storageDir).to.equal(path.join(home, 'registry', 'storage'));
    expect(reg.marker).to.equal(path.join(home, 'registry', 'config.yml'));
    expect(fs.existsSync(logFile)).to.equal(true);
    const config = parseYaml(fs.readFileSync(reg.marker, 'utf8')) as { auth: { token: { realm: string; service: string } } };
    expect(config.auth.token.realm).to.match(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
    // The push credentials: 0600, for this registry's host; only a hash in the users file.
    expect(cluster.pushAuthFile).to.equal(path.join(home, 'registry', 'push-auth.json'));
    expect(fs.statSync(cluster.pushAuthFile).mode & 0o777).to.equal(0o600);
    const creds = readAuthFile(cluster.pushAuthFile)[reg.host];
    expect(creds?.username).to.equal(pushUser);
    expect(creds!.password).to.have.length.greaterThan(20);
    const usersFile = path.join(home, 'registry', 'auth', 'users.json');
    expect(fs.statSync(usersFile).mode & 0o777).to.equal(0o600);
    expect(fs.readFileSync(usersFile, 'utf8')).to.not.contain(creds!.password);
    expect(readRegistryUsers(usersFile).map((u) => [u.name, u.actions])).to.deep.equal([[pushUser, ['pull', 'push']]]);
  });

  it('builds and pushes the images once, with the push credentials; anyone reads them; a registry that has them is left alone', async () => {
    const lines: string[] = [];
    expect(await ensureClusterImages(cluster!.registry, home, (l) => lines.push(l))).to.equal('built');
    expect(lines.join('\n')).to.contain('buildah');
    expect(fs.existsSync(path.join(home, 'buildah')), "buildah's storage is removed").to.equal(false);
    expect(mountsUnder(tmp.dir)).to.deep.equal([]);
    for (const [repo, want] of [['busybox', ['latest']], ['library/busybox', ['latest']], ['gantry/web', ['v1', 'v2']]] as const) {
      expect(await tags(cluster!.registry, repo), repo).to.include.members([...want]);
    }
    expect(await ensureClusterImages(cluster!.registry, home, (l) => lines.push(l))).to.equal('present');
  });

  describe('a client without the push credentials', () => {
    let push: (args: string[]) => Promise<{ code: number; stderr: string }>;
    let busyboxDigest: string | null;
    let untouched: Record<string, string>;

    const post = (token?: string): Promise<Response> =>
      fetch(`${cluster!.registry.url}/v2/busybox/blobs/uploads/`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
    const challenge = async (): Promise<string | null> => (await post()).headers.get('www-authenticate');

    interface Attack {
      name: string;
      attempt(): Promise<{ status: number; detail: string }>;
      /** What the refusal says. */
      refused: RegExp;
    }
    const attacks: Attack[] = [
      {
        name: 'a blob upload with no token',
        attempt: async () => {
          const res = await post();
          return { status: res.status, detail: await res.text() };
        },
        refused: /^401 .*"code":"UNAUTHORIZED"/s,
      },
      {
        name: 'a blob upload with an anonymous token that asked for push',
        attempt: async () => {
          const token = await anonymousToken(await challenge(), 'repository:busybox:pull,push');
          expect(token, 'anonymous callers still get a token').to.be.a('string');
          const access = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString()) as { access: unknown };
          expect(access.access).to.deep.equal([{ type: 'repository', name: 'busybox', actions: ['pull'] }]);
          const res = await post(token);
          return { status: res.status, detail: await res.text() };
        },
        refused: /^401 .*"code":"UNAUTHORIZED"/s,
      },
      {
        name: 'a blob upload with a forged token',
        attempt: async () => {
          const res = await post(await forgedToken('gantry-registry', 'gantry-registry-auth'));
          return { status: res.status, detail: await res.text() };
        },
        refused: /^401 .*"code":"UNAUTHORIZED"/s,
      },
      {
        name: 'a manifest PUT over busybox:latest with an anonymous token',
        attempt: async () => {
          const token = await anonymousToken(await challenge(), 'repository:busybox:pull,push');
          const res = await fetch(`${cluster!.registry.url}/v2/busybox/manifests/latest`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
            body: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 }, layers: [] }),
          });
          return { status: res.status, detail: await res.text() };
        },
        refused: /^401 .*"code":"UNAUTHORIZED"/s,
      },
      {
        name: 'a manifest DELETE with an anonymous token',
        attempt: async () => {
          const token = await anonymousToken(await challenge(), 'repository:busybox:pull,push,delete,*');
          const res = await fetch(`${cluster!.registry.url}/v2/busybox/manifests/${busyboxDigest}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
          return { status: res.status, detail: await res.text() };
        },
        refused: /^401 .*"code":"UNAUTHORIZED"/s,
      },
      {
        name: 'buildah push over busybox:latest without credentials',
        attempt: async () => {
          const r = await push(['localhost/attacker:1', `docker://${cluster!.registry.host}/busybox:latest`]);
          return { status: r.code, detail: r.stderr };
        },
        refused: /^[1-9]\d* .*(unauthorized|authentication required|401)/is,
      },
      {
        name: 'buildah push with a wrong password',
        attempt: async () => {
          const r = await push(['--creds', `${pushUser}:guessed`, 'localhost/attacker:1', `docker://${cluster!.registry.host}/busybox:latest`]);
          return { status: r.code, detail: r.stderr };
        },
        refused: /^[1-9]\d* .*(unauthorized|invalid username or password|401)/is,
      },
    ];

    before(async () => {
      push = await tinyImage(path.join(tmp.dir, 'attacker'));
      busyboxDigest = await manifestDigest(cluster!.registry, 'busybox', 'latest');
      expect(busyboxDigest).to.match(/^sha256:/);
      untouched = storageSnapshot(cluster!.registry.storageDir);
    });

    for (const a of attacks) {
      it(`is refused ${a.name}, and nothing in the registry changes`, async () => {
        const r = await a.attempt();
        expect(`${r.status} ${r.detail}`).to.match(a.refused);
        expect(storageSnapshot(cluster!.registry.storageDir)).to.deep.equal(untouched);
        expect(await manifestDigest(cluster!.registry, 'busybox', 'latest')).to.equal(busyboxDigest);
      });
    }

    it('with them (push-auth.json) a push works, and anyone pulls what it pushed', async () => {
      const r = await push(['--authfile', cluster!.pushAuthFile, 'localhost/attacker:1', `docker://${cluster!.registry.host}/mine/tiny:1`]);
      expect(r.code, r.stderr).to.equal(0);
      expect(await tags(cluster!.registry, 'mine/tiny')).to.deep.equal(['1']);
      expect(await manifestDigest(cluster!.registry, 'busybox', 'latest')).to.equal(busyboxDigest);
    });
  });

  it('a restarted `up` keeps the push credentials and the images', async () => {
    const password = readAuthFile(cluster!.pushAuthFile)[cluster!.registry.host]!.password;
    await stopAll(cluster!.processes);
    const port = cluster!.registry.port;
    cluster = await startClusterRegistry(home, '127.0.0.1', port, logFile);
    expect(readAuthFile(cluster.pushAuthFile)[cluster.registry.host]!.password).to.equal(password);
    expect(await ensureClusterImages(cluster.registry, home, () => undefined)).to.equal('present');
  });

  it('the registries file mirrors docker.io to it, with no fallback to Docker Hub and no credentials', () => {
    expect(parseYaml(registriesConfigYaml(cluster!.registry.url))).to.deep.equal({ mirrors: { 'docker.io': { endpoint: [cluster!.registry.url] } }, disableDefaultEndpoint: true });
  });

  it('choosePort keeps a configured port, takes the preferred one when free, another when it is taken', async () => {
    expect(await choosePort(1234, cluster!.registry.port)).to.equal(1234);
    const other = await choosePort(undefined, cluster!.registry.port);
    expect(other).to.not.equal(cluster!.registry.port);
    const free = await freePort();
    expect(await choosePort(undefined, free)).to.equal(free);
  });
});
