// The iptables rules of a service model, as chains of the nat and filter tables, and the
// iptables-restore input that moves the host from the rules it has to the rules it needs.
// Pure functions: the sync loop (serviceProxy.ts) runs the result, the table-driven tests
// read it. The layout follows kube-proxy's iptables mode with a GANTRY- prefix; README.md
// beside this file draws it.

import { createHash } from 'node:crypto';
import type { ServicePortModel } from './model.js';

export type Table = 'nat' | 'filter';
export const tables: readonly Table[] = ['filter', 'nat'];

/** One table's chains of ours: name -> rules (each the text after `-A <chain> `), in order. */
export type Chains = Map<string, string[]>;
export type RuleSet = Record<Table, Chains>;


export const chain = {
  services: 'GANTRY-SERVICES',
  nodePorts: 'GANTRY-NODEPORTS',
  markMasq: 'GANTRY-MARK-MASQ',
  postrouting: 'GANTRY-POSTROUTING',
  externalServices: 'GANTRY-EXTERNAL-SERVICES',
  forward: 'GANTRY-FORWARD',
  firewall: 'GANTRY-FIREWALL',
} as const;

const fixedChains = new Set<string>(Object.values(chain));

/**
 * Whether a chain is the proxy's: the fixed names above and the per-service and per-endpoint
 * chains. Other parts of Gantry own GANTRY- chains too (the pod network's GANTRY-POD-MASQ),
 * so full syncs and cleanup go by this, never by the prefix alone.
 */
export function isProxyChain(name: string): boolean {
  return fixedChains.has(name) || /^GANTRY-(SVC|SEP)-[0-9A-F]{16}$/.test(name);
}

/**
 * The packet mark meaning "masquerade this in POSTROUTING". kube-proxy uses 0x4000; another
 * bit keeps the two from clearing each other's mark on a machine that also runs kube-proxy.
 */
export const masqueradeMark = '0x20000';

/** A rule in a built-in chain that sends packets into ours; kept in place with -C/-I, never rewritten. */
export interface Jump {
  table: Table;
  /** The built-in chain. */
  from: string;
  /** The rule's text without `-j <target>`. */
  match: string;
  target: string;
}

/** Inserted at the top of the built-in chains, in this order. */
export const jumps: readonly Jump[] = [
  { table: 'nat', from: 'PREROUTING', match: '-m comment --comment "gantry service portals"', target: chain.services },
  { table: 'nat', from: 'OUTPUT', match: '-m comment --comment "gantry service portals"', target: chain.services },
  { table: 'nat', from: 'POSTROUTING', match: '-m comment --comment "gantry postrouting rules"', target: chain.postrouting },
  { table: 'filter', from: 'INPUT', match: '-m conntrack --ctstate NEW -m comment --comment "gantry externally-visible service portals"', target: chain.externalServices },
  { table: 'filter', from: 'INPUT', match: '-m comment --comment "gantry firewall"', target: chain.firewall },
  { table: 'filter', from: 'FORWARD', match: '-m conntrack --ctstate NEW -m comment --comment "gantry service portals"', target: chain.services },
  { table: 'filter', from: 'FORWARD', match: '-m comment --comment "gantry forwarding rules"', target: chain.forward },
  { table: 'filter', from: 'OUTPUT', match: '-m conntrack --ctstate NEW -m comment --comment "gantry service portals"', target: chain.services },
  { table: 'filter', from: 'OUTPUT', match: '-m comment --comment "gantry firewall"', target: chain.firewall },
];

export function jumpRule(j: Jump): string {
  return `${j.match} -j ${j.target}`;
}

function hash16(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16).toUpperCase();
}

/** The chain of one service port (27 characters: iptables allows 28). */
export function serviceChain(sp: Pick<ServicePortModel, 'name' | 'protocol'>): string {
  return `GANTRY-SVC-${hash16(sp.name, sp.protocol)}`;
}

/** The chain of one endpoint of one service port. */
export function endpointChain(sp: Pick<ServicePortModel, 'name' | 'protocol'>, ep: { ip: string; port: number }): string {
  return `GANTRY-SEP-${hash16(sp.name, sp.protocol, `${ep.ip}:${ep.port}`)}`;
}

/** Comments are quoted in the restore input; object names cannot hold quotes, but make sure. */
function comment(text: string): string {
  return `-m comment --comment "${text.replace(/[^A-Za-z0-9/:._ >-]/g, '_')}"`;
}

function proto(sp: ServicePortModel, port: number, flag = '--dport'): string {
  const p = sp.protocol.toLowerCase();
  return `-p ${p} -m ${p} ${flag} ${port}`;
}

export interface RenderOptions {
  /** Traffic to a ClusterIP from outside this range (hosts, other networks) is masqueraded; '' masquerades none. */
  clusterCidr: string;
}

/** The chains that must exist, with their rules, for these service ports. */
export function renderRules(ports: readonly ServicePortModel[], opts: RenderOptions): RuleSet {
  const nat: Chains = new Map();
  const filter: Chains = new Map();
  const services: string[] = [];
  const nodePorts: string[] = [];
  const rejects: string[] = [];
  const externalRejects: string[] = [];
  const mark = `${masqueradeMark}/${masqueradeMark}`;
  nat.set(chain.markMasq, [`-j MARK --or-mark ${masqueradeMark}`]);
  nat.set(chain.postrouting, [`-m mark ! --mark ${mark} -j RETURN`, `-j MARK --xor-mark ${masqueradeMark}`, `${comment('gantry service traffic requiring SNAT')} -j MASQUERADE --random-fully`]);

  for (const sp of ports) {
    const dst = `-d ${sp.clusterIP}/32 ${proto(sp, sp.port)}`;
    if (sp.endpoints.length === 0) {
      // Refused at once (a TCP reset for the client, ICMP for UDP) rather than left to time out.
      rejects.push(`${dst} ${comment(`${sp.name} has no endpoints`)} -j REJECT --reject-with icmp-port-unreachable`);
      if (sp.nodePort !== undefined) externalRejects.push(`-m addrtype --dst-type LOCAL ${proto(sp, sp.nodePort)} ${comment(`${sp.name} has no endpoints`)} -j REJECT --reject-with icmp-port-unreachable`);
      continue;
    }
    const svc = serviceChain(sp);
    services.push(`${dst} ${comment(`${sp.name} cluster IP`)} -j ${svc}`);
    if (sp.nodePort !== undefined) {
      // NodePort traffic is always masqueraded, so replies return through this host (externalTrafficPolicy Cluster).
      nodePorts.push(`${proto(sp, sp.nodePort)} ${comment(`${sp.name} node port`)} -j ${chain.markMasq}`);
      nodePorts.push(`${proto(sp, sp.nodePort)} ${comment(`${sp.name} node port`)} -j ${svc}`);
    }
    const svcRules: string[] = [];
    if (opts.clusterCidr) svcRules.push(`! -s ${opts.clusterCidr} ${dst} ${comment(`${sp.name} cluster IP`)} -j ${chain.markMasq}`);
    const seps = sp.endpoints.map((ep) => ({ ep, name: endpointChain(sp, ep) }));
    if (sp.affinitySeconds !== undefined) {
      // A client seen recently goes back to its endpoint; `recent` lists are per endpoint chain.
      for (const { ep, name } of seps) svcRules.push(`${comment(`${sp.name} -> ${ep.ip}:${ep.port}`)} -m recent --name ${name} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.affinitySeconds} --reap -j ${name}`);
    }
    seps.forEach(({ ep, name }, i) => {
      const left = seps.length - i;
      const pick = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : '';
      svcRules.push(`${comment(`${sp.name} -> ${ep.ip}:${ep.port}`)}${pick} -j ${name}`);
      const affinity = sp.affinitySeconds !== undefined ? ` -m recent --name ${name} --mask 255.255.255.255 --rsource --set` : '';
      nat.set(name, [
        // Hairpin: a pod reaching itself through its Service must not see its own address as the source.
        `-s ${ep.ip}/32 ${comment(sp.name)} -j ${chain.markMasq}`,
        `${comment(sp.name)} -p ${sp.protocol.toLowerCase()}${affinity} -m ${sp.protocol.toLowerCase()} -j DNAT --to-destination ${ep.ip}:${ep.port}`,
      ]);
    });
    nat.set(svc, svcRules);
  }
  // Last: node ports are open on every local address (addrtype LOCAL), as kube-proxy's are.
  services.push(`${comment('gantry service nodeports; must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j ${chain.nodePorts}`);
  nat.set(chain.services, services);
  nat.set(chain.nodePorts, nodePorts);

  filter.set(chain.services, rejects);
  filter.set(chain.externalServices, externalRejects);
  filter.set(chain.forward, [
    // kube-proxy's guard against spurious resets of long connections whose packets conntrack deems invalid.
    '-m conntrack --ctstate INVALID -j DROP',
    `${comment('gantry forwarding rules')} -m mark --mark ${mark} -j ACCEPT`,
    `${comment('gantry forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  ]);
  // route_localnet (needed for node ports on 127.0.0.1) would otherwise let other hosts reach 127.0.0.0/8.
  filter.set(chain.firewall, [`${comment('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`]);
  return { nat, filter };
}

export interface HostState {
  /** Our chains that exist now, per table. */
  chains: Record<Table, Set<string>>;
  /** Jumps from the built-in chains into ours that exist now (by jumpKey). */
  jumps: Set<string>;
  /** How many rules each chain of ours holds now. */
  ruleCounts: Record<Table, Map<string, number>>;
}

export function jumpKey(j: Pick<Jump, 'table' | 'from' | 'target'>): string {
  return `${j.table}/${j.from}/${j.target}`;
}

/** Reads which of our chains and jumps exist from `iptables-save` output. */
export function parseHostState(save: string): HostState {
  const state: HostState = { chains: { nat: new Set(), filter: new Set() }, jumps: new Set(), ruleCounts: { nat: new Map(), filter: new Map() } };
  let table: Table | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      const t = line.slice(1).trim();
      table = t === 'nat' || t === 'filter' ? t : undefined;
      continue;
    }
    if (!table) continue;
    if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0]!;
      if (isProxyChain(name)) state.chains[table].add(name);
    }
    const owner = /^-A (\S+) /.exec(line)?.[1];
    if (owner && isProxyChain(owner)) state.ruleCounts[table].set(owner, (state.ruleCounts[table].get(owner) ?? 0) + 1);
    const m = /^-A (\S+) .*-j (\S+)\s*$/.exec(line);
    if (m && isProxyChain(m[2]!) && !isProxyChain(m[1]!)) state.jumps.add(jumpKey({ table, from: m[1]!, target: m[2]! }));
  }
  return state;
}

/** The lines of `iptables-save` that jump from a built-in chain into ours (for cleanup). */
export function foreignJumpLines(save: string): Record<Table, string[]> {
  const out: Record<Table, string[]> = { nat: [], filter: [] };
  let table: Table | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      const t = line.slice(1).trim();
      table = t === 'nat' || t === 'filter' ? t : undefined;
    } else if (table) {
      const m = /^-A (\S+) .*-j (\S+)\s*$/.exec(line);
      if (m && isProxyChain(m[2]!) && !isProxyChain(m[1]!)) out[table].push(line);
    }
  }
  return out;
}

/** Chains of `applied` that the host lacks or holds a different number of rules in (someone changed them). */
export function driftedChains(applied: RuleSet, host: HostState): string[] {
  const out: string[] = [];
  for (const t of tables) for (const [name, rules] of applied[t]) if (!host.chains[t].has(name) || (host.ruleCounts[t].get(name) ?? 0) !== rules.length) out.push(`${t}/${name}`);
  return out;
}

export interface RestorePlan {
  /** The iptables-restore input (with --noflush); '' when the host already has what is wanted. */
  text: string;
  written: number;
  deleted: number;
}

function sameRules(a: string[] | undefined, b: string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);
}

/**
 * The restore input taking the host from `applied` (what our last successful sync wrote;
 * undefined when unknown) to `desired`. With `applied`, only changed chains are written and
 * vanished ones deleted; without, every chain is written and every chain of ours that
 * `host` shows and `desired` lacks is deleted. Missing jumps are inserted either way.
 * Declaring a chain (`:NAME - [0:0]`) flushes it under --noflush; undeclared chains stay as they are.
 */
export function planRestore(desired: RuleSet, applied: RuleSet | undefined, host: HostState | undefined): RestorePlan {
  let written = 0;
  let deleted = 0;
  const out: string[] = [];
  for (const table of tables) {
    const want = desired[table];
    const had = applied?.[table];
    const declare: string[] = [];
    const rules: string[] = [];
    const remove: string[] = [];
    for (const [name, list] of want) {
      if (had && sameRules(had.get(name), list)) continue;
      declare.push(`:${name} - [0:0]`);
      for (const r of list) rules.push(`-A ${name} ${r}`);
      written++;
    }
    const stale = had ? [...had.keys()] : [...(host?.chains[table] ?? [])];
    for (const name of stale) {
      if (want.has(name)) continue;
      declare.push(`:${name} - [0:0]`);
      remove.push(`-X ${name}`);
      deleted++;
    }
    const inserts: string[] = [];
    // Inserted at position 1 in reverse, so that they end up at the top in the listed order.
    for (const j of [...jumps].reverse()) {
      if (j.table !== table || !host || host.jumps.has(jumpKey(j))) continue;
      inserts.push(`-I ${j.from} 1 ${jumpRule(j)}`);
    }
    if (!declare.length && !inserts.length) continue;
    out.push(`*${table}`, ...declare, ...rules, ...remove, ...inserts, 'COMMIT');
  }
  return { text: out.length ? `${out.join('\n')}\n` : '', written, deleted };
}
