// What `gantry up` started, recorded in $GANTRY_HOME/state.json so `down` can undo it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostNetwork } from './hosts/hostNetwork.js';

export interface ClusterProcess {
  name: string;
  pid: number;
  /** A string in the process's command line, checked before signalling it. */
  marker: string;
}

/** A node `up` runs: what `down` needs to remove what its agent set up. */
export interface NodeState {
  name: string;
  /** The agent's --root: runtime state, images, pod volumes. */
  root: string;
  /** The pods' bridge (inside the host's namespace). */
  bridge: string;
  /** The pods' range when fixed by flag; '' when it comes from the Node's spec.podCIDR (node IPAM). */
  podSubnet: string;
  cgroupRoot: string;
  /** The agent's HTTPS port (logs, exec). */
  port: number;
  /** How its pods reach other hosts' pods (absent: only the node's own bridge, masqueraded). */
  podNetwork?: 'vxlan' | 'host-gw';
  /** The node's InternalIP: where the API server reaches its agent. */
  address: string;
  /** The host's network namespace and its veth on the host bridge (`gantry up` hosts). */
  netns?: string;
  veth?: string;
}

export interface ClusterState {
  version: 1;
  apiServer: string;
  etcd: string;
  /** The cluster's image registry, the node agents' docker.io mirror: `http://127.0.0.1:PORT`. */
  registry?: string;
  /** The bridge the hosts share and the control plane's address on it. */
  hostNetwork?: HostNetwork;
  nodes: NodeState[];
  /** In start order; `down` stops them in reverse, etcd and the registry last. */
  processes: ClusterProcess[];
  createdAt: string;
}

export function gantryHome(): string {
  return process.env.GANTRY_HOME ?? path.join(os.homedir(), '.gantry');
}

export function statePath(home: string): string {
  return path.join(home, 'state.json');
}

export function readState(home: string): ClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(home), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function writeState(home: string, state: ClusterState): void {
  fs.writeFileSync(statePath(home), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}
