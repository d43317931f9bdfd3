// `gantry up`'s etcd: one member or three on loopback, each with its own client and peer
// port and its data in $GANTRY_HOME/etcd/<member>. The ports are recorded beside the data
// (etcd/members.json): members know each other by the peer URLs stored in their data, so a
// cluster started again on it (a restarted `up`) must listen where it did before.
// Members serve HTTPS only and accept clients and peers with a certificate of etcd's own CA
// ($GANTRY_HOME/pki/etcd/ca.crt); the API server holds the one client certificate.

import fs from 'node:fs';
import path from 'node:path';
import { freeMemberPorts, startEtcdCluster, type EtcdClientTls, type EtcdMemberPorts } from '../../common/proc/etcdProcess.js';
import { ensureEtcdPki } from './pki.js';
import type { ClusterProcess } from './state.js';

/** One member, or three that survive losing any one. */
export const etcdMemberCounts: readonly number[] = [1, 3];
export const defaultEtcdMembers = 1;

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

export interface ClusterEtcd {
  /** Every member's client URL: the API server's --etcd-endpoints. */
  endpoints: string[];
  /** One per member, in member order, for state.json. */
  processes: ClusterProcess[];
  /** The API server's --etcd-cafile, --etcd-certfile and --etcd-keyfile. */
  apiServerClient: EtcdClientTls;
}

/**
 * Starts the members detached and returns once all are healthy. `requested` is the
 * --etcd-members flag; without it, the number the data was created with (else one).
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
  const ports = recorded?.ports ?? (await freeMemberPorts(count));
  if (!recorded) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written before they run: even a cluster that fails to start leaves the ports its data will want.
    fs.writeFileSync(membersFile(home), JSON.stringify({ ports, tls: true } satisfies MembersFile, null, 2) + '\n', { mode: 0o600 });
  }
  const pki = ensureEtcdPki(path.join(home, 'pki'));
  out(count === 1 ? 'starting etcd' : `starting etcd (${count} members)`);
  const cluster = await startEtcdCluster({ dir, members: count, ports, logDir, detached: true, tls: pki.server });
  return {
    endpoints: cluster.endpoints,
    processes: cluster.members.map((m) => ({ name: m.name, pid: m.pid, marker: m.dataDir })),
    apiServerClient: pki.apiServerClient,
  };
}
