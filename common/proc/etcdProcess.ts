// Starts real etcd on loopback: one member (startEtcd) or a cluster of several
// (startEtcdCluster), for tests (temp dir, killed by PID at the end) and for `gantry up`
// (detached, PIDs recorded under $GANTRY_HOME). Plain HTTP unless given TLS files: then
// clients and peers must present a certificate the etcd CA signed, as kubeadm runs etcd.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { stopChild } from './stopChild.js';

/** A TLS etcd's files, as kubeadm lays them out under pki/etcd. */
export interface EtcdTlsFiles {
  /** The etcd CA: the only CA whose client and peer certificates are accepted. */
  caFile: string;
  /**
   * Served on the client URLs. etcd's own JSON gateway dials its gRPC port with it too, so it
   * needs clientAuth besides serverAuth; this package's health checks present it as well.
   */
  certFile: string;
  keyFile: string;
  /** Presented to and required from the other members (serverAuth and clientAuth). */
  peerCertFile: string;
  peerKeyFile: string;
}

/** What a client of a TLS etcd needs: the CA to verify the member, and its own certificate. */
export interface EtcdClientTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface EtcdProcessOptions {
  dataDir: string;
  clientPort?: number;
  peerPort?: number;
  /** Where etcd's own log goes; default: discarded. */
  logFile?: string;
  /** Keep running after this process exits (for `gantry up`). */
  detached?: boolean;
  binary?: string;
  /** Serve HTTPS and require client certificates; default plain HTTP. */
  tls?: EtcdTlsFiles;
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

/** What one member runs with; the same flags start it again on its data (etcd then ignores the initial-cluster ones). */
interface MemberSpec {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** `name=peerURL,...` of every member. */
  initialCluster: string;
  clusterToken?: string;
  logFile?: string;
  detached?: boolean;
  binary?: string;
  tls?: EtcdTlsFiles;
}

const url = (port: number, tls?: unknown): string => `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;

/** etcd's TLS flags: HTTPS on both client and peer URLs, and a certificate the CA signed required on both. */
function tlsArgs(tls: EtcdTlsFiles | undefined): string[] {
  if (!tls) return [];
  return [
    '--cert-file', tls.certFile,
    '--key-file', tls.keyFile,
    '--trusted-ca-file', tls.caFile,
    '--client-cert-auth',
    '--peer-cert-file', tls.peerCertFile,
    '--peer-key-file', tls.peerKeyFile,
    '--peer-trusted-ca-file', tls.caFile,
    '--peer-client-cert-auth',
  ];
}

function memberArgs(m: MemberSpec): string[] {
  return [
    '--name', m.name,
    '--data-dir', m.dataDir,
    '--listen-client-urls', url(m.clientPort, m.tls),
    '--advertise-client-urls', url(m.clientPort, m.tls),
    '--listen-peer-urls', url(m.peerPort, m.tls),
    '--initial-advertise-peer-urls', url(m.peerPort, m.tls),
    ...tlsArgs(m.tls),
    '--initial-cluster', m.initialCluster,
    '--initial-cluster-state', 'new',
    // Members of two clusters on one machine never join each other by a port mix-up.
    ...(m.clusterToken ? ['--initial-cluster-token', m.clusterToken] : []),
    '--logger', 'zap',
    '--log-level', 'warn',
    // Objects up to Kubernetes' 1.5 MiB limit plus envelope.
    '--max-request-bytes', String(3 * 1024 * 1024),
    '--quota-backend-bytes', String(4 * 1024 * 1024 * 1024),
  ];
}

interface Launched {
  child: ChildProcess;
  /** Rejects when the process could not start or exited. */
  exited: Promise<never>;
  gone(): Promise<void>;
}

function launch(m: MemberSpec): Launched {
  fs.mkdirSync(m.dataDir, { recursive: true, mode: 0o700 });
  const out = m.logFile ? fs.openSync(m.logFile, 'a') : 'ignore';
  const child: ChildProcess = spawn(m.binary ?? 'etcd', memberArgs(m), {
    stdio: ['ignore', out, out],
    detached: m.detached ?? false,
    env: { ...process.env, ETCD_UNSUPPORTED_ARCH: '' },
  });
  if (typeof out === 'number') fs.closeSync(out);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start etcd: ${e.message} (is the etcd-server package installed?)`)));
    child.once('exit', (code, sig) => reject(new Error(`etcd ${m.name} exited early (code ${code}, signal ${sig}); see ${m.logFile ?? 'its log'}`)));
  });
  exited.catch(() => undefined);
  const gone = (): Promise<void> => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  return { child, exited, gone };
}

export async function startEtcd(opts: EtcdProcessOptions): Promise<EtcdProcess> {
  const clientPort = opts.clientPort ?? (await freePort());
  const peerPort = opts.peerPort ?? (await freePort());
  const spec: MemberSpec = {
    name: 'gantry',
    dataDir: opts.dataDir,
    clientPort,
    peerPort,
    initialCluster: `gantry=${url(peerPort, opts.tls)}`,
    ...(opts.logFile ? { logFile: opts.logFile } : {}),
    ...(opts.detached ? { detached: true } : {}),
    ...(opts.binary ? { binary: opts.binary } : {}),
    ...(opts.tls ? { tls: opts.tls } : {}),
  };
  const { child, exited, gone } = launch(spec);
  await Promise.race([waitForPort('127.0.0.1', clientPort, 20_000), exited]);
  if (opts.detached) child.unref();
  return {
    endpoint: url(clientPort, opts.tls),
    pid: child.pid!,
    clientPort,
    peerPort,
    kill: async () => {
      child.kill('SIGKILL');
      await gone();
    },
    stop: () => stopChild(child, 5_000),
  };
}

/** The client certificate a member's own serving certificate doubles as (see EtcdTlsFiles.certFile). */
export function selfClientTls(tls: EtcdTlsFiles): EtcdClientTls {
  return { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile };
}

/** One HTTP(S) request to a member: https endpoints get the CA and client certificate of `tls`. */
function request(endpoint: string, rpcPath: string, opts: http.RequestOptions, tls: EtcdClientTls | undefined, onRes: (res: http.IncomingMessage) => void): http.ClientRequest {
  if (!endpoint.startsWith('https:')) return http.request(`${endpoint}${rpcPath}`, opts, onRes);
  const creds = tls ? { ca: fs.readFileSync(tls.caFile), cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) } : {};
  return https.request(`${endpoint}${rpcPath}`, { ...opts, ...creds }, onRes);
}

/**
 * GET /health on a member's client URL: true once it has a leader and a quorum answers a read.
 * An https member needs `tls` (without it, or with a certificate its CA did not sign: false).
 */
export function memberHealthy(endpoint: string, tls?: EtcdClientTls, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(endpoint, '/health', { timeout: timeoutMs }, tls, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(body) as { health?: string }).health === 'true');
        } catch {
          resolve(false);
        }
      });
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitHealthy(endpoint: string, timeoutMs: number, tls: EtcdClientTls | undefined, exited?: Promise<never>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const poll = async (): Promise<void> => {
    while (!(await memberHealthy(endpoint, tls))) {
      if (Date.now() > deadline) throw new Error(`etcd at ${endpoint} is not healthy after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await (exited ? Promise.race([poll(), exited]) : poll());
}

export interface EtcdMemberPorts {
  clientPort: number;
  peerPort: number;
}

export interface EtcdClusterOptions {
  /** Member etcd-<i> keeps its data in `<dir>/etcd-<i>`. */
  dir: string;
  members: number;
  /**
   * One per member. Members know each other by their peer URLs, recorded in their data, so a
   * cluster started again on its data needs the ports it was created with. Default: free ports.
   */
  ports?: EtcdMemberPorts[];
  /** Each member logs to `<logDir>/<name>.log`; default: discarded. */
  logDir?: string;
  /** Keep running after this process exits (for `gantry up`). */
  detached?: boolean;
  binary?: string;
  /** How long the members get to elect a leader. Default 30 s. */
  readyTimeoutMs?: number;
  /** Serve HTTPS to clients and peers and require certificates the etcd CA signed; default plain HTTP. */
  tls?: EtcdTlsFiles;
}

export interface EtcdMember {
  name: string;
  endpoint: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  /** The PID of its current process (a restarted member has a new one). */
  readonly pid: number;
  running(): boolean;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on its data and ports; resolves once it is healthy (rejoined, caught up with a leader). */
  start(timeoutMs?: number): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** Every member's client URL, for the API server's --etcd-endpoints. */
  endpoints: string[];
  /** What this package's own checks present to a TLS cluster (undefined: plain HTTP). */
  clientTls: EtcdClientTls | undefined;
  member(name: string): EtcdMember;
  /** The member the running ones agree leads (waits out an election, up to timeoutMs). */
  leader(timeoutMs?: number): Promise<EtcdMember>;
  /** Stops every member still running. */
  stop(): Promise<void>;
}

/** Distinct free ports, two per member (the kernel could hand the same free port out twice). */
export async function freeMemberPorts(n: number): Promise<EtcdMemberPorts[]> {
  const seen = new Set<number>();
  const next = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!seen.has(p)) {
        seen.add(p);
        return p;
      }
    }
  };
  const out: EtcdMemberPorts[] = [];
  for (let i = 0; i < n; i++) out.push({ clientPort: await next(), peerPort: await next() });
  return out;
}

/** POST to etcd's JSON gateway (`/v3/...`) on one member; undefined when it does not answer. */
export function etcdGateway<T>(endpoint: string, rpc: string, tls?: EtcdClientTls, timeoutMs = 2_000): Promise<T | undefined> {
  return new Promise((resolve) => {
    const req = request(endpoint, `/v3/${rpc}`, { method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/json' } }, tls, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as T) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end('{}');
  });
}

/** The client URL of the member that those answering at `endpoints` report as leader; undefined in an election. */
export async function etcdLeader(endpoints: string[], tls?: EtcdClientTls): Promise<string | undefined> {
  const statuses = await Promise.all(endpoints.map((e) => etcdGateway<{ header?: { member_id?: string }; leader?: string }>(e, 'maintenance/status', tls)));
  const byId = new Map<string, string>();
  statuses.forEach((s, i) => s?.header?.member_id && byId.set(s.header.member_id, endpoints[i]!));
  const leaderId = statuses.find((s) => s?.leader && s.leader !== '0')?.leader;
  return leaderId ? byId.get(leaderId) : undefined;
}

/** A member's command line: what a supervisor runs, and runs again on the same data (`gantry up`). */
export interface EtcdMemberCommand {
  /** etcd-<i+1> for member i. */
  name: string;
  dataDir: string;
  endpoint: string;
  command: string;
  args: string[];
}

function memberSpecs(opts: { dir: string; ports: EtcdMemberPorts[]; tls?: EtcdTlsFiles | undefined; binary?: string | undefined }): MemberSpec[] {
  const names = opts.ports.map((_, i) => `etcd-${i + 1}`);
  const initialCluster = names.map((n, i) => `${n}=${url(opts.ports[i]!.peerPort, opts.tls)}`).join(',');
  const clusterToken = `gantry-${randomBytes(6).toString('hex')}`;
  return names.map((name, i) => ({
    name,
    dataDir: path.join(opts.dir, name),
    ...opts.ports[i]!,
    initialCluster,
    clusterToken,
    ...(opts.binary ? { binary: opts.binary } : {}),
    ...(opts.tls ? { tls: opts.tls } : {}),
  }));
}

/** The command lines of a cluster's members on `ports` (member i is etcd-<i+1>, its data in `<dir>/etcd-<i+1>`), for processes someone else starts. */
export function etcdMemberCommands(opts: { dir: string; ports: EtcdMemberPorts[]; tls?: EtcdTlsFiles; binary?: string }): EtcdMemberCommand[] {
  return memberSpecs(opts).map((m) => ({ name: m.name, dataDir: m.dataDir, endpoint: url(m.clientPort, m.tls), command: m.binary ?? 'etcd', args: memberArgs(m) }));
}

/**
 * A cluster of `members` etcd processes on loopback, each with its own client and peer port
 * and data dir. Resolves once every member is healthy (a leader is elected and reads go through).
 */
export async function startEtcdCluster(opts: EtcdClusterOptions): Promise<EtcdCluster> {
  if (!Number.isInteger(opts.members) || opts.members < 1) throw new Error(`an etcd cluster needs at least one member, not ${opts.members}`);
  if (opts.ports && opts.ports.length !== opts.members) throw new Error(`${opts.ports.length} port pairs for ${opts.members} members`);
  const ports = opts.ports ?? (await freeMemberPorts(opts.members));
  const clientTls = opts.tls ? selfClientTls(opts.tls) : undefined;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });

  const members = memberSpecs({ dir: opts.dir, ports, tls: opts.tls, binary: opts.binary }).map((base): EtcdMember & { launched: Launched } => {
    const name = base.name;
    const spec: MemberSpec = {
      ...base,
      ...(opts.logDir ? { logFile: path.join(opts.logDir, `${name}.log`) } : {}),
      ...(opts.detached ? { detached: true } : {}),
    };
    let current: Launched | undefined;
    const running = (): boolean => current !== undefined && current.child.exitCode === null && current.child.signalCode === null;
    const member = {
      name,
      endpoint: url(spec.clientPort, opts.tls),
      clientPort: spec.clientPort,
      peerPort: spec.peerPort,
      dataDir: spec.dataDir,
      get pid() {
        return current?.child.pid ?? 0;
      },
      get launched() {
        return current!;
      },
      running,
      stop: async () => {
        if (current) await stopChild(current.child, 10_000);
      },
      kill: async () => {
        if (!current || !running()) return;
        current.child.kill('SIGKILL');
        await current.gone();
      },
      start: async (timeoutMs = readyTimeoutMs) => {
        if (running()) throw new Error(`etcd ${name} is already running (pid ${member.pid})`);
        current = launch(spec);
        if (opts.detached) current.child.unref();
        await waitHealthy(member.endpoint, timeoutMs, clientTls, current.exited);
      },
    };
    current = launch(spec);
    return member;
  });

  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.endpoint),
    clientTls,
    member: (name) => {
      const m = members.find((x) => x.name === name);
      if (!m) throw new Error(`no etcd member ${name}`);
      return m;
    },
    leader: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const endpoint = await etcdLeader(members.filter((m) => m.running()).map((m) => m.endpoint), clientTls);
        const l = members.find((m) => m.endpoint === endpoint);
        if (l) return l;
        if (Date.now() > deadline) throw new Error(`no etcd leader after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      // One at a time, the latest first: a leader stopping hands leadership to a member that
      // stays; stopped all at once, it waits seconds for peers that are going away.
      for (const m of [...members].reverse()) await m.stop();
    },
  };

  try {
    // Together: a new member waits for a quorum of its peers before it answers.
    await Promise.all(members.map((m) => waitHealthy(m.endpoint, readyTimeoutMs, clientTls, m.launched.exited)));
  } catch (e) {
    await Promise.all(members.map((m) => m.kill()));
    throw e;
  }
  if (opts.detached) for (const m of members) m.launched.child.unref();
  return cluster;
}

/** A temp dir for one test's state, removed by the returned function. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
