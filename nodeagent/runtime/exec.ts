// Running a command inside a running container with `runc exec`, which starts it with the
// container's own process settings (user, capabilities, seccomp, no_new_privs, env).
//
// execSync keeps at most maxOutputBytes of each stream and discards the rest while still
// draining the pipes (a flooding command neither blocks nor grows our memory); at the
// deadline it kills the process inside the container by the pid runc wrote, since a signal
// to runc itself would only be forwarded, and SIGKILL cannot be.
//
// An interactive exec with a TTY: runc's --tty without --console-socket makes runc itself
// copy between the pty it creates and its own stdio, but only when its stdin is a terminal
// (it sizes and resizes the pty from it). Node cannot open a pty nor receive the pty fd
// over SCM_RIGHTS (what --console-socket requires; conmon's exec sessions would need a
// conmon per exec). So `script` (util-linux) provides that terminal: script -> pty ->
// runc --tty -> container pty. Resizing sets the outer pty's size with `stty -F`; the
// kernel's SIGWINCH makes runc resize the inner one. A command may read its size at once
// (`stty size`), and runc sizes the container's pty only after starting the process, from
// the outer one; so the process is described by a spec of its own (`runc exec --process`,
// the container's process with the command's args, a terminal and TERM) that carries the
// client's first size as consoleSize, which runc's init applies before the command runs.
// The script waits (bounded) for that spec, sets the outer pty to the same size (runc's own
// later resize copies it), and only then writes the tty's name and starts runc.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ExecRequest, ExecSession, ExecSyncResult } from '../cri/types.js';
import { readPidFile } from './conmon.js';
import { BoundedBuffer, run } from '../../common/proc/run.js';
import type { Runc } from './runc.js';

export interface ExecSyncOptions {
  timeoutMs: number;
  maxOutputBytes: number;
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal ? ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 } as Record<string, number>)[signal] : undefined;
  return 128 + (n ?? 0);
}

async function tempPidFile(execDir: string): Promise<string> {
  await fs.mkdir(execDir, { recursive: true, mode: 0o700 });
  return path.join(execDir, `${randomBytes(8).toString('hex')}.pid`);
}

export async function execSync(runc: Runc, execDir: string, id: string, cmd: readonly string[], opts: ExecSyncOptions): Promise<ExecSyncResult> {
  const pidFile = await tempPidFile(execDir);
  const child = spawn(runc.binary, runc.execArgs(id, cmd, { pidFile }), { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new BoundedBuffer(opts.maxOutputBytes);
  const err = new BoundedBuffer(opts.maxOutputBytes);
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  let timedOut = false;
  let backstop: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    void readPidFile(pidFile).then((pid) => killQuietly(pid, 'SIGKILL'));
    // If the process never started (or runc hangs), runc itself goes.
    backstop = setTimeout(() => child.kill('SIGKILL'), 2000);
  }, opts.timeoutMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, s) => resolve([c, s]));
      // A background process left in the container may hold the pipes open after the command
      // exited: take what is there shortly after the exit and stop reading.
      child.on('exit', () => {
        setTimeout(() => {
          child.stdout!.destroy();
          child.stderr!.destroy();
        }, 500).unref();
      });
    });
    return { stdout: out.toBuffer(), stderr: err.toBuffer(), exitCode: exitCodeOf(code, signal), truncated: out.truncated || err.truncated, timedOut };
  } finally {
    clearTimeout(timer);
    if (backstop) clearTimeout(backstop);
    await fs.rm(pidFile, { force: true });
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How long a resize waits for the tty's name (script writes it after the first size, before runc starts). */
const ttyNameWaitMs = 3000;
/** How long a terminal exec waits for the client's first size before starting without it. */
const firstSizeWaitMs = 1000;
/** How long the script waits for the process spec (written at the first size or after firstSizeWaitMs), in 10 ms steps. */
const processSpecWaitSteps = 500;

/** Writes `data` whole under another name, then renames it, so a reader never sees half of it. */
async function writeWhole(file: string, data: string): Promise<void> {
  await fs.writeFile(`${file}.part`, data);
  await fs.rename(`${file}.part`, file);
}

/** The container's own process spec (from its bundle), as `runc exec` without --process would start from. */
async function containerProcess(bundleDir: string): Promise<Record<string, unknown>> {
  const spec = JSON.parse(await fs.readFile(path.join(bundleDir, 'config.json'), 'utf8')) as { process?: Record<string, unknown> };
  return spec.process ?? {};
}

export async function startExec(runc: Runc, execDir: string, id: string, req: ExecRequest, bundleDir: string): Promise<ExecSession> {
  const pidFile = await tempPidFile(execDir);
  let child: ChildProcess;
  let ttyFile: string | undefined;
  let sizeFile: string | undefined;
  let processFile: string | undefined;
  let writeProcessSpec: ((size?: { rows: number; cols: number }) => Promise<void>) | undefined;
  if (req.tty) {
    ttyFile = pidFile.replace(/\.pid$/, '.tty');
    sizeFile = pidFile.replace(/\.pid$/, '.size');
    processFile = pidFile.replace(/\.pid$/, '.process.json');
    const base = await containerProcess(bundleDir);
    const env = (Array.isArray(base.env) ? (base.env as string[]) : []).filter((e) => !e.startsWith('TERM='));
    const specFile = processFile;
    writeProcessSpec = (size) =>
      writeWhole(specFile, JSON.stringify({ ...base, terminal: true, args: [...req.cmd], env: [...env, 'TERM=xterm'], ...(size ? { consoleSize: { height: size.rows, width: size.cols } } : {}) }));
    // Raw mode first, so what the client types is echoed once (by the container's pty), not twice.
    const withSpec = [runc.binary, ...runc.execArgs(id, req.cmd, { pidFile, processFile })].map(shellQuote).join(' ');
    const withFlags = [runc.binary, ...runc.execArgs(id, req.cmd, { pidFile, tty: true })].map(shellQuote).join(' ');
    const [spec, size] = [shellQuote(processFile), shellQuote(sizeFile)];
    const waitForSpec = `i=0; while [ ! -e ${spec} ] && [ $i -lt ${processSpecWaitSteps} ]; do sleep 0.01; i=$((i+1)); done; [ -e ${size} ] && stty $(cat ${size}) 2>/dev/null`;
    // The tty's name is written after the first size is applied, so later sizes (applied once
    // the name is there) always come after it. Without a spec (the agent went away) runc starts from flags.
    const script = `stty raw -echo 2>/dev/null; ${waitForSpec}; tty > ${shellQuote(ttyFile)}; if [ -e ${spec} ]; then exec ${withSpec}; else exec ${withFlags}; fi`;
    child = spawn('script', ['-q', '-e', '-c', script, '/dev/null'], {
      stdio: [req.stdin ? 'pipe' : 'ignore', 'pipe', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', SHELL: '/bin/sh', TERM: 'xterm' },
    });
  } else {
    child = spawn(runc.binary, runc.execArgs(id, req.cmd, { pidFile }), {
      stdio: [req.stdin ? 'pipe' : 'ignore', req.stdout ? 'pipe' : 'ignore', req.stderr ? 'pipe' : 'ignore'],
    });
  }
  // A client that goes away must not crash us with EPIPE on the process's stdin.
  child.stdin?.on('error', () => undefined);
  const exitCode = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      void fs.rm(pidFile, { force: true });
      for (const f of [ttyFile, sizeFile, processFile]) if (f) for (const g of [f, `${f}.part`]) void fs.rm(g, { force: true });
      resolve(exitCodeOf(code, signal));
    });
  });
  let pendingSize: { rows: number; cols: number } | undefined;
  let firstSizeGiven = false;
  let applying = false;
  let exited = false;
  // No size from the client in time (kubectl exec -t without a terminal of its own): start without one.
  const noSize = writeProcessSpec
    ? setTimeout(() => {
        if (firstSizeGiven) return;
        firstSizeGiven = true;
        void writeProcessSpec?.().catch(() => undefined);
      }, firstSizeWaitMs)
    : undefined;
  noSize?.unref();
  void exitCode
    .finally(() => {
      exited = true;
      clearTimeout(noSize);
    })
    .catch(() => undefined);
  const applyPendingSize = async (file: string): Promise<void> => {
    applying = true;
    try {
      for (let waited = 0; !existsSync(file) && !exited && waited < ttyNameWaitMs; waited += 25) await new Promise((r) => setTimeout(r, 25));
      while (pendingSize && !exited) {
        const size = pendingSize;
        pendingSize = undefined;
        const tty = (await fs.readFile(file, 'utf8')).trim();
        if (tty.startsWith('/dev/')) await run('stty', ['-F', tty, 'rows', String(size.rows), 'cols', String(size.cols)]);
      }
    } catch {
      // The session ended while resizing: nothing left to size.
    } finally {
      applying = false;
    }
  };
  const session: ExecSession = {
    exitCode,
    resize(width: number, height: number): void {
      // After the end nothing is left to size (and no file may be left behind).
      if (!ttyFile || !sizeFile || !writeProcessSpec || exited) return;
      const size = { rows: Math.max(1, Math.floor(height)), cols: Math.max(1, Math.floor(width)) };
      if (!firstSizeGiven) {
        // The first size goes into the process spec (the container's pty starts with it) and
        // to the script (the outer pty), both before runc starts.
        firstSizeGiven = true;
        clearTimeout(noSize);
        const spec = writeProcessSpec;
        void writeWhole(sizeFile, `rows ${size.rows} cols ${size.cols}\n`)
          .then(() => spec(size))
          .catch(() => undefined);
        return;
      }
      // Later sizes: keep the newest and apply it as soon as the tty's name is there (bounded wait).
      pendingSize = size;
      if (!applying) void applyPendingSize(ttyFile);
    },
    kill(): void {
      void readPidFile(pidFile).then((pid) => {
        killQuietly(pid, 'SIGKILL');
        setTimeout(() => child.kill('SIGKILL'), 1000).unref();
      });
    },
  };
  if (child.stdin) session.stdin = child.stdin;
  if (child.stdout) session.stdout = child.stdout;
  if (child.stderr) session.stderr = child.stderr;
  return session;
}
