// Where a command writes and reads, so tests run the same command functions users do and
// read exactly what was printed.

export interface KubeIO {
  out(text: string): void;
  err(text: string): void;
  /** The whole of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  /** Whether standard output is a terminal: colour and progress only then. */
  isTTY: boolean;
  /** Whether standard error is a terminal: a live status line (progress.ts) only then. */
  errIsTTY?: boolean;
  /** The terminal's width in columns, so a status line stays on one row. */
  columns?: number;
  env: NodeJS.ProcessEnv;
  /** Set by a command that failed after printing what it could. */
  exitCode: number;
  /** The process's own streams, for interactive commands (exec -it): input, raw mode, the terminal's size. */
  terminal?: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
}

export function processIO(): KubeIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    isTTY: Boolean(process.stdout.isTTY),
    errIsTTY: Boolean(process.stderr.isTTY),
    get columns() {
      return process.stderr.columns;
    },
    env: process.env,
    terminal: { stdin: process.stdin, stdout: process.stdout },
    get exitCode() {
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    },
    set exitCode(c: number) {
      process.exitCode = c;
    },
  };
}
