// Where a latency goes: one row per segment of an operation, for one or more groups of
// samples (e.g. pods started one at a time, and pods of a burst), each with the segment's
// p50, p99 and its share of the summed means, so the dominant step stands out.

import { fmtMs, round3, summarize } from './stats.js';

export interface SegmentGroup {
  title: string;
  /** One record per sample: segment name -> milliseconds. */
  samples: Record<string, number>[];
}

export interface SegmentSummary {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** The segment's mean over the sum of all segment means, 0..1. */
  share: number;
}

export function summarizeSegments(names: readonly string[], samples: Record<string, number>[]): Record<string, SegmentSummary> {
  const stats = names.map((n) => summarize(samples.map((s) => s[n] ?? NaN).filter(Number.isFinite)));
  const total = stats.reduce((t, s) => t + (Number.isFinite(s.mean) ? s.mean : 0), 0);
  const out: Record<string, SegmentSummary> = {};
  names.forEach((n, i) => {
    const s = stats[i]!;
    out[n] = { p50Ms: round3(s.p50), p99Ms: round3(s.p99), meanMs: round3(s.mean), share: total > 0 ? round3(s.mean / total) : NaN };
  });
  return out;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - s.length));
}

export function renderSegmentTable(names: readonly string[], groups: SegmentGroup[]): string {
  const header = ['segment', ...groups.flatMap((g) => [`${g.title} p50`, 'p99', 'share'])];
  const summaries = groups.map((g) => summarizeSegments(names, g.samples));
  const rows = names.map((n) => [n, ...summaries.flatMap((s) => [fmtMs(s[n]!.p50Ms), fmtMs(s[n]!.p99Ms), Number.isFinite(s[n]!.share) ? `${Math.round(s[n]!.share * 100)}%` : 'n/a'])]);
  const counts = ['(pods with every mark)', ...groups.flatMap((g) => [`n=${g.samples.length}`, '', ''])];
  const all = [header, ...rows, counts];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => pad(x, widths[i]!)).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line), line(counts)].join('\n');
}
