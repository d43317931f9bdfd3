// The cumulative counters one sample reads from a cgroup, parsed from the files' text, for
// cgroup v1 (a hierarchy per controller: cpuacct.usage, memory.usage_in_bytes, memory.stat)
// and v2 (one hierarchy: cpu.stat, memory.current, memory.stat). The working set is usage
// minus the inactive file cache, as cadvisor computes it: on v1 from memory.stat's
// hierarchical total_inactive_file, on v2 from inactive_file (always hierarchical there).
// Parsers are pure functions of the text so both versions are tested from fixture files on
// any host.

export interface CgroupCounters {
  /** Cumulative CPU time, nanoseconds. */
  cpuNanos: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
}

/** `key value` lines (memory.stat, cpu.stat); lines that are not that shape are skipped. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** A file holding one non-negative integer; undefined for anything else (e.g. `max`). */
export function parseSingleNumber(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

export class CounterParseError extends Error {}

function workingSet(usage: number, inactiveFile: number | undefined): number {
  // The inactive cache can exceed usage for a moment while the kernel updates both; never below zero.
  return Math.max(0, usage - (inactiveFile ?? 0));
}

export interface V1Files {
  /** cpuacct/<path>/cpuacct.usage: nanoseconds. */
  cpuacctUsage: string;
  /** memory/<path>/memory.usage_in_bytes */
  memoryUsage: string;
  /** memory/<path>/memory.stat */
  memoryStat: string;
}

export function countersV1(f: V1Files): CgroupCounters {
  const cpu = parseSingleNumber(f.cpuacctUsage);
  const usage = parseSingleNumber(f.memoryUsage);
  if (cpu === undefined) throw new CounterParseError(`cpuacct.usage is not a number: ${JSON.stringify(f.cpuacctUsage.slice(0, 40))}`);
  if (usage === undefined) throw new CounterParseError(`memory.usage_in_bytes is not a number: ${JSON.stringify(f.memoryUsage.slice(0, 40))}`);
  const stat = parseFlatKeyed(f.memoryStat);
  return { cpuNanos: cpu, memoryUsageBytes: usage, memoryWorkingSetBytes: workingSet(usage, stat.get('total_inactive_file')) };
}

export interface V2Files {
  /** cpu.stat: usage_usec in microseconds. */
  cpuStat: string;
  /** memory.current; the root cgroup has none (see hostCounters.ts). */
  memoryCurrent: string;
  memoryStat: string;
}

export function countersV2(f: V2Files): CgroupCounters {
  const usec = parseFlatKeyed(f.cpuStat).get('usage_usec');
  const usage = parseSingleNumber(f.memoryCurrent);
  if (usec === undefined) throw new CounterParseError('cpu.stat has no usage_usec');
  if (usage === undefined) throw new CounterParseError(`memory.current is not a number: ${JSON.stringify(f.memoryCurrent.slice(0, 40))}`);
  const stat = parseFlatKeyed(f.memoryStat);
  return { cpuNanos: usec * 1000, memoryUsageBytes: usage, memoryWorkingSetBytes: workingSet(usage, stat.get('inactive_file')) };
}
