// Everything of a multi-host cluster that could outlive `gantry down`, listed as findings
// (empty when nothing is left): processes, mounts, network namespaces, links, routes, cgroups
// and netfilter rules, for every host.

import fs from 'node:fs';
import { cgroupDirs, linkExists, mountsUnder, processesMentioning } from '../../common/proc/leftovers.js';
import { pidRuns } from '../../common/proc/pids.js';
import { run } from '../../common/proc/run.js';
import type { RecordedProcess, RecordedState } from '../../common/testing/gantryState.js';

async function lines(cmd: string, args: string[]): Promise<string[]> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * What is left of the cluster: `processes` are every PID it ran (state.json's, and those the
 * test started again by hand), `dir` the test's directory holding $GANTRY_HOME.
 */
export async function clusterLeftovers(state: RecordedState, home: string, dir: string, processes: RecordedProcess[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of processes) if (pidRuns(p.pid, p.marker)) found.push(`process ${p.name} (pid ${p.pid}) still runs`);
  // The agents, conmon, containers' runc and anything else started with a path in the home.
  for (const p of processesMentioning(home)) found.push(`process ${p.pid} names the cluster home: ${p.cmdline.slice(0, 200)}`);
  for (const m of mountsUnder(dir)) found.push(`mount ${m}`);
  if (fs.existsSync(home)) found.push(`${home} still exists`);

  const net = state.hostNetwork;
  if (linkExists(net.bridge)) found.push(`bridge ${net.bridge}`);
  const netnsList = await lines('ip', ['netns', 'list']);
  for (const n of state.nodes) {
    if (fs.existsSync(`/run/netns/${n.netns}`)) found.push(`network namespace file /run/netns/${n.netns}`);
    if (netnsList.some((l) => l.split(' ')[0] === n.netns)) found.push(`ip netns lists ${n.netns}`);
    if (linkExists(n.veth)) found.push(`veth ${n.veth} of ${n.name}`);
    for (const d of cgroupDirs(n.cgroupRoot)) found.push(`cgroup ${d} of ${n.name}`);
  }
  // Routes in any table, through the bridge or to the host network.
  for (const r of await lines('ip', ['-4', 'route', 'show', 'table', 'all'])) {
    if (r.includes(` dev ${net.bridge} `) || r.endsWith(` dev ${net.bridge}`) || r.startsWith(net.cidr)) found.push(`route ${r}`);
  }
  // The machine's rules (each host's own rules went with its namespace): the FORWARD accept
  // for the bridge, and anything naming the bridge or the host network in any table.
  for (const table of ['filter', 'nat', 'mangle', 'raw']) {
    for (const rule of await lines('iptables', ['-w', '5', '-t', table, '-S'])) {
      if (rule.includes(net.bridge) || rule.includes(net.cidr)) found.push(`iptables -t ${table}: ${rule}`);
    }
  }
  return found;
}
