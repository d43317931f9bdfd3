// What a simulated process does, read from its command line. The simulated runtime runs no
// processes: it recognises the fixed vocabulary of the shared conformance suite
// (nodeagent/cri/conformance.ts `conformanceCommands`) — sleep, exit with a code, print
// then exit, exit on SIGTERM, sleep then exit, print a variable or the working directory,
// echo the arguments, write zero bytes, copy stdin, serve an echo port — and reduces it to a timeline: output
// at start, an exit after some time or never, an exit code on SIGTERM. Any other command
// is taken for a long-running service that never exits on its own, like `sleep` forever.

import type { LogStream } from '../runtime/logs/criLog.js';
import { parseShellScript, type ShellStatement } from './shellScript.js';

export type SimulatedOutput = { stream: LogStream; text: string } | { stream: LogStream; zeroBytes: number };

export interface SimulatedProgram {
  /** Whether the command is in the emulated vocabulary (false: treated as a service). */
  recognised: boolean;
  /** What the process writes as soon as it starts, in order. */
  output: readonly SimulatedOutput[];
  /** When it exits on its own, in ms after it starts; undefined: never. */
  exitAfterMs?: number;
  exitCode: number;
  /** Its exit code on SIGTERM; undefined: it ignores SIGTERM (as PID 1 without a handler does) and dies by SIGKILL. */
  exitCodeOnTerm?: number;
  /** Copies stdin to stdout and exits when stdin ends; without stdin it exits at once. */
  copiesStdin?: boolean;
  /** A TCP port on the pod's loopback where it serves each connection by echoing it (`nc -ll -p N -e cat`). */
  echoesOnPort?: number;
}

/** The process's view: its environment (`KEY=value` lines) and working directory. */
export interface SimulatedProcessContext {
  env: readonly string[];
  cwd: string;
}

export interface RecogniseOptions {
  /** Exit code on SIGTERM of commands outside the vocabulary; default: they ignore it, like `sleep`. */
  serviceExitCodeOnTerm?: number;
}

const services = new Map<number | undefined, SimulatedProgram>();

/** The shared, immutable program of every unrecognised command (no allocation per container). */
function service(exitCodeOnTerm: number | undefined): SimulatedProgram {
  let p = services.get(exitCodeOnTerm);
  if (!p) {
    p = Object.freeze({ recognised: false, output: Object.freeze([]) as readonly SimulatedOutput[], exitCode: 0, ...(exitCodeOnTerm !== undefined ? { exitCodeOnTerm } : {}) });
    services.set(exitCodeOnTerm, p);
  }
  return p;
}

/** busybox sleep's duration: seconds with an optional s/m/h/d suffix; `infinity` is never. */
function sleepMs(arg: string | undefined): number | undefined | 'never' {
  if (arg === 'infinity' || arg === 'inf') return 'never';
  const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(arg ?? '');
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit * 1000);
}

function exitStatus(arg: string | undefined): number | undefined {
  if (!arg || !/^\d+$/.test(arg)) return undefined;
  return Number(arg) & 255;
}

function envMap(env: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of env) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

const done = (output: SimulatedOutput[], exitCode: number, exitAfterMs = 0): SimulatedProgram => ({ recognised: true, output, exitAfterMs, exitCode });

/** A command run directly (not through a shell). */
function recogniseDirect(argv: readonly string[], ctx: SimulatedProcessContext): SimulatedProgram | undefined {
  const name = argv[0]!.slice(argv[0]!.lastIndexOf('/') + 1);
  const args = argv.slice(1);
  switch (name) {
    case 'sleep': {
      if (args.length !== 1) return undefined;
      const ms = sleepMs(args[0]);
      if (ms === undefined) return undefined;
      return ms === 'never' ? { recognised: true, output: [], exitCode: 0 } : done([], 0, ms);
    }
    case 'echo':
      return done([{ stream: 'stdout', text: `${args.join(' ')}\n` }], 0);
    case 'pwd':
      return args.length === 0 ? done([{ stream: 'stdout', text: `${ctx.cwd}\n` }], 0) : undefined;
    case 'true':
      return done([], 0);
    case 'false':
      return done([], 1);
    case 'cat':
      return args.length === 0 ? { recognised: true, output: [], exitAfterMs: 0, exitCode: 0, copiesStdin: true } : undefined;
    case 'head': {
      const n = args[0] === '-c' && /^\d+$/.test(args[1] ?? '') ? Number(args[1]) : undefined;
      return n !== undefined && args.length === 3 && args[2] === '/dev/zero' ? done([{ stream: 'stdout', zeroBytes: n }], 0) : undefined;
    }
    case 'nc': {
      // busybox nc as a persistent server that runs `cat` per connection: an echo service.
      const m = /^-ll -p (\d+) -e cat$/.exec(args.join(' '));
      const port = m ? Number(m[1]) : 0;
      return port >= 1 && port <= 65535 ? { recognised: true, output: [], exitCode: 0, echoesOnPort: port } : undefined;
    }
    case 'sh':
      return args[0] === '-c' && args[1] !== undefined ? recogniseScript(args[1], ctx) : undefined;
    default:
      return undefined;
  }
}

/** `trap "exit N" TERM`: the exit code on SIGTERM. */
function trapExit(words: readonly string[]): number | undefined {
  if (words.length !== 3 || !['TERM', 'SIGTERM', '15'].includes(words[2]!)) return undefined;
  const action = words[1]!.trim().split(/\s+/);
  return action[0] === 'exit' && action.length === 2 ? exitStatus(action[1]) : undefined;
}

/** `while true; do sleep X; done`: a loop that never ends. */
function isEndlessLoop(stmts: readonly ShellStatement[], i: number): boolean {
  const [head, body, end] = [stmts[i], stmts[i + 1], stmts[i + 2]];
  if (!head || !body || !end) return false;
  const trueCond = head.words.length === 2 && head.words[0] === 'while' && (head.words[1] === 'true' || head.words[1] === ':');
  const sleepBody = body.words[0] === 'do' && body.words[1] === 'sleep' && body.words.length === 3 && sleepMs(body.words[2]) !== undefined;
  return trueCond && sleepBody && end.words.length === 1 && end.words[0] === 'done';
}

/**
 * A script of the vocabulary's statements: echo (to stdout or stderr), pwd, sleep, exit,
 * true/false, a TERM trap that exits, an endless sleep loop. Output after a sleep is not
 * emulated (it would need a timer per container), so such a script is not recognised.
 */
function recogniseScript(script: string, ctx: SimulatedProcessContext): SimulatedProgram | undefined {
  const stmts = parseShellScript(script, envMap(ctx.env));
  if (!stmts) return undefined;
  const output: SimulatedOutput[] = [];
  let t = 0;
  let status = 0;
  let onTerm: number | undefined;
  const withTrap = (p: SimulatedProgram): SimulatedProgram => (onTerm !== undefined ? { ...p, exitCodeOnTerm: onTerm } : p);
  for (let i = 0; i < stmts.length; i++) {
    const { words, toStderr } = stmts[i]!;
    const stream: LogStream = toStderr ? 'stderr' : 'stdout';
    switch (words[0]) {
      case 'echo':
      case 'pwd': {
        if (t > 0) return undefined;
        if (words[0] === 'pwd' && words.length > 1) return undefined;
        output.push({ stream, text: `${words[0] === 'pwd' ? ctx.cwd : words.slice(1).join(' ')}\n` });
        status = 0;
        break;
      }
      case 'sleep': {
        const ms = words.length === 2 ? sleepMs(words[1]) : undefined;
        if (ms === undefined) return undefined;
        if (ms === 'never') return withTrap({ recognised: true, output, exitCode: 0 });
        t += ms;
        status = 0;
        break;
      }
      case 'exit': {
        const code = words.length === 1 ? status : exitStatus(words[1]);
        if (code === undefined || words.length > 2) return undefined;
        return withTrap(done(output, code, t));
      }
      case 'true':
      case ':':
      case 'false':
        if (words.length !== 1) return undefined;
        status = words[0] === 'false' ? 1 : 0;
        break;
      case 'trap': {
        const code = trapExit(words);
        if (code === undefined) return undefined;
        onTerm = code;
        break;
      }
      case 'while':
        if (!isEndlessLoop(stmts, i)) return undefined;
        return withTrap({ recognised: true, output, exitCode: 0 });
      default:
        return undefined;
    }
  }
  return withTrap(done(output, status, t));
}

/** The program `argv` stands for, in the context of its container. */
export function recogniseCommand(argv: readonly string[], ctx: SimulatedProcessContext, opts: RecogniseOptions = {}): SimulatedProgram {
  return (argv.length > 0 ? recogniseDirect(argv, ctx) : undefined) ?? service(opts.serviceExitCodeOnTerm);
}
