// Column alignment as Go's text/tabwriter does it with kubectl describe's settings (minimum
// width 0, padding 2, spaces): a tab ends a cell, and a column's width is set per block of
// consecutive lines that all have a cell in that column, so a line without tabs (a section
// title) starts alignment afresh. Matching the algorithm, not just "align on tabs", is what
// makes `gantry describe` line up the way kubectl's does.

const padding = 2;

function width(cell: string): number {
  return [...cell].length;
}

/** `text` with its tab-separated cells aligned. */
export function alignTabs(text: string): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      let s = '';
      line.forEach((c, j) => {
        s += c;
        if (j < widths.length) s += ' '.repeat(Math.max(0, widths[j]! - width(c)));
      });
      out.push(s);
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      // A cell in this column: the lines above it are done, a block begins here.
      writeLines(line0, t);
      line0 = t;
      let w = 0;
      for (; t < line1; t++) {
        const line = lines[t]!;
        if (column >= line.length - 1) break;
        w = Math.max(w, width(line[column]!) + padding);
      }
      widths.push(w);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out.join('\n');
}

/**
 * kubectl's describe writer: lines indented two spaces per level, aligned by tabs; `flush()`
 * ends the current alignment (kubectl flushes before an events table, so the table lines up
 * on its own).
 */
export class DescribeWriter {
  private pending = '';
  private done = '';

  write(level: number, text: string): void {
    this.pending += '  '.repeat(level) + text;
  }

  /** One line at `level`: the cells joined by tabs. */
  line(level: number, ...cells: (string | number | boolean)[]): void {
    this.write(level, `${cells.map(String).join('\t')}\n`);
  }

  /** What was written, tabs left as they are (kubectl's `rollout history --revision` prints it so). */
  raw(): string {
    return this.done + this.pending;
  }

  flush(): void {
    this.done += alignTabs(this.pending);
    this.pending = '';
  }

  text(): string {
    this.flush();
    return this.done;
  }
}
