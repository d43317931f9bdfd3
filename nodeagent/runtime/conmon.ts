// conmon supervises each container, as it does for CRI-O and Podman: it runs `runc create`,
// then stays as the container's parent (a subreaper, detached into its own session), copies
// stdout/stderr into the CRI log file (its k8s-file driver), and when the process exits
// writes the exit code to <exit dir>/<id> and <persist dir>/exit, plus <persist dir>/oom
// after an OOM kill. None of that needs us alive: a restarted node agent reads the files.
//
// The handshake: conmon reports the container's pid (or runc's error) as one JSON line on
// the fd named by _OCI_SYNCPIPE; the container then waits in `created` for `runc start`.

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface ConmonCreateOptions {
  conmonPath: string;
  runcPath: string;
  runcRoot: string;
  id: string;
  name: string;
  bundle: string;
  containerPidFile: string;
  conmonPidFile: string;
  /** A CRI-format log file; undefined discards output (the pause process). */
  logPath?: string;
  logSizeMax?: number;
  exitDir: string;
  persistDir: string;
  socketDir: string;
  terminal?: boolean;
  /** A pipe to the container's stdin, fed through the attach socket (`conmon -i`). */
  stdin?: boolean;
  /** Keep that stdin open when an attached client goes away (Kubernetes' stdinOnce=false). */
  leaveStdinOpen?: boolean;
  timeoutMs?: number;
}

export class ConmonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConmonError';
  }
}

function conmonArgs(o: ConmonCreateOptions): string[] {
  const args = [
    '-c', o.id,
    '-u', o.id,
    '-n', o.name,
    '-r', o.runcPath,
    '--runtime-arg', `--root=${o.runcRoot}`,
    '-b', o.bundle,
    '-p', o.containerPidFile,
    '-P', o.conmonPidFile,
    '-l', o.logPath ? `k8s-file:${o.logPath}` : 'none:',
    '--exit-dir', o.exitDir,
    '-0', o.persistDir,
    '--socket-dir-path', o.socketDir,
    '--log-level', 'warning',
  ];
  if (o.logSizeMax && o.logSizeMax > 0) args.push('--log-size-max', String(o.logSizeMax));
  if (o.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  if (o.stdin && o.leaveStdinOpen) args.push('--leave-stdin-open');
  return args;
}

/** Reads one newline-terminated line (bounded) from a stream, or what it had at EOF. */
function readLine(stream: Readable, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (err: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.removeAllListeners('end');
      stream.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    };
    const timer = setTimeout(() => done(new ConmonError(`conmon did not report within ${timeoutMs} ms`)), timeoutMs);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(undefined, buf.slice(0, nl));
      else if (buf.length > 64 * 1024) done(new ConmonError('conmon sent an oversized sync message'));
    });
    stream.on('end', () => done(undefined, buf));
    stream.on('error', (e) => done(e));
  });
}

/** Starts conmon, which runs `runc create`; resolves with the container's pid. */
export async function createWithConmon(o: ConmonCreateOptions): Promise<{ pid: number; conmonPid: number | undefined }> {
  const child = spawn(o.conmonPath, conmonArgs(o), {
    // fd 3 is the sync pipe (a socketpair from Node; conmon only writes to it).
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' },
    detached: true,
    cwd: o.bundle,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    if (stderr.length < 8192) stderr += c;
  });
  const spawnError = new Promise<never>((_, reject) => child.on('error', (e) => reject(new ConmonError(`cannot run conmon: ${e.message}`))));
  const sync = child.stdio[3] as Readable;
  const line = await Promise.race([readLine(sync, o.timeoutMs ?? 60_000), spawnError]);
  child.unref();
  child.stderr!.destroy();
  let msg: { data?: unknown; pid?: unknown; message?: unknown };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    throw new ConmonError(`conmon failed without a report${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
  }
  const pid = typeof msg.data === 'number' ? msg.data : typeof msg.pid === 'number' ? msg.pid : -1;
  if (pid <= 0) {
    const why = typeof msg.message === 'string' ? msg.message.trim() : 'unknown error';
    throw new ConmonError(`runc create failed: ${cleanRuncMessage(why)}`);
  }
  return { pid, conmonPid: await readPidFile(o.conmonPidFile) };
}

/** runc reports errors as logfmt (`time=... level=error msg="..."`); keep the message. */
export function cleanRuncMessage(s: string): string {
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(s);
  return m ? m[1]!.replace(/\\"/g, '"') : s;
}

export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const n = Number((await fs.readFile(file, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export interface ExitRecord {
  exitCode: number;
  /** When conmon wrote the file: the process's end, to the precision of the filesystem. */
  finishedAt: number;
  oomKilled: boolean;
}

/** What conmon recorded for a finished container; undefined while it runs. */
export async function readExit(exitDir: string, persistDir: string, id: string): Promise<ExitRecord | undefined> {
  for (const file of [path.join(exitDir, id), path.join(persistDir, 'exit')]) {
    try {
      const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
      const code = Number(text.trim());
      if (!Number.isInteger(code)) continue;
      const oomKilled = await fs.stat(path.join(persistDir, 'oom')).then(
        () => true,
        () => false,
      );
      return { exitCode: code, finishedAt: Math.floor(st.mtimeMs), oomKilled };
    } catch {
      // not written yet
    }
  }
  return undefined;
}
