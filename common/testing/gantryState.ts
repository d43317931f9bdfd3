// What `gantry up` records in $GANTRY_HOME/state.json (cli/cluster/state.ts), as e2e tests and
// benches read it: the file rather than the CLI's code, since it is the record an operator has
// too.

import fs from 'node:fs';
import path from 'node:path';

export interface RecordedNode {
  name: string;
  /** The agent's --root, under $GANTRY_HOME/nodes/<name>. */
  root: string;
  cgroupRoot: string;
  address: string;
  netns: string;
  veth: string;
}

export interface RecordedProcess {
  name: string;
  pid: number;
  /** A string of its command line, checked before signalling it. */
  marker: string;
}

export interface RecordedState {
  hostNetwork: { bridge: string; cidr: string; gateway: string };
  nodes: RecordedNode[];
  processes: RecordedProcess[];
}

export function readRecordedState(home: string): RecordedState {
  return JSON.parse(fs.readFileSync(path.join(home, 'state.json'), 'utf8')) as RecordedState;
}

export function recordedProcess(state: RecordedState, name: string): RecordedProcess {
  const p = state.processes.find((x) => x.name === name);
  if (!p) throw new Error(`state.json records no process ${name} (has ${state.processes.map((x) => x.name).join(', ')})`);
  return p;
}

export function recordedNode(state: RecordedState, name: string): RecordedNode {
  const n = state.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`state.json records no host ${name} (has ${state.nodes.map((x) => x.name).join(', ')})`);
  return n;
}

/**
 * Records the PID of a process the test started again by hand (as an operator restarts a
 * unit): `gantry down` stops the processes state.json lists, and only those. Only the PID
 * changes; the file's other fields stay as `up` wrote them.
 */
export function recordRestartedPid(home: string, name: string, pid: number): void {
  const file = path.join(home, 'state.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { processes: RecordedProcess[] };
  const entry = raw.processes.find((p) => p.name === name);
  if (!entry) throw new Error(`state.json records no process ${name}`);
  entry.pid = pid;
  fs.writeFileSync(file, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
}
