// Processes of the cluster under test, read from /proc: a process's whole tree, its command
// line, and resident memory of a set (children and supervised components: common/testing/procs.ts).

import fs from 'node:fs';
import { childrenOf } from '../../common/testing/procs.js';
import { rssBytes } from '../lib/procStat.js';

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

export function sumRss(pids: readonly number[]): number {
  return pids.reduce((s, p) => s + (rssBytes(p) || 0), 0);
}
