// Running iptables-save, iptables-restore, conntrack and sysctl for the proxy, through a
// runner that decides which network namespace they act in: the agent's own (production: the
// agent already lives in its host's netns) or a named one (`nsenter --net=/run/netns/<ns>`),
// so tests program a namespace of their own from inside the test process.

import { CommandError, type RunOptions, type RunResult } from '../../common/proc/run.js';
import { hostCommands, type HostCommands } from '../../common/proc/hostCommands.js';
import { foreignJumpLines, isProxyChain, parseHostState, tables, type HostState } from './rules.js';

/**
 * Runs the proxy's commands: `hostCommands()` in the agent's own netns, or
 * `hostCommands('/run/netns/<ns>')` inside a namespace (tests).
 */
export type CommandRunner = HostCommands;

export const hostRunner: CommandRunner = hostCommands();

/** iptables-save can be large with thousands of Services; it is read whole. */
const saveOutputBytes = 256 * 1024 * 1024;

function checked(runner: CommandRunner, cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runner.checked(cmd, args, opts);
}

/** The nat and filter tables as iptables-save prints them. */
export async function saveTables(runner: CommandRunner): Promise<string> {
  const parts: string[] = [];
  for (const t of tables) parts.push((await checked(runner, 'iptables-save', ['-t', t], { maxOutputBytes: saveOutputBytes })).stdout);
  return parts.join('\n');
}

export async function readHostState(runner: CommandRunner): Promise<HostState> {
  return parseHostState(await saveTables(runner));
}

/** Applies restore input atomically per table, leaving every chain it does not name alone. */
export async function restore(runner: CommandRunner, text: string): Promise<void> {
  await checked(runner, 'iptables-restore', ['--noflush', '--wait', '5'], { input: text, timeoutMs: 60_000 });
}

/**
 * Removes every chain of the proxy (isProxyChain) and every jump into one from the nat and filter tables, in one
 * iptables-restore. Returns what it removed (chain names and jump lines); harmless when
 * there is nothing.
 */
export async function cleanupProxyRules(runner: CommandRunner): Promise<string[]> {
  const save = await saveTables(runner);
  const state = parseHostState(save);
  const foreign = foreignJumpLines(save);
  const out: string[] = [];
  const removed: string[] = [];
  for (const t of tables) {
    const chains = [...state.chains[t]];
    if (!chains.length && !foreign[t].length) continue;
    out.push(`*${t}`);
    // A deleted rule is named by its full text; iptables-save prints it in the form restore reads.
    for (const line of foreign[t]) out.push(`-D${line.slice(2)}`);
    for (const c of chains) out.push(`:${c} - [0:0]`);
    for (const c of chains) out.push(`-X ${c}`);
    out.push('COMMIT');
    removed.push(...foreign[t].map((l) => `${t}: ${l}`), ...chains.map((c) => `${t}: ${c}`));
  }
  if (out.length) await restore(runner, `${out.join('\n')}\n`);
  return removed;
}

/** Whether any chain or jump of ours is left (teardown checks). */
export async function proxyRulesLeft(runner: CommandRunner): Promise<string[]> {
  const save = await saveTables(runner);
  return save.split('\n').filter((l) => (l.match(/GANTRY-[A-Z0-9-]+/g) ?? []).some(isProxyChain));
}

/**
 * Lets node ports answer on 127.0.0.1 (kube-proxy's localhost node ports): packets DNATed
 * away from loopback must be routable. The firewall chain keeps other hosts out of 127/8.
 */
export async function enableLocalhostNodePorts(runner: CommandRunner): Promise<void> {
  await checked(runner, 'sysctl', ['-q', '-w', 'net.ipv4.conf.all.route_localnet=1']);
}

/**
 * Deletes conntrack entries of UDP flows, so a client's next datagram goes through the
 * current rules (UDP has no handshake to fail: an entry would keep it at a removed endpoint
 * until it times out). `filter` is conntrack's own selection (e.g. --orig-dst, --dst-nat).
 * Returns false when the conntrack tool is not installed.
 */
export async function deleteUdpConntrack(runner: CommandRunner, filter: string[]): Promise<boolean> {
  let r: RunResult;
  try {
    r = await runner.run('conntrack', ['-D', '-p', 'udp', ...filter]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if (r.code === 127) return false; // nsenter could not find it
  // 1 with "0 flow entries have been deleted" is not a failure.
  if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) throw new CommandError(`conntrack -D -p udp ${filter.join(' ')}`, r);
  return true;
}
