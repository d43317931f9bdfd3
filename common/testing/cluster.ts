// A real etcd and a real API server, each its own process, for integration tests of
// components that may not import apiserver/ (the scheduler, controllers, the node agent)
// and for benchmarks. Same layout as `gantry up`: certificates, a token file, the
// API server started from its main through componentCommand. Everything is stopped by
// PID and removed by close().

import { writeApiServerFiles } from '../pki/apiServerFiles.js';
import { stopChild } from '../proc/stopChild.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestClient } from '../client/restClient.js';
import { renderKubeconfig, type ClusterAccess } from '../kubeconfig.js';
import { componentCommand } from '../proc/components.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../proc/etcdProcess.js';
import { freePort } from '../proc/ports.js';

export interface ProcessCluster {
  access: ClusterAccess;
  /** An admin client (system:masters). */
  client: RestClient;
  /** A kubeconfig file for `access`, for components started with `--kubeconfig`. */
  kubeconfig: string;
  /** Temp dir holding certificates, logs and etcd data; removed by close(). */
  dir: string;
  /** The cluster CA's certificate and key files (for a signer, e.g. the controller manager's csrsigning). */
  caFile: string;
  caKeyFile: string;
  readonly etcd: EtcdProcess;
  /** PID of the running API server process (changes on restart). */
  readonly apiServerPid: number;
  apiServerLog: string;
  /** SIGTERM the API server and wait for it to exit (etcd keeps running). */
  stopApiServer(): Promise<void>;
  /** Start the API server again on the same port, with the same certificates and tokens. */
  startApiServer(): Promise<void>;
  restartApiServer(): Promise<void>;
  close(): Promise<void>;
}

export interface ProcessClusterOptions {
  /** Extra node flags for the API server process (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  /** How long to wait for /readyz. */
  readyTimeoutMs?: number;
  /** More flags for the API server (e.g. the kubelet client certificate). */
  apiServerFlags?: string[];
  /** More users in the token file, e.g. a node: `{ token, user: 'system:node:n1', groups: ['system:nodes'] }`. */
  extraTokens?: { token: string; user: string; groups: string[] }[];
  /** Accept client certificates signed by the cluster CA (--client-ca-file). */
  clientCertAuth?: boolean;
  /** The API server's --log-level; default warn (tests read only its warnings and errors). */
  logLevel?: string;
  /** How long a stop waits before SIGKILL; default 10 s (a `--cpu-prof` profile is written on a clean exit only, and takes longer). */
  stopTimeoutMs?: number;
  /** Where its temp dir is made: its name's prefix. */
  tempPrefix?: string;
}

/** The repository root (or dist/'s parent when compiled): `--import tsx` resolves from there. */
function repoRoot(): string {
  const up = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function probeReady(access: ClusterAccess): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${access.server}/readyz`, { ca: access.caPem, headers: { Authorization: `Bearer ${access.token}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}


export async function startProcessCluster(opts: ProcessClusterOptions = {}): Promise<ProcessCluster> {
  const tmp = makeTempDir(opts.tempPrefix ?? 'gantry-cluster');
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  let etcd: EtcdProcess | undefined;
  let child: ChildProcess | undefined;
  try {
    etcd = await startEtcd({ dataDir: path.join(tmp.dir, 'etcd'), logFile: path.join(tmp.dir, 'etcd.log') });
    const { ca, token, ...creds } = writeApiServerFiles(tmp.dir, 'gantry-test-ca');
    for (const t of opts.extraTokens ?? []) fs.appendFileSync(creds.tokens, `${t.token},${t.user},${t.user}-uid,"${t.groups.join(',')}"\n`);
    const files = {
      ...creds,
      log: path.join(tmp.dir, 'apiserver.log'),
      kubeconfig: path.join(tmp.dir, 'kubeconfig'),
    };
    const caFile = path.join(tmp.dir, 'ca.crt');
    const caKeyFile = path.join(tmp.dir, 'ca.key');
    fs.writeFileSync(caFile, ca.certPem);
    fs.writeFileSync(caKeyFile, ca.keyPem, { mode: 0o600 });
    const port = await freePort();
    const access: ClusterAccess = { server: `https://127.0.0.1:${port}`, caPem: ca.certPem, token };
    fs.writeFileSync(files.kubeconfig, renderKubeconfig(access), { mode: 0o600 });
    const etcdEndpoint = etcd.endpoint;

    const launch = async (): Promise<ChildProcess> => {
      const { command, args } = componentCommand('apiserver/main');
      const fd = fs.openSync(files.log, 'a');
      const c = spawn(command, [...(opts.nodeFlags ?? []), ...args, '--etcd-endpoints', etcdEndpoint, '--host', '127.0.0.1', '--port', String(port), '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--token-file', files.tokens, '--log-level', opts.logLevel ?? 'warn', ...(opts.clientCertAuth ? ['--client-ca-file', caFile] : []), ...(opts.apiServerFlags ?? [])], {
        stdio: ['ignore', fd, fd],
        cwd: repoRoot(),
      });
      fs.closeSync(fd);
      if (c.pid === undefined) throw new Error(`cannot start the API server (${command})`);
      const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
      while (Date.now() < deadline) {
        if (c.exitCode !== null) throw new Error(`the API server exited (code ${c.exitCode}):\n${tail(files.log)}`);
        if (await probeReady(access)) return c;
        await new Promise((r) => setTimeout(r, 100));
      }
      await stopChild(c, 2_000);
      throw new Error(`the API server was not ready after ${opts.readyTimeoutMs ?? 60_000} ms:\n${tail(files.log)}`);
    };

    child = await launch();
    const client = new RestClient(access);
    const cluster: ProcessCluster = {
      access,
      client,
      kubeconfig: files.kubeconfig,
      dir: tmp.dir,
      caFile,
      caKeyFile,
      etcd,
      get apiServerPid() {
        return child?.pid ?? 0;
      },
      apiServerLog: files.log,
      stopApiServer: async () => {
        if (child) await stopChild(child, stopTimeoutMs);
      },
      startApiServer: async () => {
        if (child && child.exitCode === null && child.signalCode === null) return;
        child = await launch();
      },
      restartApiServer: async () => {
        await cluster.stopApiServer();
        await cluster.startApiServer();
      },
      close: async () => {
        client.close();
        if (child) await stopChild(child, stopTimeoutMs);
        await etcd?.stop();
        tmp.remove();
      },
    };
    return cluster;
  } catch (e) {
    if (child) await stopChild(child, 2_000);
    await etcd?.stop();
    tmp.remove();
    throw e;
  }
}
