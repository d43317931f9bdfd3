// What this benchmark reads of $GANTRY_HOME/state.json (written by `gantry up`,
// cli/cluster/state.ts): the hosts' namespaces, veths, roots and cgroup roots, and the PIDs
// of the processes `up` started. A wire shape of our own: bench/ imports no component.

import fs from 'node:fs';
import path from 'node:path';

export interface HostState {
  name: string;
  root: string;
  cgroupRoot: string;
  address: string;
  netns?: string;
  veth?: string;
}

export interface ProcessState {
  name: string;
  /** The component itself (etcd, apiserver, registry) or the `gantry supervise` wrapping it. */
  pid: number;
  marker: string;
}

export interface GantryState {
  nodes: HostState[];
  processes: ProcessState[];
  hostNetwork?: { bridge: string; cidr: string; gateway: string };
}

export function readGantryState(home: string): GantryState {
  const s = JSON.parse(fs.readFileSync(path.join(home, 'state.json'), 'utf8')) as GantryState;
  if (!Array.isArray(s.nodes) || !Array.isArray(s.processes)) throw new Error(`${home}/state.json: no nodes or processes`);
  return s;
}

export function processNamed(s: GantryState, name: string): ProcessState {
  const p = s.processes.find((x) => x.name === name);
  if (!p) throw new Error(`state.json names no process ${name} (it has: ${s.processes.map((x) => x.name).join(', ')})`);
  return p;
}

export function hostNamed(s: GantryState, name: string): HostState & { netns: string; veth: string } {
  const h = s.nodes.find((x) => x.name === name);
  if (!h?.netns || !h.veth) throw new Error(`state.json has no host ${name} with a network namespace`);
  return { ...h, netns: h.netns, veth: h.veth };
}
