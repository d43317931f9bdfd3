// A real OCI registry for tests: Debian's docker-registry (CNCF distribution v2) on a
// free loopback port, with filesystem storage in a temp dir and, as asked, htpasswd
// Basic auth (bcrypt via apache2-utils' htpasswd), token auth (a local token server
// whose signing certificate the registry trusts) and TLS (a test CA). Stopped by PID.

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { stopPid } from '../../common/proc/pids.js';
import { freePort, waitForPort } from '../../common/proc/ports.js';
import { parseDigest } from '../images/digest.js';
import { startTokenServer, type TokenServer } from './tokenServer.js';

export type RegistryAuthMode = 'none' | 'basic' | 'token';

export interface RegistryOptions {
  /** A directory for this registry's config, storage and certificates (created; removed by stop). */
  dir: string;
  auth?: RegistryAuthMode;
  tls?: boolean;
  username?: string;
  password?: string;
  binary?: string;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, the host part of image references. */
  host: string;
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
  tokenServer?: TokenServer;
  /** Where the registry keeps a blob's bytes (to tamper with it). */
  blobFile(digest: string): string;
  stop(): Promise<void>;
}

const marker = 'docker-registry';

function writeHtpasswd(file: string, username: string, password: string): void {
  try {
    // -B bcrypt (the only scheme the registry accepts), -C 5 keeps tests fast.
    execFileSync('htpasswd', ['-B', '-C', '5', '-b', '-c', file, username, password], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`cannot write htpasswd file (is apache2-utils installed?): ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function startRegistry(opts: RegistryOptions): Promise<TestRegistry> {
  const auth = opts.auth ?? 'none';
  const tls = opts.tls ?? false;
  const username = opts.username ?? 'gantry';
  const password = opts.password ?? 'registry-secret';
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const storageDir = path.join(opts.dir, 'storage');
  fs.mkdirSync(storageDir, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
  };
  const http = config.http as Record<string, unknown>;
  let caFile: string | undefined;
  let caPem: string | undefined;
  if (tls) {
    const ca = makeCA('gantry-test-registry-ca');
    const cert = makeSignedCert(ca, { commonName: '127.0.0.1', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    caFile = path.join(opts.dir, 'ca.pem');
    caPem = ca.certPem;
    fs.writeFileSync(caFile, ca.certPem);
    fs.writeFileSync(path.join(opts.dir, 'server.pem'), cert.certPem);
    fs.writeFileSync(path.join(opts.dir, 'server-key.pem'), cert.keyPem, { mode: 0o600 });
    http.tls = { certificate: path.join(opts.dir, 'server.pem'), key: path.join(opts.dir, 'server-key.pem') };
  }
  let tokenServer: TokenServer | undefined;
  if (auth === 'basic') {
    const file = path.join(opts.dir, 'htpasswd');
    writeHtpasswd(file, username, password);
    config.auth = { htpasswd: { realm: 'gantry-test', path: file } };
  } else if (auth === 'token') {
    tokenServer = await startTokenServer({ users: { [username]: password } });
    const bundle = path.join(opts.dir, 'token-signer.pem');
    fs.writeFileSync(bundle, tokenServer.signerCertPem);
    config.auth = { token: { realm: tokenServer.realm, service: tokenServer.service, issuer: tokenServer.issuer, rootcertbundle: bundle } };
  }
  // JSON is YAML, which is what the registry reads.
  const configFile = path.join(opts.dir, 'config.yml');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFd = fs.openSync(path.join(opts.dir, 'registry.log'), 'a');
  const child = spawn(opts.binary ?? '/usr/bin/docker-registry', ['serve', configFile], { stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start docker-registry (is the docker-registry package installed?): ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`docker-registry exited early (code ${code}); see ${path.join(opts.dir, 'registry.log')}`)));
  });
  exited.catch(() => undefined);
  const pid = child.pid!;
  const stop = async (): Promise<void> => {
    await stopPid(pid, marker, 5_000);
    await tokenServer?.stop();
    fs.rmSync(opts.dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort('127.0.0.1', port, 15_000), exited]);
  } catch (e) {
    await stop();
    throw e;
  }
  const reg: TestRegistry = {
    host,
    url: `${tls ? 'https' : 'http'}://${host}`,
    auth,
    tls,
    username,
    password,
    storageDir,
    pid,
    blobFile: (digest: string) => {
      const d = parseDigest(digest);
      return path.join(storageDir, 'docker/registry/v2/blobs', d.algorithm, d.hex.slice(0, 2), d.hex, 'data');
    },
    stop,
  };
  if (caFile) reg.caFile = caFile;
  if (caPem) reg.caPem = caPem;
  if (tokenServer) reg.tokenServer = tokenServer;
  return reg;
}
