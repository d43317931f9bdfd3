// Removing the iptables state CNI plugins leave behind: the rules of one CNI network (found
// by the network name in their comments) and the portmap plugin's shared chains, which the
// plugin never deletes itself. Used by `gantry down` (through the agent's teardown) and tests.

import { run } from '../../common/proc/run.js';

/** The portmap plugin's shared nat chains and the rules that jump to them (it never deletes them itself). */
const hostportChains = ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK'];

export async function hostportChainsExist(): Promise<boolean> {
  return (await run('iptables', ['-t', 'nat', '-S', 'CNI-HOSTPORT-DNAT'])).code === 0;
}

/** Removes the shared portmap chains that tests caused to exist; returns what could not be removed. */
export async function removeHostportChains(): Promise<string[]> {
  const save = await run('iptables-save', ['-t', 'nat']);
  const jumps = save.stdout.split('\n').filter((l) => l.startsWith('-A ') && hostportChains.some((c) => l.endsWith(`-j ${c}`)) && !hostportChains.some((c) => l.startsWith(`-A ${c} `)));
  const left: string[] = [];
  for (const rule of jumps) {
    // iptables-save quotes comments; the argument list is the rule with -A turned into -D.
    const args = (rule.match(/"[^"]*"|\S+/g) ?? []).map((a) => a.replace(/^"|"$/g, ''));
    args[0] = '-D';
    if ((await run('iptables', ['-t', 'nat', ...args])).code !== 0) left.push(rule);
  }
  for (const chain of hostportChains) {
    await run('iptables', ['-t', 'nat', '-F', chain]);
    const x = await run('iptables', ['-t', 'nat', '-X', chain]);
    if (x.code !== 0 && (await run('iptables', ['-t', 'nat', '-S', chain])).code === 0) left.push(chain);
  }
  return left;
}

/** Deletes rules whose text mentions `marker` (the CNI network name is in their comments) and the chains they jump to. */
export async function removeIptablesRules(marker: string): Promise<string[]> {
  const removed: string[] = [];
  for (const table of ['nat', 'filter']) {
    const chains = (await run('iptables', ['-t', table, '-S'])).stdout
      .split('\n')
      .filter((l) => l.startsWith('-P ') || l.startsWith('-N '))
      .map((l) => l.split(' ')[1]!);
    const targets = new Set<string>();
    for (const chain of chains) {
      const listing = await run('iptables', ['-t', table, '-L', chain, '-n', '--line-numbers']);
      const hits = listing.stdout
        .split('\n')
        .filter((l) => l.includes(marker))
        .map((l) => ({ n: Number(l.split(/\s+/)[0]), target: l.split(/\s+/)[1] ?? '' }))
        .filter((h) => Number.isInteger(h.n) && h.n > 0)
        .sort((a, b) => b.n - a.n);
      for (const h of hits) {
        await run('iptables', ['-t', table, '-D', chain, String(h.n)]);
        removed.push(`${table}/${chain}#${h.n}`);
        if (h.target.startsWith('CNI-') && !h.target.startsWith('CNI-HOSTPORT-')) targets.add(h.target);
      }
    }
    for (const t of targets) {
      await run('iptables', ['-t', table, '-F', t]);
      await run('iptables', ['-t', table, '-X', t]);
    }
  }
  return removed;
}
