// When each phase ran, on the monotonic clock V8's CPU profiler also uses (both are
// CLOCK_MONOTONIC in microseconds on Linux), so a profile of the API server process can
// be cut into the benchmark's phases afterwards. Each phase also records how much CPU
// processes other than ours used meanwhile, and how many slow disk syncs etcd saw: on a
// shared 2-core machine with a shared disk, those are the noise.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diskSnapshot, slowerThan, type DiskSnapshot } from './etcdDisk.js';
import { cpuMs, machineBusyMs, selfCpuMs } from './procStat.js';

export interface PhaseWindow {
  phase: string;
  startUs: number;
  endUs: number;
  /** Share of the machine's CPU capacity used by processes the benchmark did not start. */
  foreignCpuPercent?: number;
  /** WAL fsyncs over 32 ms in our etcds (each stalls every write queued behind it). */
  slowEtcdFsyncs?: number;
}

/** An etcd whose /metrics cannot be read counts as no snapshot, not as a failed run. */
async function snapshots(endpoints: string[]): Promise<(DiskSnapshot | undefined)[]> {
  return Promise.all(endpoints.map((e) => diskSnapshot(e).catch(() => undefined)));
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Runs `fn` as the named phase (PhaseMarks.time): phases that time sub-phases take one. */
export type PhaseTimer = <T>(phase: string, fn: () => Promise<T>) => Promise<T>;

export class PhaseMarks {
  readonly windows: PhaseWindow[] = [];

  /** `pids`: the processes the benchmark started (this process counts too); `etcds`: their client URLs. */
  constructor(
    private readonly pids: number[],
    private readonly etcds: string[],
  ) {}

  private ours(): number {
    return selfCpuMs() + this.pids.reduce((s, p) => s + cpuMs(p), 0);
  }

  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const disk0 = await snapshots(this.etcds);
    const startUs = nowUs();
    const machine0 = machineBusyMs();
    const ours0 = this.ours();
    try {
      return await fn();
    } finally {
      const endUs = nowUs();
      const foreign = machineBusyMs() - machine0 - (this.ours() - ours0);
      const capacity = ((endUs - startUs) / 1000) * os.cpus().length;
      const disk1 = await snapshots(this.etcds);
      let slow = 0;
      disk0.forEach((before, i) => {
        const after = disk1[i];
        if (before && after) slow += slowerThan(before, after, 'etcd_disk_wal_fsync_duration_seconds', 0.032);
      });
      this.windows.push({ phase, startUs, endUs, foreignCpuPercent: Math.max(0, Math.round((100 * foreign) / capacity)), slowEtcdFsyncs: slow });
    }
  }

  write(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(this.windows, null, 1) + '\n');
  }
}

export function readPhaseMarks(file: string): PhaseWindow[] {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PhaseWindow[];
}
