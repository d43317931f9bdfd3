// A host of `gantry up` dying the way a machine does: its agent, its containers and their
// conmon monitors all SIGKILLed at once (nothing gets to clean up or say goodbye), and its
// link cut. Then brought back as a rebooted machine would come back: link up, the agent's
// unit started again with the command line it had.

import fs from 'node:fs';
import { cgroupDirs, mountsUnder, processesMentioning } from '../proc/leftovers.js';
import { runChecked } from '../proc/run.js';
import { launchOf, pidsInCgroups, relaunch, sigkill, supervisedChild, type ProcessLaunch } from './procs.js';
import { recordRestartedPid, recordedProcess, type RecordedNode, type RecordedState } from './gantryState.js';

export interface KilledHost {
  node: RecordedNode;
  /** How its `gantry supervise` (and so its agent) was started: to start it again. */
  supervisor: ProcessLaunch;
  /** Its log file (the supervisor's --log), where the restarted one writes too. */
  logFile: string;
  /** What was killed, for the test's report. */
  killed: { supervisor: number; agent: number; byCommandLine: string[]; inCgroups: number };
  /** Mount points under its root when it died (its pods' rootfs, shm, netns). */
  mounts: string[];
  /** When the kill was done (ms since the epoch). */
  at: number;
}

function argAfter(argv: string[], flag: string): string {
  const i = argv.indexOf(flag);
  if (i < 0 || i + 1 >= argv.length) throw new Error(`no ${flag} in ${argv.join(' ')}`);
  return argv[i + 1]!;
}

/**
 * SIGKILLs everything host `node` runs and takes its veth down. Its containers' processes are
 * killed by cgroup (repeatedly, until the trees are empty: a dying shell may still fork), its
 * conmons by command line (they name the node's root; they run outside the pods' cgroups).
 */
export async function killHost(state: RecordedState, node: RecordedNode): Promise<KilledHost> {
  const unit = recordedProcess(state, `nodeagent-${node.name}`);
  const supervisor = launchOf(unit.pid);
  if (!supervisor.argv.join(' ').includes(unit.marker)) throw new Error(`pid ${unit.pid} is not the supervisor of ${node.name}: ${supervisor.argv.join(' ')}`);
  const agent = supervisedChild(unit.pid);
  const mounts = mountsUnder(node.root);
  // The supervisor first, so nothing starts the agent again.
  sigkill(unit.pid);
  sigkill(agent);
  const at = Date.now();
  // conmon and anything else (a runc mid-exec) naming the node's root; the agent's own were killed above.
  const byCommandLine: string[] = [];
  for (const p of processesMentioning(node.root)) if (sigkill(p.pid)) byCommandLine.push(p.cmdline.split(' ')[0]!.split('/').pop()!);
  const tops = cgroupDirs(node.cgroupRoot);
  let inCgroups = 0;
  for (let round = 0; round < 50; round++) {
    const pids = pidsInCgroups(tops);
    if (pids.length === 0) break;
    for (const pid of pids) if (sigkill(pid)) inCgroups++;
    await new Promise((r) => setTimeout(r, 20));
  }
  const left = pidsInCgroups(tops);
  if (left.length) throw new Error(`processes still in ${node.name}'s cgroups after SIGKILL: ${left.join(', ')}`);
  await runChecked('ip', ['link', 'set', 'dev', node.veth, 'down']);
  return { node, supervisor, logFile: argAfter(supervisor.argv, '--log'), killed: { supervisor: unit.pid, agent, byCommandLine, inCgroups }, mounts, at };
}

/** Link up, the agent's supervisor started again (and recorded, so `gantry down` stops it). Returns its PID. */
export async function bringBack(home: string, host: KilledHost): Promise<number> {
  await runChecked('ip', ['link', 'set', 'dev', host.node.veth, 'up']);
  fs.appendFileSync(host.logFile, `${new Date().toISOString()} e2e: starting the agent's supervisor again after a simulated host failure\n`);
  const pid = relaunch(host.supervisor, host.logFile);
  recordRestartedPid(home, `nodeagent-${host.node.name}`, pid);
  return pid;
}
