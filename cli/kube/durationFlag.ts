// Go-style durations as kubectl's flags take them (--timeout, --request-timeout): 30s, 2m,
// 1m30s, 500ms; a bare number is seconds; 0 means no limit.

import { UsageError } from './errors.js';

export function parseDurationFlag(flag: string, v: string | undefined): number {
  if (v === undefined || v === '' || v === '0') return 0;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  const parts = [...v.matchAll(/(\d+)(ms|h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== v) throw new UsageError(`${flag}: expected a duration such as 30s, 2m or 1m30s, got "${v}"`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}
