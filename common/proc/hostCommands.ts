// The host tools the pod network drives (ip, bridge, iptables-restore), run either in the
// agent's own network namespace (production: the agent lives in its host's namespace) or
// in a named one (tests program namespaces they created, from one process).

import { CommandError, run, type RunOptions, type RunResult } from './run.js';

export interface HostCommands {
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Like run, but a non-zero exit is a CommandError naming the command and its stderr. */
  checked(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

const commandTimeoutMs = 30_000;

/** Commands in this process's network namespace, or in the one at `netnsPath` (e.g. /run/netns/x). */
export function hostCommands(netnsPath?: string): HostCommands {
  const exec = (cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> => {
    const o = { timeoutMs: commandTimeoutMs, ...opts };
    return netnsPath ? run('nsenter', [`--net=${netnsPath}`, '--', cmd, ...args], o) : run(cmd, args, o);
  };
  return {
    run: exec,
    async checked(cmd, args, opts) {
      const r = await exec(cmd, args, opts);
      if (r.code !== 0 || r.timedOut) throw new CommandError([cmd, ...args].join(' '), r);
      return r;
    },
  };
}

/** `ip -j ...` / `bridge -j ...` output; an empty answer (nothing matched) is an empty list. */
export async function jsonList<T>(commands: HostCommands, cmd: string, args: readonly string[]): Promise<T[]> {
  const r = await commands.checked(cmd, ['-j', ...args]);
  const text = r.stdout.trim();
  return text ? (JSON.parse(text) as T[]) : [];
}
