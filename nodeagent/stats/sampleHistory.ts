// The last two samples of every cgroup the sampler watches, so CPU can be reported as a rate
// over a known window (the counters are cumulative): nanocores = delta CPU ns / delta wall s.
// A counter that went backwards means a new cgroup under the same key; its history restarts.

import type { CgroupCounters } from './cgroupCounters.js';

export interface Sample {
  /** Clock time of the read, milliseconds. */
  at: number;
  counters: CgroupCounters;
}

export interface CpuRate {
  nanoCores: number;
  windowMs: number;
}

/** The average CPU use between two samples; undefined when there is no usable earlier one. */
export function cpuRate(prev: Sample | undefined, cur: Sample): CpuRate | undefined {
  if (!prev) return undefined;
  const windowMs = cur.at - prev.at;
  const delta = cur.counters.cpuNanos - prev.counters.cpuNanos;
  if (windowMs <= 0 || delta < 0) return undefined;
  // ns of CPU per ms of wall time, times 1000 ms per second: ns of CPU per second = nanocores.
  return { nanoCores: Math.round((delta * 1000) / windowMs), windowMs };
}

export class SampleHistory {
  private readonly entries = new Map<string, { prev?: Sample; cur: Sample }>();

  record(key: string, s: Sample): void {
    const e = this.entries.get(key);
    if (e && s.counters.cpuNanos < e.cur.counters.cpuNanos) {
      this.entries.set(key, { cur: s });
      return;
    }
    this.entries.set(key, e ? { prev: e.cur, cur: s } : { cur: s });
  }

  latest(key: string): Sample | undefined {
    return this.entries.get(key)?.cur;
  }

  rate(key: string): CpuRate | undefined {
    const e = this.entries.get(key);
    return e ? cpuRate(e.prev, e.cur) : undefined;
  }

  /** Forgets every key not in `live` (pods and containers that are gone). */
  retain(live: ReadonlySet<string>): void {
    for (const k of this.entries.keys()) if (!live.has(k)) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
