// A host dies, as the e2e suite makes one die: its link to the host network is cut (the veth
// end on the bridge goes down), its node agent is killed (the supervisor first, or it would
// start the agent again), and so is everything it ran: the containers (every process in the
// host's cgroups) and their conmon monitors (processes naming the host's state directory).
// Nothing is cleaned up: `gantry down` removes the remains like any other host's.

import { cgroupDirs, processesMentioning } from '../../common/proc/leftovers.js';
import fs from 'node:fs';
import path from 'node:path';
import { runChecked } from '../../common/proc/run.js';
import type { HostState } from './clusterState.js';
import { processTree } from './procTree.js';

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Every PID in `dir` and the cgroups below it. */
function cgroupPids(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string): void => {
    try {
      for (const p of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) out.push(Number(p));
      for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(dir);
  return out;
}

export interface KillReport {
  agentPids: number[];
  /** Container and conmon processes killed (all rounds). */
  killed: number;
}

/** Cuts the host's link and kills its agent, containers and monitors. */
export async function killHost(host: HostState & { veth: string }, supervisorPid: number): Promise<KillReport> {
  await runChecked('ip', ['link', 'set', 'dev', host.veth, 'down']);
  const agentPids = processTree(supervisorPid);
  for (const p of agentPids) kill(p);
  let killed = 0;
  // A forking server may start a child between reading the list and the kill: a few rounds.
  for (let round = 0; round < 10; round++) {
    const pids = new Set<number>([...cgroupDirs(host.cgroupRoot).flatMap(cgroupPids), ...processesMentioning(`${host.root}/`).map((p) => p.pid)]);
    pids.delete(process.pid);
    if (!pids.size) break;
    for (const p of pids) kill(p);
    killed += pids.size;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { agentPids, killed };
}
