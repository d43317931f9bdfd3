// The printed result: one row per figure with its floor from the same run, then a single
// machine-readable JSON line so runs can be compared by a script.

export interface FigureRow {
  /** Stable key for the JSON line. */
  id: string;
  figure: string;
  value: string;
  floor: string;
  /** value/floor (or floor/value for latencies), as printed. */
  ratio: string;
  goal: string;
  /** Undefined when the figure has no goal (informational). */
  met: boolean | undefined;
  /** Raw numbers for the JSON line. */
  data: Record<string, number | string>;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - s.length));
}

export function renderTable(rows: FigureRow[]): string {
  const header = ['figure', 'value', 'floor (same run)', 'ratio', 'goal', 'met?'];
  const cells = rows.map((r) => [r.figure, r.value, r.floor, r.ratio, r.goal, r.met === undefined ? '-' : r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => pad(x, widths[i]!)).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

export function jsonLine(meta: Record<string, unknown>, rows: FigureRow[]): string {
  const figures: Record<string, unknown> = {};
  for (const r of rows) figures[r.id] = { ...r.data, ...(r.met === undefined ? {} : { met: r.met }) };
  return JSON.stringify({ bench: 'apiserver', ...meta, figures });
}
