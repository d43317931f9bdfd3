// The `gantry` command as a user types it, for tests and benches: run as a child process from
// the same tree (dist/ when compiled) with GANTRY_HOME set, in the machine's own network
// namespace or inside another (a second "machine"). Every output line is stamped with when it
// arrived, so the phases of a long command (`up`: images, control plane, hosts, Ready) can be
// told apart without changing the command.

import { spawn } from 'node:child_process';
import { componentCommand } from '../proc/components.js';

export interface StampedLine {
  /** performance.now() when the line arrived. */
  at: number;
  text: string;
}

export interface GantryResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order their lines arrived. */
  out: string;
  lines: StampedLine[];
}

export interface GantryOptions {
  /** Run inside this named network namespace (/run/netns/NAME). */
  netns?: string;
  /** SIGKILL after this long; default: never. */
  timeoutMs?: number;
  onLine?: (l: StampedLine) => void;
  /** Aborted: SIGTERM to the command (an interrupted bench stops its `up` before `down`). */
  signal?: AbortSignal;
}

/** Splits a stream into lines and stamps each with its arrival time. */
function lineStamper(into: StampedLine[], onLine?: (l: StampedLine) => void): { push: (d: Buffer) => void; end: () => void } {
  let buf = '';
  const emit = (text: string): void => {
    const l = { at: performance.now(), text };
    into.push(l);
    onLine?.(l);
  };
  return {
    push: (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        emit(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    },
    end: () => {
      if (buf) emit(buf);
      buf = '';
    },
  };
}

export function gantry(home: string, args: string[], opts: GantryOptions = {}): Promise<GantryResult> {
  const cli = componentCommand('cli/main');
  const [command, argv] = opts.netns ? ['nsenter', [`--net=/run/netns/${opts.netns}`, '--', cli.command, ...cli.args, ...args]] : [cli.command, [...cli.args, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env: { ...process.env, GANTRY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.signal ? { signal: opts.signal } : {}) });
    const lines: StampedLine[] = [];
    let stdout = '';
    let stderr = '';
    const outLines = lineStamper(lines, opts.onLine);
    const errLines = lineStamper(lines, opts.onLine);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      outLines.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      errLines.push(d);
    });
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    // An abort is reported as an error after the kill; the exit code says what happened.
    child.on('error', (e) => (e.name === 'AbortError' ? undefined : reject(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      outLines.end();
      errLines.end();
      resolve({ code: code ?? -1, stdout, stderr, out: lines.map((l) => l.text).join('\n'), lines });
    });
  });
}
