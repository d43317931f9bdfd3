// Node pressure signals, as the kubelet's eviction manager computes them: memory from
// MemAvailable in /proc/meminfo, disk from the agent root's filesystem, PIDs from the kernel's
// pid_max against the running task count. Each is a value; the condition logic is pure.

import fs from 'node:fs/promises';

export interface PressureReadings {
  memoryAvailableBytes: bigint;
  diskFreePercent: number;
  pidsUsed: number;
  pidsMax: number;
}

export interface PressureThresholds {
  memoryAvailableBytes: bigint;
  diskFreePercent: number;
}

export interface PressureState {
  memory: boolean;
  disk: boolean;
  pids: boolean;
}

export function pressureFrom(r: PressureReadings, t: PressureThresholds): PressureState {
  return {
    memory: r.memoryAvailableBytes < t.memoryAvailableBytes,
    disk: r.diskFreePercent < t.diskFreePercent,
    // The kubelet's default pid.available eviction signal is 10% of pid_max.
    pids: r.pidsMax > 0 && r.pidsMax - r.pidsUsed < r.pidsMax / 10,
  };
}

async function memAvailable(): Promise<bigint> {
  const text = await fs.readFile('/proc/meminfo', 'utf8');
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(text);
  return m ? BigInt(m[1]!) * 1024n : 0n;
}

async function pids(): Promise<{ used: number; max: number }> {
  const max = Number((await fs.readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => '0')).trim());
  // The fourth field of loadavg is "running/total" scheduling entities (threads).
  const load = await fs.readFile('/proc/loadavg', 'utf8').catch(() => '');
  const used = Number(/\d+\/(\d+)/.exec(load)?.[1] ?? 0);
  return { used, max };
}

export async function readPressure(root: string): Promise<PressureReadings> {
  const [mem, fsStat, p] = await Promise.all([memAvailable(), fs.statfs(root), pids()]);
  const diskFreePercent = fsStat.blocks > 0 ? (fsStat.bavail / fsStat.blocks) * 100 : 100;
  return { memoryAvailableBytes: mem, diskFreePercent, pidsUsed: p.used, pidsMax: p.max };
}
