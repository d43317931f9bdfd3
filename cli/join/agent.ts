// The node a `gantry join` made on this machine: its agent started detached under
// `gantry supervise` (as systemd runs the kubelet), a state file beside its credentials,
// and `gantry leave`, which stops the agent by PID, runs the agent's teardown and deletes the
// Node with the node's own credentials.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RestClient } from '../../common/client/restClient.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { componentCommand } from '../../common/proc/components.js';
import { isAlive, stopPid } from '../../common/proc/pids.js';
import { agentArgs, teardownArgs, type ClusterNetworkFlags } from '../cluster/node.js';
import { registriesConfigYaml } from '../cluster/registry.js';
import type { NodeState } from '../cluster/state.js';
import type { JoinedNode } from './join.js';

export interface JoinState {
  version: 1;
  server: string;
  node: NodeState;
  kubeconfig: string;
  /** The supervisor's PID and a string of its command line, checked before signalling. */
  pid: number;
  marker: string;
  log: string;
}

export const joinStateFile = (dir: string): string => path.join(dir, 'join-state.json');

export function readJoinState(dir: string): JoinState | undefined {
  try {
    return JSON.parse(fs.readFileSync(joinStateFile(dir), 'utf8')) as JoinState;
  } catch {
    return undefined;
  }
}

export interface StartAgentOptions {
  joined: JoinedNode;
  address: string;
  /** The cluster registry the agent pulls docker.io images through. */
  registryUrl: string;
  port: number;
  net: ClusterNetworkFlags;
}

/** Starts the node agent under `gantry supervise`, detached; records it in the node's directory. */
export function startJoinedAgent(o: StartAgentOptions): JoinState {
  const dir = o.joined.dir;
  const node: NodeState = { name: o.joined.nodeName, root: path.join(dir, 'root'), bridge: 'gantry0', podSubnet: '', cgroupRoot: `gantry-${o.joined.nodeName}`, port: o.port, address: o.address };
  fs.mkdirSync(node.root, { recursive: true, mode: 0o700 });
  const registriesFile = path.join(dir, 'registries.yaml');
  fs.writeFileSync(registriesFile, registriesConfigYaml(o.registryUrl));
  const args = agentArgs(node, { dir, kubeconfig: o.joined.kubeconfig, serving: o.joined.serving, registriesFile }, o.joined.caFile, o.net);
  const log = path.join(dir, 'nodeagent.log');
  const cli = componentCommand('cli/main');
  const agent = componentCommand('nodeagent/main');
  const child = spawn(cli.command, [...cli.args, 'supervise', '--log', log, '--', agent.command, ...agent.args, ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  const state: JoinState = { version: 1, server: o.joined.server, node, kubeconfig: o.joined.kubeconfig, pid: child.pid!, marker: log, log };
  fs.writeFileSync(joinStateFile(dir), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  return state;
}

function runTeardown(node: NodeState): Promise<string | undefined> {
  const cmd = componentCommand('nodeagent/teardown');
  return new Promise((resolve) => {
    const child = spawn(cmd.command, [...cmd.args, ...teardownArgs(node)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', (e) => resolve(`cannot run the node teardown: ${e.message}`));
    child.once('close', (code) => resolve(code === 0 ? undefined : `the node teardown failed (exit ${code}): ${output.trim()}`));
  });
}

/** `gantry leave`: every step runs even when one fails; problems are reported together. */
export async function leaveCluster(dir: string, out: (line: string) => void): Promise<void> {
  const state = readJoinState(dir);
  if (!state) throw new Error(`no joined node in ${dir} (no ${path.basename(joinStateFile(dir))})`);
  const problems: string[] = [];
  if (isAlive(state.pid)) {
    out(`stopping the node agent (pid ${state.pid})`);
    await stopPid(state.pid, state.marker, 30_000).catch((e: unknown) => problems.push(`stopping the agent: ${(e as Error).message}`));
  }
  out('removing what the agent set up');
  const t = await runTeardown(state.node);
  if (t) problems.push(t);
  out(`deleting node ${state.node.name}`);
  try {
    const client = new RestClient(readKubeconfig(state.kubeconfig));
    try {
      const res = await client.request('DELETE', `/api/v1/nodes/${state.node.name}`);
      if (res.status !== 200 && res.status !== 404) problems.push(`deleting node ${state.node.name}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    } finally {
      client.close();
    }
  } catch (e) {
    problems.push(`deleting node ${state.node.name}: ${(e as Error).message}`);
  }
  if (problems.length) throw new Error(`leave did not finish:\n  ${problems.join('\n  ')}\n(${dir} was kept; run \`gantry leave\` again)`);
  fs.rmSync(dir, { recursive: true, force: true });
  out(`node ${state.node.name} left the cluster`);
}
