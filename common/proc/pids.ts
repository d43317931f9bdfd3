// Stopping processes we started, by PID, after checking the PID still belongs to them
// (a PID can be reused by an unrelated process once ours has exited).

import fs from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when /proc says `pid` runs a command line containing `marker`. */
export function pidRuns(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL. Only if the PID still runs `marker`. */
export async function stopPid(pid: number, marker: string, graceMs = 10_000): Promise<void> {
  if (!pidRuns(pid, marker)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid) || !pidRuns(pid, marker)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (pidRuns(pid, marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The PIDs of `pid`'s children (from every thread's /proc children list); [] when it is gone. */
export function childPids(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
    return out;
  } catch {
    return [];
  }
}
