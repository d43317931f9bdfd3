// The runc command line, with a state root of the runtime's own (not /run/runc), so that
// several node agents and a host's other runc users never see each other's containers.

import { CommandError, run, runChecked } from '../../common/proc/run.js';

export type RuncStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface RuncState {
  id: string;
  pid: number;
  status: RuncStatus;
  bundle: string;
  created: string;
}

function isState(v: unknown): v is RuncState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s.id === 'string' && typeof s.pid === 'number' && typeof s.status === 'string';
}

export class Runc {
  constructor(
    readonly binary: string,
    readonly stateRoot: string,
  ) {}

  globalArgs(): string[] {
    return ['--root', this.stateRoot];
  }

  /** undefined when runc does not know the container. */
  async state(id: string): Promise<RuncState | undefined> {
    const r = await run(this.binary, [...this.globalArgs(), 'state', id], { timeoutMs: 30_000 });
    if (r.code !== 0) {
      if (/does not exist|not exist|no such/i.test(r.stderr)) return undefined;
      throw new CommandError(`runc state ${id}`, r);
    }
    const parsed: unknown = JSON.parse(r.stdout);
    if (!isState(parsed)) throw new Error(`runc state ${id}: unexpected output`);
    return parsed;
  }

  async list(): Promise<RuncState[]> {
    const r = await runChecked(this.binary, [...this.globalArgs(), 'list', '--format', 'json'], { timeoutMs: 30_000 });
    const parsed: unknown = JSON.parse(r.stdout.trim() || '[]');
    return Array.isArray(parsed) ? parsed.filter(isState) : [];
  }

  async start(id: string): Promise<void> {
    await runChecked(this.binary, [...this.globalArgs(), 'start', id], { timeoutMs: 60_000 });
  }

  /** Sends `signal`; false when the container has no process left to signal. */
  async kill(id: string, signal: 'TERM' | 'KILL' | string, all = false): Promise<boolean> {
    const r = await run(this.binary, [...this.globalArgs(), 'kill', ...(all ? ['--all'] : []), id, signal], { timeoutMs: 30_000 });
    if (r.code === 0) return true;
    if (/not running|does not exist|process already finished|container not running/i.test(r.stderr)) return false;
    throw new CommandError(`runc kill ${id} ${signal}`, r);
  }

  /** Deletes runc's state (and the container's cgroup); --force kills a live one first. */
  async delete(id: string): Promise<void> {
    const r = await run(this.binary, [...this.globalArgs(), 'delete', '--force', id], { timeoutMs: 60_000 });
    if (r.code !== 0 && !/does not exist|not exist/i.test(r.stderr)) throw new CommandError(`runc delete ${id}`, r);
  }

  execArgs(id: string, cmd: readonly string[], opts: { pidFile: string; tty?: boolean; processFile?: string }): string[] {
    // A whole process spec (args, env, terminal, console size) replaces every other process flag.
    if (opts.processFile) return [...this.globalArgs(), 'exec', '--pid-file', opts.pidFile, '--process', opts.processFile, id];
    // A terminal session gets TERM, as containerd gives it, so shells and editors behave.
    return [...this.globalArgs(), 'exec', '--pid-file', opts.pidFile, ...(opts.tty ? ['--tty', '--env', 'TERM=xterm'] : []), id, ...cmd];
  }

  async version(): Promise<string> {
    const r = await run(this.binary, ['--version']);
    return /runc version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
  }
}
