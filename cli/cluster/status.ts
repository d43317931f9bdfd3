// `gantry status`: what `gantry up` started and how it is doing — each component with its
// PID, whether it runs, how often its supervisor restarted it and, where it can be asked, its
// health (each etcd member's /health with the API server's client certificate, the API
// server's /readyz); each node's Ready condition, asked of the API. Every question is bounded
// by a timeout, so a hung member makes the answer slower by seconds, never hangs it.

import path from 'node:path';
import { RestClient } from '../../common/client/restClient.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { memberHealthy } from '../../common/proc/etcdProcess.js';
import { pidRuns } from '../../common/proc/pids.js';
import { etcdClientTlsOf, isEtcdProcess } from './etcd.js';
import { readState, type ClusterState } from './state.js';
import { readSupervisorStatus } from './supervise.js';

export interface ComponentStatus {
  name: string;
  /** The component's own PID (for supervised ones, the child of the supervisor), when known. */
  pid?: number;
  supervisorPid?: number;
  running: boolean;
  restarts?: number;
  since?: string;
  /** What the component itself answered when asked (etcd members, the API server); absent when it cannot be asked. */
  health?: string;
}

/** How long `gantry status` waits for one health answer. */
const healthTimeoutMs = 2_000;

/** The client URL of a recorded etcd process: member etcd-N is the Nth of state.etcd (plain `etcd`: the only one). */
export function etcdEndpointOf(state: Pick<ClusterState, 'etcd'>, name: string): string | undefined {
  const endpoints = state.etcd.split(',').filter(Boolean);
  const n = name === 'etcd' ? 1 : Number(/^etcd-(\d+)$/.exec(name)?.[1] ?? NaN);
  return endpoints[n - 1];
}

/** Each etcd member's /health, asked in parallel: `healthy`, or `UNHEALTHY` (no leader, no quorum, no answer in time). */
export async function etcdHealth(home: string, state: ClusterState): Promise<Map<string, string>> {
  const tls = etcdClientTlsOf(home);
  const members = state.processes.filter((p) => isEtcdProcess(p.name));
  const answers = await Promise.all(
    members.map(async (p) => {
      const endpoint = etcdEndpointOf(state, p.name);
      // Certificates that cannot be read make the request throw: no answer.
      const ok = endpoint ? await memberHealthy(endpoint, tls, healthTimeoutMs).catch(() => false) : false;
      return [p.name, ok ? 'healthy' : 'UNHEALTHY'] as const;
    }),
  );
  return new Map(answers);
}


function childRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function componentStatuses(state: ClusterState): ComponentStatus[] {
  return state.processes.map((p) => {
    // Supervised processes record their log file as the marker; their status file sits beside it.
    const sup = readSupervisorStatus(p.marker);
    const supervisorRuns = pidRuns(p.pid, p.marker);
    if (!sup || sup.supervisorPid !== p.pid) return { name: p.name, pid: p.pid, running: supervisorRuns };
    return {
      name: p.name,
      ...(sup.pid !== undefined ? { pid: sup.pid } : {}),
      supervisorPid: p.pid,
      running: supervisorRuns && sup.pid !== undefined && childRuns(sup.pid),
      restarts: sup.restarts,
      since: sup.startedAt,
    };
  });
}

interface NodeList {
  items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
}

export function formatComponents(rows: ComponentStatus[]): string[] {
  // HEALTH after SUPERVISOR: the columns scripts already read keep their places.
  const header = ['COMPONENT', 'PID', 'RUNNING', 'RESTARTS', 'SUPERVISOR', 'HEALTH', 'SINCE'];
  const cells = rows.map((r) => [
    r.name,
    r.pid !== undefined ? String(r.pid) : '-',
    r.running ? 'yes' : 'NO',
    r.restarts !== undefined ? String(r.restarts) : '-',
    r.supervisorPid !== undefined ? String(r.supervisorPid) : '-',
    r.health ?? '-',
    r.since ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells].map((c) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** The API server's /readyz: true only on 200, within the timeout. */
async function apiReady(client: RestClient): Promise<boolean> {
  return client.get<unknown>('/readyz', { timeoutMs: healthTimeoutMs }).then(
    (r) => r.status === 200,
    () => false,
  );
}

/** Prints the status; resolves false when something is not running, not healthy or not ready. */
export async function status(home: string, out: (line: string) => void): Promise<boolean> {
  const state = readState(home);
  if (!state) {
    out(`no cluster recorded in ${home}`);
    return false;
  }
  let client: RestClient | undefined;
  let unreachable: string | undefined;
  try {
    client = new RestClient(readKubeconfig(path.join(home, 'kubeconfig')));
  } catch (e) {
    unreachable = (e as Error).message;
  }
  try {
    // Asked together: each answer is bounded by the same short timeout.
    const [etcd, ready] = await Promise.all([etcdHealth(home, state), client ? apiReady(client) : Promise.resolve(false)]);
    const rows = componentStatuses(state).map((r) => {
      const health = isEtcdProcess(r.name) ? etcd.get(r.name) : r.name === 'apiserver' && client ? (ready ? 'ready' : 'NOT ready') : undefined;
      return health ? { ...r, health } : r;
    });
    for (const line of formatComponents(rows)) out(line);
    let healthy = rows.every((r) => r.running) && [...etcd.values()].every((h) => h === 'healthy');
    if (!client) {
      out(`API server ${state.apiServer}: unreachable (${unreachable})`);
      return false;
    }
    out(`API server ${state.apiServer}: ${ready ? 'ready' : 'NOT ready'}`);
    healthy &&= ready;
    if (ready) {
      const nodes = await client.get<NodeList>('/api/v1/nodes', { timeoutMs: 5_000 }).catch(() => undefined);
      if (nodes?.status !== 200) {
        out('nodes: the API did not list them');
        healthy = false;
      }
      for (const n of nodes?.status === 200 ? nodes.body.items : []) {
        const isReady = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        out(`node ${n.metadata.name}: ${isReady ? 'Ready' : 'NotReady'}`);
        healthy &&= isReady;
      }
    }
    return healthy;
  } finally {
    client?.close();
  }
}
