// Running host tools (runc, conmon, CNI plugins, mount, ip, iptables) for the runtime, the pod network and `gantry up` as child
// processes: arguments as arrays (never a shell), a deadline, and output kept within a cap
// so that a tool or a container flooding its output cannot grow our memory.

import { spawn } from 'node:child_process';

/** Collects bytes up to `limit`, counts and discards the rest. */
export class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes seen, including the discarded ones. */
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(Buffer.from(part));
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.kept);
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Per stream; the default keeps tool output small. */
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A host tool that failed: its command line and what it said. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const said = (result.stderr.trim() || result.stdout.trim()).slice(0, 2000);
    const how = result.timedOut ? 'timed out' : result.signal ? `killed by ${result.signal}` : `exit code ${String(result.code)}`;
    super(`${command}: ${how}${said ? `: ${said}` : ''}`);
    this.name = 'CommandError';
  }
}

const defaultTimeoutMs = 60_000;
const defaultMaxOutput = 1024 * 1024;

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const limit = opts.maxOutputBytes ?? defaultMaxOutput;
    const out = new BoundedBuffer(limit);
    const err = new BoundedBuffer(limit);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? defaultTimeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.toString(), stderr: err.toString(), timedOut });
    });
    if (opts.input !== undefined) {
      // A tool that exits without reading its input must not crash us with EPIPE.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    }
  });
}

/** Like run, but a non-zero exit, a signal or a timeout is a CommandError. */
export async function runChecked(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0 || r.timedOut) throw new CommandError([cmd, ...args].join(' '), r);
  return r;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a value other than undefined, or the deadline passes. */
export async function pollUntil<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 20): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}
