// The layout pieces of `gantry top`: a plain padded table (why.ts lays out its table with it
// too), a whole percent, and the bar a terminal shows per resource.

/** Columns padded to their widest cell, three spaces apart. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('   ').trimEnd() + '\n').join('');
}

/** A share truncated to a whole percent, as kubectl top truncates; `-` without a whole to divide by. */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.trunc((part / whole) * 100)}%` : '-';
}

export const barWidth = 10;

/** The bar's header on a terminal: what its two marks mean. */
export const barLegend = '# REQUESTED  | USED';

/**
 * `[####|#····]`: `#` fills the share of allocatable the pods request (what the scheduler's
 * bin-packer sees), `|` marks where actual use stands; `!` after the bar when the requests
 * exceed allocatable (pods bound by hand can do that).
 */
export function bar(requested: number, whole: number, used?: number): string {
  if (whole <= 0) return `[${'·'.repeat(barWidth)}]`;
  const filled = Math.min(barWidth, Math.round((requested / whole) * barWidth));
  const cells = [...'#'.repeat(filled), ...'·'.repeat(barWidth - filled)];
  if (used !== undefined) cells[Math.max(0, Math.min(barWidth - 1, Math.floor((used / whole) * barWidth)))] = '|';
  return `[${cells.join('')}]${requested > whole ? '!' : ''}`;
}
