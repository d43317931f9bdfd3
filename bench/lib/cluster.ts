// The processes under test, in the layout the benchmark reports: etcd, and the API
// server as its own Node process (as `gantry up` runs it), so the server's CPU is not
// shared with the benchmark's client loops inside one event loop. A second etcd serves
// the raw-etcd floors, so floor traffic never touches the API server's revision stream.

import { writeApiServerFiles } from '../../common/pki/apiServerFiles.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterAccess } from '../../common/kubeconfig.js';
import { componentCommand } from '../../common/proc/components.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import { freePort } from '../../common/proc/ports.js';
import type { Cleanup } from './cleanup.js';

export interface BenchCluster {
  access: ClusterAccess;
  apiServerPid: number;
  apiServerLog: string;
  /** The etcd behind the API server. */
  apiEtcd: EtcdProcess;
  /** A separate, otherwise idle etcd for the raw floors. */
  floorEtcd: EtcdProcess;
}

export interface BenchClusterOptions {
  /** Write the API server's V8 CPU profile here (node --cpu-prof) when it exits. */
  cpuProfDir?: string;
}

/** Starts everything; each piece is registered with `cleanup` as soon as it exists. */
export async function startBenchCluster(cleanup: Cleanup, opts: BenchClusterOptions = {}): Promise<BenchCluster> {
  const tmp = makeTempDir('gantry-bench-apiserver');
  cleanup.add(`remove ${tmp.dir}`, () => tmp.remove());

  const apiEtcd = await startEtcd({ dataDir: path.join(tmp.dir, 'etcd-api'), logFile: path.join(tmp.dir, 'etcd-api.log') });
  cleanup.add(`stop etcd (pid ${apiEtcd.pid})`, () => apiEtcd.stop());
  const floorEtcd = await startEtcd({ dataDir: path.join(tmp.dir, 'etcd-floor'), logFile: path.join(tmp.dir, 'etcd-floor.log') });
  cleanup.add(`stop floor etcd (pid ${floorEtcd.pid})`, () => floorEtcd.stop());

  const { ca, token, ...creds } = writeApiServerFiles(tmp.dir, 'gantry-bench-ca');

  const files = {

    ...creds,
    log: path.join(tmp.dir, 'apiserver.log'),

  };

  const port = await freePort();
  const { command, args } = componentCommand('apiserver/main');
  const nodeFlags = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  const logFd = fs.openSync(files.log, 'a');
  const child = spawn(command, [...nodeFlags, ...args, '--etcd-endpoints', apiEtcd.endpoint, '--host', '127.0.0.1', '--port', String(port), '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--token-file', files.tokens], {
    stdio: ['ignore', logFd, logFd],
    // `--import tsx` (running from source) resolves tsx from the working directory.
    cwd: repoRoot(),
  });
  fs.closeSync(logFd);
  if (child.pid === undefined) throw new Error(`cannot start the API server (${command})`);
  // The profile is only written on a clean exit, so give it time before SIGKILL.
  cleanup.add(`stop the API server (pid ${child.pid})`, () => stopChild(child, opts.cpuProfDir ? 30_000 : 10_000));

  const access: ClusterAccess = { server: `https://127.0.0.1:${port}`, caPem: ca.certPem, token };
  await waitReady(access, child, files.log, 60_000);
  return { access, apiServerPid: child.pid, apiServerLog: files.log, apiEtcd, floorEtcd };
}

/** The repository root, from bench/lib/ in the source tree or dist/bench/lib/ when compiled. */
function repoRoot(): string {
  const up = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}


function probe(access: ClusterAccess): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${access.server}/readyz`, { ca: access.caPem, headers: { Authorization: `Bearer ${access.token}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function waitReady(access: ClusterAccess, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API server exited (code ${child.exitCode}):\n${tail(log)}`);
    if (await probe(access)) return;
    await sleep(100);
  }
  throw new Error(`the API server was not ready after ${timeoutMs} ms:\n${tail(log)}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}
