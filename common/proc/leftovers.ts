// What a stopped cluster may have left on the host: mounts under its directory, processes
// still naming it, a network link, cgroup directories. `gantry down` checks these before
// it removes $GANTRY_HOME (deleting through a mount would delete what is mounted), and
// the e2e tests assert that nothing is left.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at or below `dir` (from /proc/self/mountinfo), deepest first. */
export function mountsUnder(dir: string, mountInfo = '/proc/self/mountinfo'): string[] {
  const root = path.resolve(dir);
  const out: string[] = [];
  for (const line of fs.readFileSync(mountInfo, 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (!mountPoint) continue;
    const p = unescapeMountField(mountPoint);
    if (p === root || p.startsWith(root + '/')) out.push(p);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** PIDs (not ours) whose command line contains `text`, e.g. a cluster's home directory. */
export function processesMentioning(text: string): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(text)) out.push({ pid, cmdline });
  }
  return out;
}

/** True when the host has a network link of that name (`ip link show NAME` succeeds). */
export function linkExists(name: string): boolean {
  return spawnSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' }).status === 0;
}

/** Cgroup directories named `name` under the root of each hierarchy (v1 and v2). */
export function cgroupDirs(name: string, mountRoot = '/sys/fs/cgroup'): string[] {
  const candidates = [path.join(mountRoot, name)];
  try {
    for (const e of fs.readdirSync(mountRoot)) candidates.push(path.join(mountRoot, e, name));
  } catch {
    return [];
  }
  return candidates.filter((d) => fs.existsSync(path.join(d, 'cgroup.procs')));
}
