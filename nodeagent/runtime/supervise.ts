// Starting a runc container under conmon and ending it: the steps the pause process and the
// pod's containers share. Exits are observed through conmon's exit files only, so the same
// code works whether this process started the container or a previous incarnation did.

import fs from 'node:fs/promises';
import path from 'node:path';
import { createWithConmon, readExit, type ExitRecord } from './conmon.js';
import type { RuntimeContext } from './context.js';
import { pollUntil } from '../../common/proc/run.js';

export interface LaunchSpec {
  id: string;
  /** A readable name for conmon's logs: pod or container name. */
  name: string;
  bundle: string;
  persistDir: string;
  logPath?: string;
  terminal?: boolean;
  stdin?: boolean;
  leaveStdinOpen?: boolean;
}

/** conmon + `runc create`: the container exists, its process waits for `runc start`. */
export async function conmonCreate(ctx: RuntimeContext, l: LaunchSpec): Promise<number> {
  await fs.mkdir(l.persistDir, { recursive: true, mode: 0o700 });
  const { pid } = await createWithConmon({
    conmonPath: ctx.opts.conmonPath,
    runcPath: ctx.opts.runcPath,
    runcRoot: ctx.layout.runcRoot,
    id: l.id,
    name: l.name,
    bundle: l.bundle,
    containerPidFile: path.join(l.persistDir, 'container.pid'),
    conmonPidFile: path.join(l.persistDir, 'conmon.pid'),
    ...(l.logPath ? { logPath: l.logPath } : {}),
    ...(ctx.opts.logSizeMax > 0 ? { logSizeMax: ctx.opts.logSizeMax } : {}),
    exitDir: ctx.layout.exitDir,
    persistDir: l.persistDir,
    socketDir: ctx.layout.socketDir,
    terminal: l.terminal === true,
    stdin: l.stdin === true,
    leaveStdinOpen: l.leaveStdinOpen === true,
  });
  return pid;
}

export function exitOf(ctx: RuntimeContext, id: string, persistDir: string): Promise<ExitRecord | undefined> {
  return readExit(ctx.layout.exitDir, persistDir, id);
}

export function waitForExit(ctx: RuntimeContext, id: string, persistDir: string, timeoutMs: number): Promise<ExitRecord | undefined> {
  return pollUntil(() => exitOf(ctx, id, persistDir), timeoutMs, 20);
}

/** Whether the conmon recorded in `persistDir` still runs (it writes the exit file; without it none comes). */
async function conmonRuns(persistDir: string): Promise<boolean> {
  let pid: number;
  try {
    pid = Number((await fs.readFile(path.join(persistDir, 'conmon.pid'), 'utf8')).trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('conmon');
  } catch {
    return false;
  }
}

/**
 * The exit record, or undefined once it cannot come: conmon is gone (killed with its host,
 * say) and runc no longer has the container running. Waiting the full timeout for a file no
 * one will write made a restarted agent take ~10 s per container to clean up after a crash.
 */
function waitForExitOrOrphan(ctx: RuntimeContext, id: string, persistDir: string, timeoutMs: number): Promise<ExitRecord | undefined> {
  return pollUntil(
    async () => {
      const exit = await exitOf(ctx, id, persistDir);
      if (exit) return exit;
      if (await conmonRuns(persistDir)) return undefined;
      const state = await ctx.runc.state(id).catch(() => undefined);
      if (state?.status === 'running' || state?.status === 'paused') return undefined;
      return 'gone' as const;
    },
    timeoutMs,
    20,
  ).then((r) => (r === 'gone' ? undefined : r));
}

/**
 * SIGTERM, up to `graceMs` for the process to end, then SIGKILL to every process of the
 * container. Resolves with conmon's exit record, or undefined if none came.
 */
export async function terminate(ctx: RuntimeContext, id: string, persistDir: string, graceMs: number): Promise<ExitRecord | undefined> {
  let exit = await exitOf(ctx, id, persistDir);
  if (exit) return exit;
  if (graceMs > 0) {
    const signalled = await ctx.runc.kill(id, 'TERM');
    if (signalled) {
      exit = await waitForExitOrOrphan(ctx, id, persistDir, graceMs);
      if (exit) return exit;
    }
  }
  await ctx.runc.kill(id, 'KILL', true).catch(async () => ctx.runc.kill(id, 'KILL'));
  return waitForExitOrOrphan(ctx, id, persistDir, 10_000);
}

/** Removes conmon's leftovers for `id` outside the container's own directory. */
export async function forgetConmonFiles(ctx: RuntimeContext, id: string): Promise<void> {
  await fs.rm(ctx.layout.exitFile(id), { force: true });
  // A symlink to the bundle (conmon's attach socket directory): unlinked, never followed.
  await fs.rm(path.join(ctx.layout.socketDir, id), { force: true });
}
