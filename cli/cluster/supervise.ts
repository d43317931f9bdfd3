// `gantry supervise --log FILE -- command args...`: keeps one component running, as
// systemd would on a real host: restarts it when it exits (components exit on purpose,
// e.g. a scheduler that lost its lease), with back-off, and stops it on SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Backoff, type BackoffPolicy } from '../../common/backoff.js';
import { realClock, sleep } from '../../common/clock.js';
import { writeFileAtomic } from '../../common/atomicFile.js';
import { componentCommand } from '../../common/proc/components.js';
import type { ClusterProcess } from './state.js';

/** Starts `gantry supervise` for one component, detached; its command line names the log file (the PID's marker). */
export function startSupervised(name: string, logFile: string, command: { command: string; args: string[] }, args: string[], opts: SuperviseOptions = {}): ClusterProcess {
  const sup = componentCommand('cli/superviseMain');
  const cap = opts.maxBackoffMs !== undefined ? ['--max-backoff-ms', String(opts.maxBackoffMs)] : [];
  const child = spawn(sup.command, [...sup.args, '--log', logFile, ...cap, '--', command.command, ...command.args, ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  return { name, pid: child.pid!, marker: logFile };
}

/** How long a component has to exit after SIGTERM before it is killed. */
const killAfterMs = 20_000;

/** A crash loop waits 0.5 s, doubling to 10 s (or the component's cap); a component that ran a minute starts over. */
const restartBackoff: BackoffPolicy = { initialMs: 500, maxMs: 10_000 };

export interface SuperviseOptions {
  /** A lower cap for components everything waits on (etcd, the API server): back within seconds. */
  maxBackoffMs?: number;
}
const ranWellMs = 60_000;

/** What a supervisor tells `gantry status`, beside its component's log. */
export interface SupervisorStatus {
  supervisorPid: number;
  /** The component's current PID (absent while it is being restarted). */
  pid?: number;
  /** How many times the component exited and was started again. */
  restarts: number;
  /** When the current run started (ISO). */
  startedAt: string;
  lastExit?: { code: number | null; at: string };
}

export function supervisorStatusFile(logFile: string): string {
  return `${logFile}.status.json`;
}

/** What the supervisor logging to `logFile` last reported; undefined when it never wrote (or the file is unreadable). */
export function readSupervisorStatus(logFile: string): SupervisorStatus | undefined {
  try {
    return JSON.parse(fs.readFileSync(supervisorStatusFile(logFile), 'utf8')) as SupervisorStatus;
  } catch {
    return undefined;
  }
}

export async function supervise(command: string, args: string[], logFile: string, opts: SuperviseOptions = {}): Promise<void> {
  let child: ChildProcess | undefined;
  let stopping = false;
  const stopped = new AbortController();
  const backoff = new Backoff(opts.maxBackoffMs !== undefined ? { ...restartBackoff, maxMs: Math.max(restartBackoff.initialMs, opts.maxBackoffMs) } : restartBackoff);
  const log = (line: string): void => fs.appendFileSync(logFile, `${new Date().toISOString()} supervisor: ${line}\n`);
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    stopped.abort();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // Bounded, so whoever stops us (gantry down) sees us gone with the component.
      setTimeout(() => {
        log(`component did not exit within ${killAfterMs} ms of SIGTERM; killing it`);
        child?.kill('SIGKILL');
      }, killAfterMs).unref();
    } else process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const status: SupervisorStatus = { supervisorPid: process.pid, restarts: 0, startedAt: new Date().toISOString() };
  // A status that cannot be written (a full disk) must not stop the supervision.
  const report = (): Promise<void> => writeFileAtomic(supervisorStatusFile(logFile), JSON.stringify(status) + '\n', 0o644).catch(() => undefined);
  for (;;) {
    const fd = fs.openSync(logFile, 'a');
    const started = realClock.now();
    child = spawn(command, args, { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    // Listening before anything is awaited: a component that exits at once is not missed.
    const exited = new Promise<number | null>((resolve) => {
      child!.once('exit', (c) => resolve(c));
      child!.once('error', (e) => {
        log(`cannot start ${command}: ${e.message}`);
        resolve(127);
      });
    });
    status.startedAt = new Date().toISOString();
    if (child.pid !== undefined) status.pid = child.pid;
    await report();
    const code = await exited;
    if (stopping) process.exit(0);
    // A component that ran a while before exiting starts again quickly; a crash loop backs off.
    if (realClock.now() - started > ranWellMs) backoff.reset();
    const delayMs = backoff.next();
    log(`component exited with code ${code}; restarting in ${delayMs} ms`);
    status.restarts++;
    status.lastExit = { code, at: new Date().toISOString() };
    delete status.pid;
    await report();
    // A SIGTERM during the wait ends it at once.
    await sleep(realClock, delayMs, stopped.signal);
    if (stopping) process.exit(0);
  }
}
