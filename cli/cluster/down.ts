// `gantry down`: stops what `up` started (by recorded PID), has the node agent's teardown
// remove what the agent ran (containers, mounts, netns, cgroups, the bridge, NAT rules),
// then removes $GANTRY_HOME. Every step runs even when an earlier one failed; failures are
// reported together at the end, and $GANTRY_HOME stays when the teardown failed or
// something is still mounted in it (removing it would delete through the mount), so
// `down` can be run again.

import fs from 'node:fs';
import path from 'node:path';
import { cgroupDirs, linkExists, mountsUnder } from '../../common/proc/leftovers.js';
import { pidRuns, stopPid } from '../../common/proc/pids.js';
import { hostCommands } from '../../common/proc/hostCommands.js';
import { removeHostNamespace } from './hosts/hostNamespace.js';
import { removeHostNetwork } from './hosts/hostNetwork.js';
import { isEtcdProcess } from './etcd.js';
import { joinStateFile, leaveCluster } from '../join/agent.js';
import { runTeardown } from './teardown.js';
import { readState, statePath, type ClusterProcess } from './state.js';
import { readSupervisorStatus } from './supervise.js';

/** Stopped after the node's teardown: the store (every member) and the image source serve nobody by then. */
const lastToStop = (name: string): boolean => isEtcdProcess(name) || name === 'registry';

/** Supervisors give their component this long to exit, so allow them more than that. */
const supervisedGraceMs = 30_000;

/** etcd members are supervised too: killing a supervisor early would leave its member running. */
function graceFor(p: ClusterProcess): number {
  return p.name === 'registry' ? 10_000 : supervisedGraceMs;
}

/**
 * The component a supervisor ran, when it outlived it (the supervisor was killed, or did not
 * stop it in time): the last PID its status file names, if that process still names the
 * cluster home in its command line (every component's flags do; a reused PID would not).
 */
function orphanOf(p: ClusterProcess, home: string): number | undefined {
  const sup = readSupervisorStatus(p.marker);
  if (sup?.supervisorPid !== p.pid || sup.pid === undefined) return undefined;
  return pidRuns(sup.pid, home) ? sup.pid : undefined;
}

/**
 * After its supervisor is gone: stops the component it left running, if any (an etcd member
 * would keep its ports and data). Resolves to a problem when it still runs.
 */
export async function stopOrphan(p: ClusterProcess, home: string, out: (line: string) => void, graceMs = supervisedGraceMs): Promise<string | undefined> {
  const orphan = orphanOf(p, home);
  if (orphan === undefined) return undefined;
  out(`stopping ${p.name}'s component (pid ${orphan}), left running by its supervisor`);
  await stopPid(orphan, home, graceMs);
  return pidRuns(orphan, home) ? `${p.name}'s component (pid ${orphan}) is still running` : undefined;
}

/** Node directories under $GANTRY_HOME/nodes that `gantry join` made (they hold its state file). */
function joinedNodeDirs(home: string): string[] {
  const nodes = path.join(home, 'nodes');
  if (!fs.existsSync(nodes)) return [];
  return fs
    .readdirSync(nodes)
    .map((name) => path.join(nodes, name))
    .filter((dir) => fs.existsSync(joinStateFile(dir)));
}

export async function down(home: string, out: (line: string) => void): Promise<void> {
  const state = readState(home);
  if (!state) {
    // A machine that only joined someone else's cluster: `down` there is `gantry leave`.
    const joined = joinedNodeDirs(home);
    if (!joined.length) {
      out(`no cluster recorded in ${home}`);
      return;
    }
    for (const dir of joined) {
      out(`leaving the cluster: the node in ${dir}`);
      await leaveCluster(dir, out);
    }
    return;
  }
  const problems: string[] = [];
  const stop = async (p: ClusterProcess): Promise<void> => {
    out(`stopping ${p.name} (pid ${p.pid})`);
    await stopPid(p.pid, p.marker, graceFor(p));
    if (pidRuns(p.pid, p.marker)) problems.push(`${p.name} (pid ${p.pid}) is still running`);
    // The supervisor first, then its component if it was left running.
    const left = await stopOrphan(p, home, out, graceFor(p));
    if (left) problems.push(left);
  };
  // Reverse start order: the node agent first, so nothing restarts what teardown removes.
  const reversed = [...state.processes].reverse();
  for (const p of reversed.filter((p) => !lastToStop(p.name))) await stop(p);

  let teardownFailed = false;
  const root = hostCommands();
  for (const node of state.nodes ?? []) {
    out(`removing what node ${node.name} ran (containers, mounts, network, cgroups)`);
    const failure = await runTeardown(node, path.join(home, 'logs', `teardown-${node.name}.log`), out);
    if (failure) {
      teardownFailed = true;
      problems.push(`${node.name}: ${failure}`);
      out(`error: ${failure}; carrying on`);
    }
    // A failed teardown keeps the namespace, so the next `down` can run it there again.
    if (node.netns && node.veth && !failure) {
      const netns = node.netns;
      const veth = node.veth;
      await removeHostNamespace(root, { netns, veth }).catch((e: Error) => problems.push(`${node.name}: removing its network namespace: ${e.message}`));
    } else if (linkExists(node.bridge)) problems.push(`the bridge ${node.bridge} still exists`);
    const cgroups = cgroupDirs(node.cgroupRoot);
    if (cgroups.length) problems.push(`cgroups remain: ${cgroups.join(', ')}`);
  }
  if (state.hostNetwork) {
    out(`removing the host network (bridge ${state.hostNetwork.bridge})`);
    await removeHostNetwork(root, state.hostNetwork.bridge).catch((e: Error) => problems.push(`removing the host network: ${e.message}`));
  }

  for (const p of reversed.filter((p) => lastToStop(p.name))) await stop(p);

  const mounts = mountsUnder(home);
  if (mounts.length) problems.push(`still mounted under ${home}: ${mounts.join(', ')}`);
  if (mounts.length || teardownFailed) {
    // Keeping state.json lets `gantry down` run the teardown again.
    problems.push(`kept ${home} so \`gantry down\` can try again; remove it by hand once nothing is mounted there`);
  } else if (fs.existsSync(statePath(home))) {
    // Only a directory that holds our state file is ours to remove.
    fs.rmSync(home, { recursive: true, force: true });
    out(`removed ${home}`);
  }
  if (problems.length) throw new Error(`down did not finish cleanly:\n  - ${problems.join('\n  - ')}`);
}
