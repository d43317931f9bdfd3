// `gantry up`: a local cluster in the background. Certificates, tokens, etcd data, logs,
// state and the kubeconfig all live in $GANTRY_HOME.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { makeCA, makeSignedCert, type KeyPair } from '../../common/pki/certs.js';
import { startEtcd } from '../../common/proc/etcdProcess.js';
import { freePort } from '../../common/proc/ports.js';
import { isAlive } from '../../common/proc/pids.js';
import { componentCommand } from '../../common/proc/components.js';
import { readState, writeState, type ClusterProcess } from './state.js';

export interface UpOptions {
  home: string;
  apiPort?: number;
  out: (line: string) => void;
}

export interface UpResult {
  kubeconfig: string;
  server: string;
  alreadyRunning: boolean;
}

function loadOrMake(dir: string, name: string, make: () => KeyPair): KeyPair {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  if (fs.existsSync(cert) && fs.existsSync(key)) return { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8') };
  const pair = make();
  fs.writeFileSync(cert, pair.certPem);
  fs.writeFileSync(key, pair.keyPem, { mode: 0o600 });
  return pair;
}

async function portFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function waitReady(url: string, caPem: string, token: string, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.get(`${url}/readyz`, { ca: caPem, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
        res.resume();
        last = `HTTP ${res.statusCode}`;
        resolve(res.statusCode === 200);
      });
      req.on('error', (e) => {
        last = e.message;
        resolve(false);
      });
      req.on('timeout', () => req.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the API server did not become ready at ${url} (${last}); see ${logFile}`);
}

/** Starts `gantry supervise` for one component, detached; its command line names the log file. */
function startSupervised(name: string, logFile: string, preArgs: string[], command: string, args: string[]): ClusterProcess {
  const cli = componentCommand('cli/main');
  const child = spawn(cli.command, [...cli.args, 'supervise', '--log', logFile, '--', command, ...preArgs, ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  return { name, pid: child.pid!, marker: logFile };
}

export async function up(opts: UpOptions): Promise<UpResult> {
  const home = opts.home;
  const kubeconfig = path.join(home, 'kubeconfig');
  const existing = readState(home);
  if (existing && existing.processes.every((p) => isAlive(p.pid))) {
    return { kubeconfig, server: existing.apiServer, alreadyRunning: true };
  }
  for (const d of ['pki', 'logs', 'etcd']) fs.mkdirSync(path.join(home, d), { recursive: true, mode: 0o700 });
  const pki = path.join(home, 'pki');
  const logs = path.join(home, 'logs');

  opts.out('generating certificates');
  const ca = loadOrMake(pki, 'ca', () => makeCA('gantry-ca'));
  loadOrMake(pki, 'apiserver', () => makeSignedCert(ca, { commonName: 'gantry-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'], ips: ['127.0.0.1', '::1'] }));
  const tokenFile = path.join(pki, 'tokens.csv');
  if (!fs.existsSync(tokenFile)) {
    const admin = randomBytes(24).toString('hex');
    fs.writeFileSync(tokenFile, `${admin},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  }
  const adminToken = fs.readFileSync(tokenFile, 'utf8').split('\n').find((l) => l.includes(',admin,'))!.split(',')[0]!;

  const processes: ClusterProcess[] = [];
  opts.out('starting etcd');
  const etcd = await startEtcd({ dataDir: path.join(home, 'etcd'), logFile: path.join(logs, 'etcd.log'), detached: true });
  processes.push({ name: 'etcd', pid: etcd.pid, marker: path.join(home, 'etcd') });

  const apiPort = opts.apiPort ?? ((await portFree(6443)) ? 6443 : await freePort());
  const server = `https://127.0.0.1:${apiPort}`;
  const { command, args } = componentCommand('apiserver/main');
  const apiLog = path.join(logs, 'apiserver.log');
  const fd = fs.openSync(apiLog, 'a');
  opts.out('starting the API server');
  const child = spawn(command, [
    ...args,
    '--etcd-endpoints', etcd.endpoint,
    '--port', String(apiPort),
    '--tls-cert-file', path.join(pki, 'apiserver.crt'),
    '--tls-key-file', path.join(pki, 'apiserver.key'),
    '--token-file', tokenFile,
  ], { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  processes.push({ name: 'apiserver', pid: child.pid!, marker: tokenFile });
  writeState(home, { version: 1, apiServer: server, etcd: etcd.endpoint, processes, createdAt: new Date().toISOString() });

  await waitReady(server, ca.certPem, adminToken, 30_000, apiLog);
  fs.writeFileSync(kubeconfig, renderKubeconfig({ server, caPem: ca.certPem, token: adminToken }), { mode: 0o600 });

  // Clients of the API run under a supervisor that restarts them, as systemd would.
  opts.out('starting the scheduler');
  const scheduler = componentCommand('scheduler/main');
  const schedulerLog = path.join(logs, 'scheduler.log');
  processes.push(startSupervised('scheduler', schedulerLog, scheduler.args, scheduler.command, ['--kubeconfig', kubeconfig, '--metrics-port', String(await freePort())]));
  writeState(home, { version: 1, apiServer: server, etcd: etcd.endpoint, processes, createdAt: new Date().toISOString() });
  return { kubeconfig, server, alreadyRunning: false };
}
