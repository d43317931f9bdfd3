// The node a `gantry join` made on this machine: its agent started detached under
// `gantry supervise` (as systemd runs the kubelet), a state file beside its credentials,
// and `gantry leave`, which stops the agent by PID, runs the agent's teardown and deletes the
// Node with the node's own credentials.

import fs from 'node:fs';
import path from 'node:path';
import { RestClient } from '../../common/client/restClient.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { componentCommand } from '../../common/proc/components.js';
import { mountsUnder } from '../../common/proc/leftovers.js';
import { isAlive, pidRuns, stopPid } from '../../common/proc/pids.js';
import { agentArgs, writeRegistriesFile, type ClusterNetworkFlags } from '../cluster/node.js';
import { startSupervised } from '../cluster/supervise.js';
import { runTeardown } from '../cluster/teardown.js';
import type { NodeState } from '../cluster/state.js';
import type { JoinedNode } from './join.js';

export interface JoinState {
  version: 1;
  server: string;
  node: NodeState;
  /** What the agent was started with, so a rejoin (after a reboot) starts it the same way. */
  settings?: AgentSettings;
  kubeconfig: string;
  /** The supervisor's PID and a string of its command line, checked before signalling. */
  pid: number;
  marker: string;
  log: string;
  /** The log's size when this agent started: what follows is this run's. */
  logOffset?: number;
  /**
   * The network namespace `gantry join` ran in (`net:[inode]`): the agent's bridge, overlay
   * and rules live there, so `gantry leave` refuses to tear down anywhere else.
   */
  netns?: string;
}

/** This process's network namespace, as /proc names it. */
export function currentNetns(): string {
  return fs.readlinkSync('/proc/self/ns/net');
}

/**
 * conmon's attach socket lives at <root>/runtime/s/<32 hex>/attach and a Unix socket path
 * has 108 bytes: the agent refuses a longer root at start (nodeagent/runtime/config.ts),
 * so check before asking the cluster for credentials.
 */
export function checkAgentRoot(root: string): void {
  if (path.join(root, 'runtime', 's', 'x'.repeat(32), 'attach').length > 107) {
    throw new Error(`the node's directory ${root} is too long for the container runtime's socket paths (at most ${107 - path.join('/runtime/s', 'x'.repeat(32), 'attach').length} characters); choose a shorter --home or --node-name`);
  }
}

/** Whether the agent's supervisor recorded in `state` still runs. */
export function agentRunning(state: JoinState): boolean {
  return isAlive(state.pid) && pidRuns(state.pid, state.marker);
}

export const joinStateFile = (dir: string): string => path.join(dir, 'join-state.json');

export function readJoinState(dir: string): JoinState | undefined {
  try {
    return JSON.parse(fs.readFileSync(joinStateFile(dir), 'utf8')) as JoinState;
  } catch {
    return undefined;
  }
}

export interface AgentSettings {
  /** The cluster registry the agent pulls docker.io images through. */
  registryUrl: string;
  port: number;
  /** How pods reach other nodes' pods; 'none': only this node's bridge. */
  podNetwork: 'vxlan' | 'host-gw' | 'none';
  net: ClusterNetworkFlags;
}

export interface StartAgentOptions extends AgentSettings {
  joined: JoinedNode;
  address: string;
}

/** Starts the node agent under `gantry supervise`, detached; records it in the node's directory. */
export function startJoinedAgent(o: StartAgentOptions): JoinState {
  const dir = o.joined.dir;
  const node: NodeState = {
    name: o.joined.nodeName,
    root: path.join(dir, 'root'),
    bridge: 'gantry0',
    podSubnet: '',
    cgroupRoot: `gantry-${o.joined.nodeName}`,
    port: o.port,
    address: o.address,
    ...(o.podNetwork !== 'none' ? { podNetwork: o.podNetwork } : {}),
  };
  fs.mkdirSync(node.root, { recursive: true, mode: 0o700 });
  const registriesFile = writeRegistriesFile(dir, o.registryUrl);
  const args = agentArgs(node, { dir, kubeconfig: o.joined.kubeconfig, serving: o.joined.serving, registriesFile }, o.joined.caFile, o.net);
  const log = path.join(dir, 'nodeagent.log');
  const logOffset = fs.existsSync(log) ? fs.statSync(log).size : 0;
  const supervised = startSupervised('nodeagent', log, componentCommand('nodeagent/main'), args);
  const settings: AgentSettings = { registryUrl: o.registryUrl, port: o.port, podNetwork: o.podNetwork, net: o.net };
  const state: JoinState = { version: 1, server: o.joined.server, node, settings, kubeconfig: o.joined.kubeconfig, pid: supervised.pid, marker: supervised.marker, log, logOffset, netns: currentNetns() };
  fs.writeFileSync(joinStateFile(dir), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  return state;
}

/** The supervisor's note that this run's agent exited, with the lines before it, or undefined. */
export function agentExit(state: JoinState): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(state.log).subarray(state.logOffset ?? 0).toString('utf8');
  } catch {
    return undefined;
  }
  const at = text.search(/supervisor: component exited with code/);
  if (at < 0) return undefined;
  const lines = text.slice(0, text.indexOf('\n', at) + 1 || undefined).trimEnd().split('\n');
  return lines.slice(-15).join('\n');
}

/** Stops the agent's supervisor (and so the agent) by its recorded PID. */
export async function stopJoinedAgent(state: JoinState): Promise<void> {
  await stopPid(state.pid, state.marker, 30_000);
}

/** `gantry leave`: every step runs even when one fails; problems are reported together. */
export async function leaveCluster(dir: string, out: (line: string) => void): Promise<void> {
  const state = readJoinState(dir);
  if (!state) throw new Error(`no joined node in ${dir} (no ${path.basename(joinStateFile(dir))})`);
  // The teardown removes the bridge, overlay and rules of the namespace it runs in: in the
  // wrong one it would remove someone else's (or find nothing and leave ours behind).
  if (state.netns && state.netns !== currentNetns()) {
    throw new Error(`node ${state.node.name} joined from network namespace ${state.netns}, but this is ${currentNetns()}: run \`gantry leave\` where \`gantry join\` ran`);
  }
  const problems: string[] = [];
  if (agentRunning(state)) {
    out(`stopping the node agent (pid ${state.pid})`);
    await stopPid(state.pid, state.marker, 30_000).catch((e: unknown) => problems.push(`stopping the agent: ${(e as Error).message}`));
    if (agentRunning(state)) problems.push(`the node agent (pid ${state.pid}) is still running`);
  }
  out('removing what the agent set up');
  const t = await runTeardown(state.node, path.join(dir, 'teardown.log'), out);
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
  // Removing the directory through a mount the teardown missed would delete what is mounted.
  const mounts = mountsUnder(dir);
  if (mounts.length) problems.push(`still mounted under ${dir}: ${mounts.join(', ')}`);
  if (problems.length) throw new Error(`leave did not finish:\n  ${problems.join('\n  ')}\n(${dir} was kept; run \`gantry leave\` again)`);
  fs.rmSync(dir, { recursive: true, force: true });
  out(`node ${state.node.name} left the cluster`);
}
