// Processes seen through /proc, the way an operator finds them: a supervisor's child, a
// command line to start a process again with, the processes of a cgroup tree. Signals go to
// PIDs only, never to names.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../proc/pids.js';

/** How a running process was started: enough to start it again the same way. */
export interface ProcessLaunch {
  pid: number;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** /proc's NUL-terminated lists; empty arguments inside the list are kept. */
function nulSplit(text: string): string[] {
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Reads /proc/<pid>/{cmdline,cwd,environ}; throws when the process is gone. */
export function launchOf(pid: number): ProcessLaunch {
  const argv = nulSplit(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  if (argv.length === 0) throw new Error(`pid ${pid} has no command line (a zombie or a kernel thread)`);
  const env: Record<string, string> = {};
  for (const kv of nulSplit(fs.readFileSync(`/proc/${pid}/environ`, 'utf8'))) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { pid, argv, cwd: fs.readlinkSync(`/proc/${pid}/cwd`), env };
}

/** The parent PID from /proc/<pid>/stat (the field after the parenthesised command name). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** PIDs whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && parentOf(Number(entry)) === pid) out.push(Number(entry));
  }
  return out;
}

/**
 * The component a `gantry supervise` process keeps running: its child whose command line is
 * the tail of the supervisor's own (`supervise --log FILE -- COMMAND...`; for a host's agent
 * the tail after `nsenter ... --`, which execs it). Other children it may have for a moment
 * do not count.
 */
export function supervisedChild(supervisorPid: number): number {
  const own = launchOf(supervisorPid).argv;
  const isTail = (argv: string[]): boolean => argv.length > 0 && argv.length < own.length && argv.every((a, i) => a === own[own.length - argv.length + i]);
  const children = childrenOf(supervisorPid).filter((pid) => {
    try {
      return isTail(launchOf(pid).argv);
    } catch {
      return false; // exited meanwhile, or a zombie
    }
  });
  if (children.length !== 1) throw new Error(`supervisor ${supervisorPid} runs ${children.length} copies of its component (${children.join(', ')}), expected one`);
  return children[0]!;
}

export function sigkill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `launch` again, detached in its own session, stdout and stderr appended to `logFile`,
 * as `gantry up` started it. Returns the new PID.
 */
export function relaunch(launch: ProcessLaunch, logFile: string): number {
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn(launch.argv[0]!, launch.argv.slice(1), { cwd: launch.cwd, env: launch.env, detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${launch.argv.join(' ')}`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/** Every directory at or below `top`. */
function dirsBelow(top: string): string[] {
  const out = [top];
  for (let i = 0; i < out.length; i++) {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(out[i]!, { withFileTypes: true });
    } catch {
      continue; // removed meanwhile
    }
    for (const e of entries) if (e.isDirectory()) out.push(path.join(out[i]!, e.name));
  }
  return out;
}

/** PIDs in the cgroup trees `tops` (every hierarchy's copy of one cgroup, e.g. from cgroupDirs). */
export function pidsInCgroups(tops: string[]): number[] {
  const pids = new Set<number>();
  for (const top of tops) {
    for (const dir of dirsBelow(top)) {
      let procs = '';
      try {
        procs = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
      } catch {
        continue;
      }
      for (const line of procs.split('\n')) if (line.trim()) pids.add(Number(line));
    }
  }
  return [...pids].filter(isAlive);
}

/** Directories named `name` at any depth below `tops` (a pod's cgroup, `pod<uid>`, in every hierarchy). */
export function cgroupsNamed(tops: string[], name: string): string[] {
  return tops.flatMap((top) => dirsBelow(top).filter((d) => path.basename(d) === name));
}
