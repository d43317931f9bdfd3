// Aligned columns as kubectl prints them (Go's tabwriter, minimum width 6, padding 3): every
// cell but the last of a row is padded to its column's widest cell plus three spaces, and to
// at least six.

/** Column widths that only grow: `get -w` keeps aligning later rows with what it printed. */
export class ColumnWidths {
  private readonly widths: number[] = [];

  /** Prints `rows` after widening the columns to fit them. */
  render(rows: string[][]): string {
    for (const r of rows) r.forEach((c, i) => (this.widths[i] = Math.max(this.widths[i] ?? 0, [...c].length)));
    return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(Math.max(6, this.widths[i]! + 3) - [...c].length))).join('') + '\n').join('');
  }
}

export function alignColumns(rows: string[][]): string {
  return new ColumnWidths().render(rows);
}
