// Who used the machine's CPUs during a phase: the agent, the API server and etcd by PID, this
// process, and everything else (the runc, conmon and CNI processes of our own pods, and any
// other work on the machine). On a shared machine that last part is the noise to read the
// latency figures against.

import fs from 'node:fs';
import os from 'node:os';

const userHz = 100; // USER_HZ on Linux

/** User + system CPU in ms of a process, and of its children it has waited for (NaN when it is gone). */
export function processCpuMs(pid: number): { self: number; children: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime, stime, cutime, cstime are the 14th to 17th overall.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { self: ((f[11]! + f[12]!) * 1000) / userHz, children: ((f[13]! + f[14]!) * 1000) / userHz };
  } catch {
    return { self: NaN, children: NaN };
  }
}

/** CPU time the whole machine spent busy (all cores), in ms, from /proc/stat. */
export function machineBusyMs(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait is busy.
  return ((cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!) * 1000) / userHz;
}

export interface CpuUse {
  wallMs: number;
  /** Busy CPU time of the machine over wall time x CPUs, 0..1. */
  machineBusy: number;
  agentCpuMs: number;
  /** CPU of the agent's children it reaped: runc start, kill, delete, the CNI plugins (not conmon, which daemonizes). */
  agentChildrenCpuMs: number;
  apiServerCpuMs: number;
  etcdCpuMs: number;
  benchCpuMs: number;
  /** Machine busy time not accounted to the processes above. */
  otherCpuMs: number;
  /** 1-minute load average at the end of the phase. */
  loadAverage: number;
}

export interface WatchedPids {
  agent: number;
  apiServer: number;
  etcd: number;
}

/** Starts counting; the returned function ends the phase and reports it. */
export function startCpuCount(pids: WatchedPids): () => CpuUse {
  const take = () => {
    const self = process.cpuUsage();
    return {
      wall: performance.now(),
      busy: machineBusyMs(),
      agent: processCpuMs(pids.agent),
      api: processCpuMs(pids.apiServer).self,
      etcd: processCpuMs(pids.etcd).self,
      self: (self.user + self.system) / 1000,
    };
  };
  const a = take();
  return () => {
    const b = take();
    const wallMs = b.wall - a.wall;
    const busy = b.busy - a.busy;
    const agentCpuMs = b.agent.self - a.agent.self;
    const agentChildrenCpuMs = b.agent.children - a.agent.children;
    const apiServerCpuMs = b.api - a.api;
    const etcdCpuMs = b.etcd - a.etcd;
    const benchCpuMs = b.self - a.self;
    return {
      wallMs,
      machineBusy: busy / (wallMs * os.cpus().length),
      agentCpuMs,
      agentChildrenCpuMs,
      apiServerCpuMs,
      etcdCpuMs,
      benchCpuMs,
      otherCpuMs: busy - agentCpuMs - agentChildrenCpuMs - apiServerCpuMs - etcdCpuMs - benchCpuMs,
      loadAverage: os.loadavg()[0]!,
    };
  };
}
