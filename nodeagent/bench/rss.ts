// Resident memory of a process (VmRSS in /proc/<pid>/status), and the floor for the agent's
// figure: an idle Node process started the same way as the agent (same binary, same loader
// flags), so the table can show how much of the agent's RSS is the runtime's own.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function readRssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Samples RSS `count` times, `everyMs` apart, and returns the median (one GC does not move it). */
export async function sampleRss(pid: number, count = 5, everyMs = 200): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(everyMs);
    samples.push(readRssBytes(pid));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/**
 * RSS of `node <nodeFlags> -e <idle loop>` after it settled: what any Node process started with
 * these flags holds before running a line of the agent. `nodeFlags` are the component command's
 * arguments before its script (e.g. `--import tsx` when running from source).
 */
export async function idleNodeRss(nodeFlags: string[], settleMs = 1500): Promise<number> {
  const child = spawn(process.execPath, [...nodeFlags, '-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('cannot start an idle node process');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await sleep(settleMs);
    if (child.exitCode !== null) throw new Error(`the idle node process exited (${child.exitCode})`);
    return await sampleRss(child.pid);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}
