// `gantry status`: what `gantry up` started and how it is doing — each component with its
// PID, whether it runs, how often its supervisor restarted it; the API server's readiness and
// each node's Ready condition, asked of the API.

import fs from 'node:fs';
import path from 'node:path';
import { RestClient } from '../../common/client/restClient.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { pidRuns } from '../../common/proc/pids.js';
import { readState, type ClusterProcess, type ClusterState } from './state.js';
import { supervisorStatusFile, type SupervisorStatus } from './supervise.js';

export interface ComponentStatus {
  name: string;
  /** The component's own PID (for supervised ones, the child of the supervisor), when known. */
  pid?: number;
  supervisorPid?: number;
  running: boolean;
  restarts?: number;
  since?: string;
}

/** Supervised processes record their log file as the marker; their status file sits beside it. */
function supervisorStatus(p: ClusterProcess): SupervisorStatus | undefined {
  try {
    return JSON.parse(fs.readFileSync(supervisorStatusFile(p.marker), 'utf8')) as SupervisorStatus;
  } catch {
    return undefined;
  }
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
    const sup = supervisorStatus(p);
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
  const header = ['COMPONENT', 'PID', 'RUNNING', 'RESTARTS', 'SUPERVISOR', 'SINCE'];
  const cells = rows.map((r) => [r.name, r.pid !== undefined ? String(r.pid) : '-', r.running ? 'yes' : 'NO', r.restarts !== undefined ? String(r.restarts) : '-', r.supervisorPid !== undefined ? String(r.supervisorPid) : '-', r.since ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [header, ...cells].map((c) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Prints the status; resolves false when something is not running or not ready. */
export async function status(home: string, out: (line: string) => void): Promise<boolean> {
  const state = readState(home);
  if (!state) {
    out(`no cluster recorded in ${home}`);
    return false;
  }
  const rows = componentStatuses(state);
  for (const line of formatComponents(rows)) out(line);
  let healthy = rows.every((r) => r.running);
  let client: RestClient | undefined;
  try {
    client = new RestClient(readKubeconfig(path.join(home, 'kubeconfig')));
    const ready = await client.get<unknown>('/readyz', { timeoutMs: 3_000 }).then((r) => r.status === 200, () => false);
    out(`API server ${state.apiServer}: ${ready ? 'ready' : 'NOT ready'}`);
    healthy &&= ready;
    if (ready) {
      const nodes = await client.get<NodeList>('/api/v1/nodes', { timeoutMs: 5_000 });
      for (const n of nodes.status === 200 ? nodes.body.items : []) {
        const isReady = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        out(`node ${n.metadata.name}: ${isReady ? 'Ready' : 'NotReady'}`);
        healthy &&= isReady;
      }
    }
  } catch (e) {
    out(`API server ${state.apiServer}: unreachable (${(e as Error).message})`);
    healthy = false;
  } finally {
    client?.close();
  }
  return healthy;
}
