// The whole host's counters where the root cgroup does not carry them. cgroup v2's root has
// no memory.current (and older kernels no cpu.stat there), so, as runc's fs2 driver does for
// the root, memory comes from /proc/meminfo (usage = MemTotal - MemFree, working set = usage
// - Inactive(file)) and CPU from /proc/stat's busy jiffies.

import { CounterParseError } from './cgroupCounters.js';

/** /proc/meminfo lines `Key:   123 kB`, in bytes. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1));
  }
  return out;
}

export function hostMemory(meminfo: string): { usageBytes: number; workingSetBytes: number } {
  const m = parseMeminfo(meminfo);
  const total = m.get('MemTotal');
  const free = m.get('MemFree');
  if (total === undefined || free === undefined) throw new CounterParseError('/proc/meminfo has no MemTotal or MemFree');
  const usage = total - free;
  return { usageBytes: usage, workingSetBytes: Math.max(0, usage - (m.get('Inactive(file)') ?? 0)) };
}

/** Linux reports /proc/stat in USER_HZ, 100 per second on every architecture it exports to user space. */
const userHz = 100;

/** Busy CPU time of all cores from /proc/stat's `cpu` line: everything but idle and iowait (guest time is already in user). */
export function hostCpuNanos(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new CounterParseError('/proc/stat has no cpu line');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) throw new CounterParseError('/proc/stat cpu line is malformed');
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return ((user + nice + system + irq + softirq + steal) * 1e9) / userHz;
}
