// `gantry down`: stops what `up` started (by recorded PID), has the node agent's teardown
// remove what the agent ran (containers, mounts, netns, cgroups, the bridge, NAT rules),
// then removes $GANTRY_HOME. Every step runs even when an earlier one failed; failures are
// reported together at the end, and $GANTRY_HOME stays when the teardown failed or
// something is still mounted in it (removing it would delete through the mount), so
// `down` can be run again.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { componentCommand } from '../../common/proc/components.js';
import { cgroupDirs, linkExists, mountsUnder } from '../../common/proc/leftovers.js';
import { pidRuns, stopPid } from '../../common/proc/pids.js';
import { hostCommands } from '../../common/proc/hostCommands.js';
import { removeHostNamespace } from './hosts/hostNamespace.js';
import { removeHostNetwork } from './hosts/hostNetwork.js';
import { isEtcdProcess } from './etcd.js';
import { inHost, teardownArgs } from './node.js';
import { readState, statePath, type ClusterProcess, type NodeState } from './state.js';

/** Stopped after the node's teardown: the store (every member) and the image source serve nobody by then. */
const lastToStop = (name: string): boolean => isEtcdProcess(name) || name === 'registry';

/** Supervisors give their component this long to exit, so allow them more than that. */
const supervisedGraceMs = 30_000;

function graceFor(p: ClusterProcess): number {
  return isEtcdProcess(p.name) || p.name === 'registry' || p.name === 'apiserver' ? 10_000 : supervisedGraceMs;
}

/** Runs the agent's teardown; its output goes to `out`. Resolves to an error message or undefined. */
async function runTeardown(node: NodeState, logFile: string, out: (line: string) => void): Promise<string | undefined> {
  let cmd: { command: string; args: string[] };
  try {
    // Inside the host's namespace: the pods' bridge, overlay and rules live there.
    cmd = inHost(node, componentCommand('nodeagent/teardown'));
  } catch (e) {
    return `cannot run the node teardown: ${(e as Error).message}`;
  }
  return new Promise((resolve) => {
    const child = spawn(cmd.command, [...cmd.args, ...teardownArgs(node)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (d: Buffer): void => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve(`cannot run the node teardown: ${e.message}`);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      for (const line of output.split('\n')) if (line.trim()) out(`  teardown: ${line}`);
      try {
        fs.mkdirSync(path.dirname(logFile), { recursive: true });
        fs.appendFileSync(logFile, output);
      } catch {
        // the log is a convenience
      }
      resolve(code === 0 ? undefined : `the node teardown failed (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
  });
}

export async function down(home: string, out: (line: string) => void): Promise<void> {
  const state = readState(home);
  if (!state) {
    out(`no cluster recorded in ${home}`);
    return;
  }
  const problems: string[] = [];
  const stop = async (p: ClusterProcess): Promise<void> => {
    out(`stopping ${p.name} (pid ${p.pid})`);
    await stopPid(p.pid, p.marker, graceFor(p));
    if (pidRuns(p.pid, p.marker)) problems.push(`${p.name} (pid ${p.pid}) is still running`);
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
