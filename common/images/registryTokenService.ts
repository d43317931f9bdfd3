// The files and flags of the registry's token service (registryauth/), for whoever runs
// it: `gantry up` (under `gantry supervise`, cli/cluster/registry.ts) and tests (a plain
// child process, startTokenService). The signing key pair is made here; the certificate is
// what the registry trusts (its rootcertbundle), the key stays 0600 beside the users file.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeCA } from '../pki/certs.js';
import { componentCommand } from '../proc/components.js';
import { stopPid } from '../proc/pids.js';
import { freePort } from '../proc/ports.js';
import type { TokenAuthority } from './registryProcess.js';
import { hashUser, writeRegistryUsers, type RegistryAction } from './registryUsers.js';

export const defaultTokenService = 'gantry-registry';
export const defaultTokenIssuer = 'gantry-registry-auth';

export interface TokenServiceFiles {
  usersFile: string;
  signingKeyFile: string;
  signingCertFile: string;
}

export function tokenServiceFiles(dir: string): TokenServiceFiles {
  return { usersFile: path.join(dir, 'users.json'), signingKeyFile: path.join(dir, 'signer-key.pem'), signingCertFile: path.join(dir, 'signer.pem') };
}

/** The signing key pair in `dir`, made when missing (kept across restarts of `gantry up`). */
export function ensureSigner(dir: string): TokenServiceFiles {
  const files = tokenServiceFiles(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(files.signingKeyFile) || !fs.existsSync(files.signingCertFile)) {
    const signer = makeCA('gantry-registry-token-signer');
    fs.writeFileSync(files.signingKeyFile, signer.keyPem, { mode: 0o600 });
    fs.writeFileSync(files.signingCertFile, signer.certPem, { mode: 0o644 });
  }
  return files;
}

export interface TokenServiceSettings {
  listenAddress: string;
  port: number;
  service?: string;
  issuer?: string;
  anonymousPull?: boolean;
}

export function tokenServiceArgs(files: TokenServiceFiles, s: TokenServiceSettings): string[] {
  return [
    '--listen-address', s.listenAddress,
    '--port', String(s.port),
    '--service', s.service ?? defaultTokenService,
    '--issuer', s.issuer ?? defaultTokenIssuer,
    '--users-file', files.usersFile,
    '--signing-key-file', files.signingKeyFile,
    '--signing-cert-file', files.signingCertFile,
    '--anonymous-pull', String(s.anonymousPull ?? true),
  ];
}

/** What the registry's auth.token config needs to trust a token service at `address:port`. */
export function tokenAuthorityFor(files: TokenServiceFiles, s: TokenServiceSettings): TokenAuthority {
  return {
    realm: `http://${s.listenAddress}:${s.port}/token`,
    service: s.service ?? defaultTokenService,
    issuer: s.issuer ?? defaultTokenIssuer,
    signerCertPem: fs.readFileSync(files.signingCertFile, 'utf8'),
  };
}

/**
 * Waits until the token service answers a token request (an anonymous one: it proves the
 * key, users file and port are all in order), or fails with `why()` once `timeoutMs` passed.
 */
export async function waitForTokenService(authority: TokenAuthority, timeoutMs: number, why: () => string): Promise<void> {
  const url = `${authority.realm}?service=${encodeURIComponent(authority.service)}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200 && typeof ((await res.json()) as { token?: unknown }).token === 'string') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the registry token service did not answer at ${authority.realm} within ${timeoutMs} ms: ${why()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface TokenServiceUser {
  name: string;
  password: string;
  actions: RegistryAction[];
}

export interface RunningTokenService extends TokenAuthority {
  pid: number;
  port: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface StartTokenServiceOptions {
  /** Its files (created; removed by stop). */
  dir: string;
  users: TokenServiceUser[];
  listenAddress?: string;
  anonymousPull?: boolean;
  service?: string;
  issuer?: string;
}

/** For tests: the real token service as a child process of this one, on loopback. */
export async function startTokenService(opts: StartTokenServiceOptions): Promise<RunningTokenService> {
  const files = ensureSigner(opts.dir);
  writeRegistryUsers(files.usersFile, await Promise.all(opts.users.map((u) => hashUser(u.name, u.password, u.actions))));
  const settings: TokenServiceSettings = { listenAddress: opts.listenAddress ?? '127.0.0.1', port: await freePort(), ...(opts.service ? { service: opts.service } : {}), ...(opts.issuer ? { issuer: opts.issuer } : {}), ...(opts.anonymousPull !== undefined ? { anonymousPull: opts.anonymousPull } : {}) };
  const logFile = path.join(opts.dir, 'token-service.log');
  const fd = fs.openSync(logFile, 'a');
  const cmd = componentCommand('registryauth/main');
  const child = spawn(cmd.command, [...cmd.args, ...tokenServiceArgs(files, settings)], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const pid = child.pid!;
  const stop = async (): Promise<void> => {
    await stopPid(pid, files.usersFile, 5_000);
    fs.rmSync(opts.dir, { recursive: true, force: true });
  };
  const authority = tokenAuthorityFor(files, settings);
  const tail = (): string => fs.readFileSync(logFile, 'utf8').slice(-2000);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the registry token service exited (code ${code}): ${tail()}`))));
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForTokenService(authority, 20_000, tail), exited]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...authority, pid, port: settings.port, logFile, stop };
}
