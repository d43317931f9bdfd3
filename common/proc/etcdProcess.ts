// Starts a real single-member etcd on loopback: for tests (temp dir, killed by PID at
// the end) and for `gantry up` (detached, its PID recorded under $GANTRY_HOME).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { stopChild } from './stopChild.js';

export interface EtcdProcessOptions {
  dataDir: string;
  clientPort?: number;
  peerPort?: number;
  /** Where etcd's own log goes; default: discarded. */
  logFile?: string;
  /** Keep running after this process exits (for `gantry up`). */
  detached?: boolean;
  binary?: string;
}

export interface EtcdProcess {
  endpoint: string;
  pid: number;
  clientPort: number;
  peerPort: number;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: no chance to flush anything. */
  kill(): Promise<void>;
}

export async function startEtcd(opts: EtcdProcessOptions): Promise<EtcdProcess> {
  const clientPort = opts.clientPort ?? (await freePort());
  const peerPort = opts.peerPort ?? (await freePort());
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'gantry',
    '--data-dir', opts.dataDir,
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `gantry=${peer}`,
    '--initial-cluster-state', 'new',
    '--logger', 'zap',
    '--log-level', 'warn',
    // Objects up to Kubernetes' 1.5 MiB limit plus envelope.
    '--max-request-bytes', String(3 * 1024 * 1024),
    '--quota-backend-bytes', String(4 * 1024 * 1024 * 1024),
  ];
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child: ChildProcess = spawn(opts.binary ?? 'etcd', args, {
    stdio: ['ignore', out, out],
    detached: opts.detached ?? false,
    env: { ...process.env, ETCD_UNSUPPORTED_ARCH: '' },
  });
  if (typeof out === 'number') fs.closeSync(out);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start etcd: ${e.message} (is the etcd-server package installed?)`)));
    child.once('exit', (code, sig) => reject(new Error(`etcd exited early (code ${code}, signal ${sig}); see ${opts.logFile ?? 'its log'}`)));
  });
  exited.catch(() => undefined);
  await Promise.race([waitForPort('127.0.0.1', clientPort, 20_000), exited]);
  if (opts.detached) child.unref();
  const pid = child.pid!;
  const gone = (): Promise<void> => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  return {
    endpoint: client,
    pid,
    clientPort,
    peerPort,
    kill: async () => {
      child.kill('SIGKILL');
      await gone();
    },
    stop: () => stopChild(child, 5_000),
  };
}

/** A temp dir for one test's state, removed by the returned function. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
