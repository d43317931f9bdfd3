// Completion indexes of Indexed jobs: which index a pod runs (its annotation), and the
// `completedIndexes` string of the status ("1,3-5"): sorted, consecutive runs written as ranges.

import { completionIndexKey, type Pod } from './types.js';

/** The pod's completion index, or undefined when it has none or one outside [0, completions). */
export function podIndex(pod: Pod, completions: number): number | undefined {
  const raw = pod.metadata.annotations?.[completionIndexKey] ?? pod.metadata.labels?.[completionIndexKey];
  if (raw === undefined || !/^(0|[1-9][0-9]*)$/.test(raw)) return undefined;
  const ix = Number(raw);
  return ix < completions ? ix : undefined;
}

/** Parses "1,3-5" into {1,3,4,5}, keeping only indexes below `completions`; malformed parts are skipped. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** {1,3,4,5} -> "1,3-5". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The `count` lowest indexes below `completions` that are neither completed nor running. */
export function firstPendingIndexes(completed: Set<number>, running: Set<number>, count: number, completions: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!completed.has(i) && !running.has(i)) out.push(i);
  return out;
}
