// `gantry up`'s etcd: one member or three on loopback, each with its own client and peer
// port and its data in $GANTRY_HOME/etcd/<member>. The ports are recorded beside the data
// (etcd/members.json): members know each other by the peer URLs stored in their data, so a
// cluster started again on it (a restarted `up`) must listen where it did before.
// Members serve HTTPS only and accept clients and peers with a certificate of etcd's own CA
// ($GANTRY_HOME/pki/etcd/ca.crt); the API server holds the one client certificate.
// Each member runs under `gantry supervise` (its log, logs/etcd-N.log, is the recorded
// marker), its back-off capped low: after a kill -9 it is back on its data within seconds.

import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { etcdMemberCommands, freeMemberPorts, memberHealthy, type EtcdClientTls, type EtcdMemberPorts } from '../../common/proc/etcdProcess.js';
import { stopPid } from '../../common/proc/pids.js';
import { ensureEtcdPki } from './pki.js';
import { portFree } from './ports.js';
import type { ClusterProcess } from './state.js';
import { readSupervisorStatus, startSupervised, supervisorStatusFile } from './supervise.js';

/** One member, or three that survive losing any one. */
export const etcdMemberCounts: readonly number[] = [1, 3];
export const defaultEtcdMembers = 1;
/** A member's supervisor never waits longer than this to start it again: the API server waits on a quorum. */
export const etcdMaxBackoffMs = 2_000;
/** How long new members get to elect a leader and answer reads. */
const readyTimeoutMs = 30_000;

/** A recorded process that is an etcd member: `etcd-1`, ... (plain `etcd` in state written before members were numbered). */
export function isEtcdProcess(name: string): boolean {
  return name === 'etcd' || /^etcd-\d+$/.test(name);
}

/** Member i (etcd-<i+1>) listens on ports[i]. */
interface MembersFile {
  ports: EtcdMemberPorts[];
  /** The members know each other by https peer URLs (absent: data of a plain-HTTP etcd from an older gantry). */
  tls?: boolean;
}

function membersFile(home: string): string {
  return path.join(home, 'etcd', 'members.json');
}

function readMembers(home: string): MembersFile | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(membersFile(home), 'utf8')) as MembersFile;
    return Array.isArray(parsed.ports) && parsed.ports.length > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The lowest port members are given: above the registered services most machines run. */
const lowestMemberPort = 20_000;

/** The kernel's ephemeral range (`lo hi` in /proc/sys/net/ipv4/ip_local_port_range); undefined when unreadable. */
export function parsePortRange(text: string): { lo: number; hi: number } | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const [lo, hi] = [Number(m[1]), Number(m[2])];
  return lo > 0 && lo <= hi && hi <= 65_535 ? { lo, hi } : undefined;
}

/**
 * `2 * count` distinct ports from [lowestMemberPort, the ephemeral range's start), each free
 * when tried; undefined when the range below is too small or too busy.
 */
export async function portsBelow(ephemeralLo: number, count: number, isFree: (port: number) => Promise<boolean>, pick: (lo: number, hi: number) => number = randomInt): Promise<EtcdMemberPorts[] | undefined> {
  const span = ephemeralLo - lowestMemberPort;
  if (span < 64 * count) return undefined;
  const chosen = new Set<number>();
  for (let tries = 0; chosen.size < 2 * count && tries < 200; tries++) {
    const port = pick(lowestMemberPort, ephemeralLo);
    if (!chosen.has(port) && (await isFree(port))) chosen.add(port);
  }
  if (chosen.size < 2 * count) return undefined;
  const ports = [...chosen];
  return Array.from({ length: count }, (_, i) => ({ clientPort: ports[2 * i]!, peerPort: ports[2 * i + 1]! }));
}

/**
 * New members' ports, below the kernel's ephemeral range when it can: a port inside it can be
 * handed, while its member is down, to any outgoing connection (the API server redialling
 * that very member among them), and the member its supervisor starts again then cannot
 * listen until that connection closes. etcd's own defaults (2379/2380) sit below it too.
 */
async function newMemberPorts(count: number): Promise<EtcdMemberPorts[]> {
  let range: { lo: number; hi: number } | undefined;
  try {
    range = parsePortRange(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
  } catch {
    range = undefined;
  }
  return (range && (await portsBelow(range.lo, count, portFree))) ?? freeMemberPorts(count);
}

export interface ClusterEtcd {
  /** Every member's client URL: the API server's --etcd-endpoints. */
  endpoints: string[];
  /** One per member, in member order, for state.json. */
  processes: ClusterProcess[];
  /** The API server's --etcd-cafile, --etcd-certfile and --etcd-keyfile. */
  apiServerClient: EtcdClientTls;
}

/** The API server's client certificate under `<home>/pki`: what `gantry status` and tests present to the members. */
export function etcdClientTlsOf(home: string): EtcdClientTls {
  const pki = path.join(home, 'pki');
  return { caFile: path.join(pki, 'etcd', 'ca.crt'), certFile: path.join(pki, 'apiserver-etcd-client.crt'), keyFile: path.join(pki, 'apiserver-etcd-client.key') };
}

/**
 * Resolves once every member answers /health; rejects as soon as one exits (a port taken,
 * unreadable data: its supervisor would only start it into the same failure) or at the deadline.
 */
async function waitMembersHealthy(members: Array<{ name: string; endpoint: string; logFile: string }>, tls: EtcdClientTls): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  const pending = new Set(members);
  for (;;) {
    for (const m of [...pending]) {
      const exit = readSupervisorStatus(m.logFile)?.lastExit;
      if (exit) throw new Error(`etcd ${m.name} exited while starting (code ${exit.code}); see ${m.logFile}`);
      if (await memberHealthy(m.endpoint, tls)) pending.delete(m);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) throw new Error(`etcd ${[...pending].map((m) => m.name).join(', ')} not healthy after ${readyTimeoutMs} ms; see ${[...pending].map((m) => m.logFile).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts each member under its own supervisor and returns once all are healthy. `requested`
 * is the --etcd-members flag; without it, the number the data was created with (else one).
 * If they do not become healthy, the supervisors (and members) are stopped before it throws.
 */
export async function startClusterEtcd(home: string, logDir: string, requested: number | undefined, out: (line: string) => void): Promise<ClusterEtcd> {
  if (requested !== undefined && !etcdMemberCounts.includes(requested)) throw new Error(`--etcd-members ${requested}: expected ${etcdMemberCounts.join(' or ')}`);
  const dir = path.join(home, 'etcd');
  const recorded = readMembers(home);
  if (recorded && requested !== undefined && recorded.ports.length !== requested) {
    throw new Error(`${dir} holds the data of a ${recorded.ports.length}-member etcd; run \`gantry down\` before starting one with ${requested} members`);
  }
  if (!recorded && fs.existsSync(path.join(dir, 'member'))) {
    // Data of a one-member etcd from before members were numbered: starting etcd-1 beside it would silently start empty.
    throw new Error(`${dir} holds etcd data in the layout of an older gantry; run \`gantry down\` before \`gantry up\``);
  }
  if (recorded && !recorded.tls && recorded.ports.length > 1) {
    // Its members would dial each other at the plain http peer URLs recorded in their data.
    throw new Error(`${dir} holds the data of an etcd cluster whose members talk plain HTTP (an older gantry); run \`gantry down\` before \`gantry up\``);
  }
  const count = recorded?.ports.length ?? requested ?? defaultEtcdMembers;
  const ports = recorded?.ports ?? (await newMemberPorts(count));
  if (!recorded) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written before they run: even a cluster that fails to start leaves the ports its data will want.
    fs.writeFileSync(membersFile(home), JSON.stringify({ ports, tls: true } satisfies MembersFile, null, 2) + '\n', { mode: 0o600 });
  }
  const pki = ensureEtcdPki(path.join(home, 'pki'));
  out(count === 1 ? 'starting etcd' : `starting etcd (${count} members)`);
  const members = etcdMemberCommands({ dir, ports, tls: pki.server }).map((m) => {
    fs.mkdirSync(m.dataDir, { recursive: true, mode: 0o700 });
    const logFile = path.join(logDir, `${m.name}.log`);
    // A status file left by a previous run's supervisor would read as this run's exit.
    fs.rmSync(supervisorStatusFile(logFile), { force: true });
    const supervisor = startSupervised(m.name, logFile, { command: m.command, args: m.args }, [], { maxBackoffMs: etcdMaxBackoffMs });
    return { ...m, logFile, supervisor };
  });
  try {
    // Together: a new member waits for a quorum of its peers before it answers.
    await waitMembersHealthy(members, pki.apiServerClient);
  } catch (e) {
    for (const m of [...members].reverse()) await stopPid(m.supervisor.pid, m.supervisor.marker, 30_000);
    throw e;
  }
  return {
    endpoints: members.map((m) => m.endpoint),
    processes: members.map((m) => m.supervisor),
    apiServerClient: pki.apiServerClient,
  };
}
