// Processes of the cluster under test, read from /proc: a process's children (the
// component a `gantry supervise` runs, the node agent behind `nsenter`), and resident
// memory of one process or a set.

import fs from 'node:fs';
import { rssBytes } from '../lib/procStat.js';

/** Direct children of `pid` (every thread's list), or [] when it is gone. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const t of tasks) {
    try {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** `pid` and everything below it. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]!));
  return out;
}

/** The first line of a process's command line, for messages. */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * The component a `gantry supervise` PID runs now: its only child (nsenter execs the node
 * agent, so the agent is that child too). Throws when there is none (between restarts).
 */
export function supervisedChild(supervisorPid: number): number {
  const kids = childrenOf(supervisorPid);
  if (kids.length !== 1) throw new Error(`supervisor ${supervisorPid} has ${kids.length} children (${kids.join(', ')}); expected its one component`);
  return kids[0]!;
}

export function sumRss(pids: readonly number[]): number {
  return pids.reduce((s, p) => s + (rssBytes(p) || 0), 0);
}
