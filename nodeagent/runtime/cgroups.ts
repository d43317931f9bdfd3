// Reading and removing the cgroups runc creates for pods and containers, on cgroup v1
// (one hierarchy per controller) and v2 (one unified hierarchy). runc applies the limits
// from the OCI spec; we read usage for stats, and remove what runc leaves: the pod-level
// parents, and a container's own directory when runc could not.

import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

export type CgroupVersion = 1 | 2;

export function detectCgroupVersion(mountRoot = '/sys/fs/cgroup'): CgroupVersion {
  // A pure v2 host has cgroup.controllers at the root; a hybrid one keeps v2 under unified/, with no controllers.
  return existsSync(path.join(mountRoot, 'cgroup.controllers')) ? 2 : 1;
}

export interface CgroupUsage {
  cpuNanos: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
  pids: number | undefined;
}

async function readNumber(file: string): Promise<number | undefined> {
  try {
    const v = (await fs.readFile(file, 'utf8')).trim();
    if (v === 'max') return Number.POSITIVE_INFINITY;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

async function readKeyed(file: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
      const [k, v] = line.split(' ');
      if (k && v !== undefined) out.set(k, Number(v));
    }
  } catch {
    // missing controller: empty
  }
  return out;
}

function checkRelative(cgPath: string): string {
  const rel = cgPath.replace(/^\/+/, '');
  if (!rel || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) throw new Error(`invalid cgroup path ${JSON.stringify(cgPath)}`);
  return rel;
}

export class Cgroups {
  constructor(
    readonly version: CgroupVersion = detectCgroupVersion(),
    readonly mountRoot = '/sys/fs/cgroup',
  ) {}

  /** The directory of `cgPath` (absolute within the hierarchy, e.g. /gantry/pod1/abc) for a controller. */
  dir(controller: string, cgPath: string): string {
    const rel = checkRelative(cgPath);
    return this.version === 2 ? path.join(this.mountRoot, rel) : path.join(this.mountRoot, controller, rel);
  }

  async usage(cgPath: string): Promise<CgroupUsage> {
    if (this.version === 2) {
      const dir = this.dir('', cgPath);
      const cpu = await readKeyed(path.join(dir, 'cpu.stat'));
      const mem = await readNumber(path.join(dir, 'memory.current'));
      const stat = await readKeyed(path.join(dir, 'memory.stat'));
      const usage = mem ?? 0;
      return {
        cpuNanos: (cpu.get('usage_usec') ?? 0) * 1000,
        memoryUsageBytes: usage,
        memoryWorkingSetBytes: Math.max(0, usage - (stat.get('inactive_file') ?? 0)),
        pids: await readNumber(path.join(dir, 'pids.current')),
      };
    }
    const cpu = await readNumber(path.join(this.dir('cpuacct', cgPath), 'cpuacct.usage'));
    const usage = (await readNumber(path.join(this.dir('memory', cgPath), 'memory.usage_in_bytes'))) ?? 0;
    const stat = await readKeyed(path.join(this.dir('memory', cgPath), 'memory.stat'));
    return {
      cpuNanos: cpu ?? 0,
      memoryUsageBytes: usage,
      memoryWorkingSetBytes: Math.max(0, usage - (stat.get('total_inactive_file') ?? 0)),
      pids: await readNumber(path.join(this.dir('pids', cgPath), 'pids.current')),
    };
  }

  /** OOM kills counted by the memory controller of `cgPath` (0 when unknown). */
  async oomKills(cgPath: string): Promise<number> {
    const file = this.version === 2 ? path.join(this.dir('', cgPath), 'memory.events') : path.join(this.dir('memory', cgPath), 'memory.oom_control');
    return (await readKeyed(file)).get('oom_kill') ?? 0;
  }

  /** Every hierarchy root to look in: the unified root, or one per v1 controller mount. */
  private async roots(): Promise<string[]> {
    if (this.version === 2) return [this.mountRoot];
    const entries = await fs.readdir(this.mountRoot, { withFileTypes: true }).catch(() => []);
    // Comounted controllers (cpu,cpuacct) appear as one directory and symlinks to it.
    const dirs = entries.filter((e) => e.isDirectory()).map((e) => path.join(this.mountRoot, e.name));
    return dirs;
  }

  /** Removes `cgPath` and everything below it in every hierarchy; directories still holding processes stay. */
  async remove(cgPath: string): Promise<string[]> {
    const rel = checkRelative(cgPath);
    const left: string[] = [];
    for (const root of await this.roots()) {
      const top = path.join(root, rel);
      if (!existsSync(top)) continue;
      for (const dir of (await subdirs(top)).reverse()) {
        try {
          await fs.rmdir(dir);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') left.push(dir);
        }
      }
    }
    return left;
  }

  /** cgroup paths (relative to `parent`) below `parent`, as seen in the memory (or unified) hierarchy. */
  async descendants(parent: string): Promise<string[]> {
    const rel = checkRelative(parent);
    const top = this.version === 2 ? path.join(this.mountRoot, rel) : path.join(this.mountRoot, 'memory', rel);
    if (!existsSync(top)) return [];
    return (await subdirs(top)).slice(1).map((d) => path.relative(top, d));
  }
}

/** `top` and every directory below it, parents before children. */
async function subdirs(top: string): Promise<string[]> {
  const out = [top];
  for (let i = 0; i < out.length; i++) {
    const entries = await fs.readdir(out[i]!, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) out.push(path.join(out[i]!, e.name));
  }
  return out;
}
