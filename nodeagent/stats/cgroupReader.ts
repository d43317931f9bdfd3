// Reads one cgroup's counters from the mounted hierarchy (v1: per-controller directories,
// v2: the unified tree). `/` is the whole host, as the kubelet reports a node; on v2 the
// root lacks memory.current (and maybe cpu.stat), so /proc fills in (hostCounters.ts).

import fs from 'node:fs/promises';
import path from 'node:path';
import { countersV1, countersV2, type CgroupCounters } from './cgroupCounters.js';
import { hostCpuNanos, hostMemory } from './hostCounters.js';
import type { CgroupVersion } from '../runtime/cgroups.js';

export interface CgroupReaderOptions {
  version: CgroupVersion;
  /** Default /sys/fs/cgroup. */
  mountRoot?: string;
  /** Default /proc (tests point both at fixture trees). */
  procRoot?: string;
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENODEV';
}

/** A path inside the hierarchy: absolute, no `.`/`..` segments. */
function relative(cgPath: string): string {
  const rel = cgPath.replace(/^\/+/, '').replace(/\/+$/, '');
  if (rel.split('/').some((p) => p === '..' || p === '.')) throw new Error(`invalid cgroup path ${JSON.stringify(cgPath)}`);
  return rel;
}

export class CgroupReader {
  readonly version: CgroupVersion;
  private readonly mountRoot: string;
  private readonly procRoot: string;

  constructor(o: CgroupReaderOptions) {
    this.version = o.version;
    this.mountRoot = o.mountRoot ?? '/sys/fs/cgroup';
    this.procRoot = o.procRoot ?? '/proc';
  }

  /** The directory of a cgroup in the hierarchy holding `controller` (ignored on v2). */
  dir(cgPath: string, controller: string): string {
    const rel = relative(cgPath);
    return this.version === 2 ? path.join(this.mountRoot, rel) : path.join(this.mountRoot, controller, rel);
  }

  /** Whether the cgroup exists (in the memory hierarchy on v1). */
  async exists(cgPath: string): Promise<boolean> {
    return fs.stat(this.dir(cgPath, 'memory')).then(
      (s) => s.isDirectory(),
      () => false,
    );
  }

  /** The counters of `cgPath`; undefined when the cgroup is gone (a container that just ended). */
  async read(cgPath: string): Promise<CgroupCounters | undefined> {
    try {
      return this.version === 2 ? await this.readV2(cgPath) : await this.readV1(cgPath);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  private async readV1(cgPath: string): Promise<CgroupCounters> {
    const [cpuacctUsage, memoryUsage, memoryStat] = await Promise.all([
      fs.readFile(path.join(this.dir(cgPath, 'cpuacct'), 'cpuacct.usage'), 'utf8'),
      fs.readFile(path.join(this.dir(cgPath, 'memory'), 'memory.usage_in_bytes'), 'utf8'),
      fs.readFile(path.join(this.dir(cgPath, 'memory'), 'memory.stat'), 'utf8'),
    ]);
    return countersV1({ cpuacctUsage, memoryUsage, memoryStat });
  }

  private async readV2(cgPath: string): Promise<CgroupCounters> {
    const dir = this.dir(cgPath, '');
    if (relative(cgPath) === '') return this.readV2Root(dir);
    const [cpuStat, memoryCurrent, memoryStat] = await Promise.all([
      fs.readFile(path.join(dir, 'cpu.stat'), 'utf8'),
      fs.readFile(path.join(dir, 'memory.current'), 'utf8'),
      fs.readFile(path.join(dir, 'memory.stat'), 'utf8'),
    ]);
    return countersV2({ cpuStat, memoryCurrent, memoryStat });
  }

  private async readV2Root(dir: string): Promise<CgroupCounters> {
    const cpuStat = await fs.readFile(path.join(dir, 'cpu.stat'), 'utf8').catch(() => '');
    const usec = /^usage_usec\s+(\d+)\s*$/m.exec(cpuStat);
    const cpuNanos = usec ? Number(usec[1]) * 1000 : hostCpuNanos(await fs.readFile(path.join(this.procRoot, 'stat'), 'utf8'));
    const mem = hostMemory(await fs.readFile(path.join(this.procRoot, 'meminfo'), 'utf8'));
    return { cpuNanos, memoryUsageBytes: mem.usageBytes, memoryWorkingSetBytes: mem.workingSetBytes };
  }
}
