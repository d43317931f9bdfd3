// The table every benchmark prints: each figure beside its floor measured in the same run.

export interface FigureRow {
  figure: string;
  value: string;
  floor: string;
  goal: string;
}

export function figureTable(rows: FigureRow[]): string {
  const head = ['figure', 'value', 'floor (same run)', 'goal'];
  const cells = rows.map((r) => [r.figure, r.value, r.floor, r.goal]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(w[i]!)).join(' | ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('-|-'), ...cells.map(line)].join('\n');
}
