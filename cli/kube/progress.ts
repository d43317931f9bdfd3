// One live status line on stderr for long operations (`applying 37/120 objects…`), shown only
// when stderr is a terminal that can erase a line: piped or redirected output, `TERM=dumb`
// and tests see exactly the bytes they saw without it. The command's own output goes through
// `out`/`err` here, which lift the status out of the way, write, and put it back, so the two
// never share a row. `done` erases it for good.

import type { KubeIO } from './io.js';

export interface Progress {
  /** Shows `text` as the status, replacing the one before. */
  update(text: string): void;
  /** Standard output, with the status out of the way. */
  out(text: string): void;
  /** Standard error, with the status out of the way. */
  err(text: string): void;
  /** Erases the status; later `update`s show it again. */
  done(): void;
}

const eraseLine = '\r\x1b[K';

/** Whether `io` gets a status line at all. */
export function showsProgress(io: Pick<KubeIO, 'errIsTTY' | 'env'>): boolean {
  return Boolean(io.errIsTTY) && io.env.TERM !== 'dumb';
}

/** `text` cut to fit one row of `columns` (leaving the last cell free, so the cursor never wraps). */
export function fitRow(text: string, columns: number | undefined): string {
  const width = Math.max(10, (columns || 80) - 1);
  const chars = [...text.replace(/[\r\n]+/g, ' ')];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, width - 1).join('')}…`;
}

export function progressLine(io: KubeIO): Progress {
  if (!showsProgress(io)) return { update: () => undefined, out: (t) => io.out(t), err: (t) => io.err(t), done: () => undefined };
  let shown = '';
  const hide = (): void => {
    if (shown) io.err(eraseLine);
  };
  const show = (): void => {
    if (shown) io.err(shown);
  };
  return {
    update(text) {
      const line = fitRow(text, io.columns);
      if (line === shown) return;
      io.err(`${eraseLine}${line}`);
      shown = line;
    },
    out(text) {
      hide();
      io.out(text);
      show();
    },
    err(text) {
      hide();
      io.err(text);
      show();
    },
    done() {
      hide();
      shown = '';
    },
  };
}
