// Exec in a simulated container: the command is recognised like a container's (see
// commands.ts) and played back on streams: its output written, stdin copied for `cat`,
// its exit after its duration on the host's timers, or never for a service, until killed.
// With a TTY there is one output stream, and line feeds become CR LF as a terminal's do.

import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ExecRequest, ExecSession, ExecSyncResult } from '../cri/types.js';
import { BoundedBuffer } from '../../common/proc/run.js';
import type { SimulatedOutput, SimulatedProgram } from './commands.js';
import type { SimulatedTimers } from './time.js';

const zeroChunk = Buffer.alloc(64 * 1024);
/** The exit code of a process killed by SIGKILL. */
export const killedExitCode = 137;

function toTerminal(b: Buffer): Buffer {
  return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

async function writeAll(stream: PassThrough, chunk: Buffer, stopped: () => boolean): Promise<void> {
  if (stopped()) return;
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function play(o: SimulatedOutput, to: PassThrough, tty: boolean, stopped: () => boolean): Promise<void> {
  if ('text' in o) {
    const b = Buffer.from(o.text);
    await writeAll(to, tty ? toTerminal(b) : b, stopped);
    return;
  }
  for (let left = o.zeroBytes; left > 0 && !stopped(); left -= zeroChunk.length) {
    await writeAll(to, left >= zeroChunk.length ? zeroChunk : zeroChunk.subarray(0, left), stopped);
  }
}

/** Starts `program` as an exec'd process; `onEnd` is called once with its exit code. */
export function startSimulatedExec(program: SimulatedProgram, req: ExecRequest, timers: SimulatedTimers, onEnd: (code: number) => void = () => undefined): ExecSession {
  const stdout = req.stdout || (req.tty && req.stderr) ? new PassThrough() : undefined;
  const stderr = req.stderr && !req.tty ? new PassThrough() : undefined;
  const stdin = req.stdin ? new PassThrough() : undefined;
  let finished = false;
  let cancelTimer: (() => void) | undefined;
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (resolveExit = r));

  const finish = (code: number): void => {
    if (finished) return;
    finished = true;
    cancelTimer?.();
    stdin?.resume();
    const outs = [stdout, stderr].filter((s): s is PassThrough => s !== undefined);
    for (const s of outs) s.end();
    // Like a child's 'close': the exit is reported after its output, to a reader that keeps
    // up; a reader that does not still finds the output buffered, and is not waited for.
    const flushing = outs.filter((s) => !s.writableFinished && !s.writableNeedDrain);
    void Promise.all(flushing.map((s) => once(s, 'finish').catch(() => undefined))).then(() =>
      setImmediate(() => {
        onEnd(code);
        resolveExit(code);
      }),
    );
  };

  void (async () => {
    for (const o of program.output) {
      const to = o.stream === 'stderr' && !req.tty ? stderr : stdout;
      if (to) await play(o, to, req.tty, () => finished);
    }
    if (finished) return;
    if (program.copiesStdin) {
      if (!stdin) return finish(0);
      stdin.on('data', (c: Buffer) => {
        if (stdout && !finished) stdout.write(req.tty ? toTerminal(c) : c);
      });
      stdin.on('end', () => finish(0));
      return;
    }
    // Input nobody reads is drained, as a process's unread pipe would be discarded at its exit.
    stdin?.resume();
    if (program.exitAfterMs === undefined) return;
    if (program.exitAfterMs <= 0) return finish(program.exitCode);
    cancelTimer = timers.after(program.exitAfterMs, () => finish(program.exitCode));
  })();

  const session: ExecSession = {
    exitCode,
    resize(): void {
      // Nothing draws on the simulated terminal.
    },
    kill(): void {
      finish(killedExitCode);
    },
  };
  if (stdin) session.stdin = stdin;
  if (stdout) session.stdout = stdout;
  if (stderr) session.stderr = stderr;
  return session;
}

/** Runs `program` to completion, keeping at most `maxOutputBytes` of each stream, killing it at the deadline. */
export async function simulatedExecSync(program: SimulatedProgram, timers: SimulatedTimers, opts: { timeoutMs: number; maxOutputBytes: number }, register: (kill: () => void) => () => void): Promise<ExecSyncResult> {
  const session = startSimulatedExec(program, { cmd: [], tty: false, stdin: false, stdout: true, stderr: true }, timers);
  const out = new BoundedBuffer(opts.maxOutputBytes);
  const err = new BoundedBuffer(opts.maxOutputBytes);
  session.stdout!.on('data', (c: Buffer) => out.push(c));
  session.stderr!.on('data', (c: Buffer) => err.push(c));
  let timedOut = false;
  const cancelDeadline = timers.after(opts.timeoutMs, () => {
    timedOut = true;
    session.kill();
  });
  const unregister = register(() => session.kill());
  try {
    const exitCode = await session.exitCode;
    return { stdout: out.toBuffer(), stderr: err.toBuffer(), exitCode, truncated: out.truncated || err.truncated, timedOut };
  } finally {
    cancelDeadline();
    unregister();
  }
}
