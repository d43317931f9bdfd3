// A real OCI registry: Debian's docker-registry (CNCF distribution v2) on loopback with
// filesystem storage. `gantry up` runs one detached as the cluster's image source (its
// PID recorded, stopped by `gantry down`); tests run throw-away ones, optionally with
// htpasswd Basic auth (bcrypt via apache2-utils' htpasswd), token auth (the caller brings
// the token authority: the cluster's token service, registryauth/, run as in
// registryTokenService.ts) and TLS (a private CA).

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { makeCA, makeSignedCert } from '../pki/certs.js';
import { stopPid } from '../proc/pids.js';
import { freePort, waitForPort } from '../proc/ports.js';

export type RegistryAuthMode = 'none' | 'basic' | 'token';

/** Who issues bearer tokens the registry accepts (auth: 'token'). */
export interface TokenAuthority {
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the certificate that signs tokens: the registry's rootcertbundle. */
  signerCertPem: string;
}

export interface RegistryOptions {
  /** This registry's directory: config, certificates, htpasswd and storage (created; removed by stop). */
  dir: string;
  /** Default: a free one. */
  port?: number;
  /** The address it listens on; default 127.0.0.1 (`gantry up`: the host network's, so every host pulls from it). */
  listenAddress?: string;
  auth?: RegistryAuthMode;
  /** Required with auth: 'token'. */
  tokenAuthority?: TokenAuthority;
  tls?: boolean;
  username?: string;
  password?: string;
  /** Where the registry's output goes; default `<dir>/registry.log`. */
  logFile?: string;
  /** Keep running after this process exits (for `gantry up`). */
  detached?: boolean;
  binary?: string;
}

export interface LocalRegistry {
  /** `ADDRESS:PORT` (127.0.0.1 unless listenAddress), the host part of image references. */
  host: string;
  port: number;
  /** `http://127.0.0.1:PORT` or `https://...`. */
  url: string;
  auth: RegistryAuthMode;
  tls: boolean;
  username: string;
  password: string;
  /** The CA that signed the registry's certificate (tls only). */
  caFile?: string;
  caPem?: string;
  storageDir: string;
  pid: number;
  /** A string in the registry's command line (its config file), for stopPid. */
  marker: string;
  /** Where the registry keeps a blob's bytes (to tamper with it). */
  blobFile(digest: string): string;
  /** Stops the registry and removes its directory. */
  stop(): Promise<void>;
}

/**
 * True when a registry answers /v2/ at url: the API version header is there whatever the
 * auth mode (401 included). Proves the port is ours, not something that already held it.
 */
function answersAsRegistry(url: string, caPem: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(`${url}/v2/`, { timeout: 2_000, ...(caPem ? { ca: caPem } : {}) }, (res) => {
      res.resume();
      resolve(String(res.headers['docker-distribution-api-version'] ?? '').startsWith('registry/2'));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function waitForRegistry(url: string, caPem: string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answersAsRegistry(url, caPem))) {
    if (Date.now() > deadline) throw new Error(`the registry did not answer at ${url}/v2/ within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function writeHtpasswd(file: string, username: string, password: string): void {
  try {
    // -B bcrypt (the only scheme the registry accepts), -C 5 keeps start-up fast.
    execFileSync('htpasswd', ['-B', '-C', '5', '-b', '-c', file, username, password], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`cannot write htpasswd file (is apache2-utils installed?): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The registry's on-disk path of a blob, from `algorithm:hex` (checked: it becomes a path). */
function blobPath(storageDir: string, digest: string): string {
  const m = /^(sha256|sha512):([a-f0-9]{64,128})$/.exec(digest);
  if (!m) throw new Error(`not a digest: ${JSON.stringify(digest)}`);
  return path.join(storageDir, 'docker/registry/v2/blobs', m[1]!, m[2]!.slice(0, 2), m[2]!, 'data');
}

export async function startRegistry(opts: RegistryOptions): Promise<LocalRegistry> {
  const auth = opts.auth ?? 'none';
  const tls = opts.tls ?? false;
  const username = opts.username ?? 'gantry';
  const password = opts.password ?? 'registry-secret';
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const storageDir = path.join(opts.dir, 'storage');
  fs.mkdirSync(storageDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const address = opts.listenAddress ?? '127.0.0.1';
  const host = `${address}:${port}`;
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
  };
  const httpConfig = config.http as Record<string, unknown>;
  let caFile: string | undefined;
  let caPem: string | undefined;
  if (tls) {
    const ca = makeCA('gantry-registry-ca');
    const cert = makeSignedCert(ca, { commonName: address, dnsNames: ['localhost'], ips: [...new Set(['127.0.0.1', address])] });
    caFile = path.join(opts.dir, 'ca.pem');
    caPem = ca.certPem;
    fs.writeFileSync(caFile, ca.certPem);
    fs.writeFileSync(path.join(opts.dir, 'server.pem'), cert.certPem);
    fs.writeFileSync(path.join(opts.dir, 'server-key.pem'), cert.keyPem, { mode: 0o600 });
    httpConfig.tls = { certificate: path.join(opts.dir, 'server.pem'), key: path.join(opts.dir, 'server-key.pem') };
  }
  if (auth === 'basic') {
    const file = path.join(opts.dir, 'htpasswd');
    writeHtpasswd(file, username, password);
    config.auth = { htpasswd: { realm: 'gantry-registry', path: file } };
  } else if (auth === 'token') {
    const t = opts.tokenAuthority;
    if (!t) throw new Error('a registry with token auth needs a tokenAuthority');
    const bundle = path.join(opts.dir, 'token-signer.pem');
    fs.writeFileSync(bundle, t.signerCertPem);
    config.auth = { token: { realm: t.realm, service: t.service, issuer: t.issuer, rootcertbundle: bundle } };
  }
  // JSON is YAML, which is what the registry reads.
  const configFile = path.join(opts.dir, 'config.yml');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFile = opts.logFile ?? path.join(opts.dir, 'registry.log');
  const logFd = fs.openSync(logFile, 'a');
  const child = spawn(opts.binary ?? '/usr/bin/docker-registry', ['serve', configFile], { stdio: ['ignore', logFd, logFd], detached: opts.detached ?? false });
  fs.closeSync(logFd);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start docker-registry (is the docker-registry package installed?): ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`docker-registry exited early (code ${code}); see ${logFile}`)));
  });
  exited.catch(() => undefined);
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    if (pid !== undefined) await stopPid(pid, configFile, 5_000);
    fs.rmSync(opts.dir, { recursive: true, force: true });
  };
  try {
    const url = `${tls ? 'https' : 'http'}://${host}`;
    await Promise.race([waitForPort(address, port, 15_000).then(() => waitForRegistry(url, caPem, 15_000)), exited]);
    // Another registry already on the port would have answered; ours must still be running.
    if (child.exitCode !== null || child.signalCode !== null) await exited;
  } catch (e) {
    await stop();
    throw e;
  }
  if (opts.detached) child.unref();
  const reg: LocalRegistry = {
    host,
    port,
    url: `${tls ? 'https' : 'http'}://${host}`,
    auth,
    tls,
    username,
    password,
    storageDir,
    pid: pid!,
    marker: configFile,
    blobFile: (digest: string) => blobPath(storageDir, digest),
    stop,
  };
  if (caFile) reg.caFile = caFile;
  if (caPem) reg.caPem = caPem;
  return reg;
}
