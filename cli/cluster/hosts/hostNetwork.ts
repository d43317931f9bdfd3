// The network `gantry up` puts its hosts on: a Linux bridge in the machine's namespace whose
// address is the control plane's (the API server, registry and DNS server are reached
// there), on a private /24 that overlaps none of the machine's own routes or addresses, so
// it never shadows a network the machine already uses.

import ipaddr from 'ipaddr.js';
import { jsonList, type HostCommands } from '../../../common/proc/hostCommands.js';

export interface HostNetwork {
  bridge: string;
  /** e.g. 172.31.240.0/24 */
  cidr: string;
  /** The bridge's address, the control plane's address on the host network (`.1`). */
  gateway: string;
}

/** Tried in order when no --host-cidr is given: the top of 172.16.0.0/12, rarely used by anyone. */
export function candidateCidrs(): string[] {
  const out: string[] = [];
  for (let third = 240; third <= 255; third++) out.push(`172.31.${third}.0/24`);
  for (let third = 0; third < 240; third++) out.push(`172.31.${third}.0/24`);
  return out;
}

function overlaps(a: string, b: string): boolean {
  const [aa, al] = ipaddr.parseCIDR(a);
  const [ba, bl] = ipaddr.parseCIDR(b);
  if (aa.kind() !== 'ipv4' || ba.kind() !== 'ipv4') return false;
  // Two prefixes overlap when the shorter contains the other's network address.
  return al <= bl ? ba.match(aa, al) : aa.match(ba, bl);
}

interface RouteJson {
  dst: string;
}
interface AddrJson {
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

/** Every IPv4 prefix the machine routes or holds (the default route excluded: it overlaps everything). */
export async function machinePrefixes(commands: HostCommands): Promise<string[]> {
  const routes = await jsonList<RouteJson>(commands, 'ip', ['-4', 'route', 'show', 'table', 'all']);
  const addrs = await jsonList<AddrJson>(commands, 'ip', ['-4', 'addr', 'show']);
  const out = new Set<string>();
  for (const r of routes) {
    if (!r.dst || r.dst === 'default') continue;
    out.add(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
  }
  for (const a of addrs.flatMap((x) => x.addr_info ?? [])) if (a.family === 'inet') out.add(`${a.local}/${a.prefixlen}`);
  // Loopback and link-local are never ours to take.
  return [...out].filter((p) => ipaddr.isValidCIDR(p));
}

/** The first candidate overlapping none of `taken`; throws when all are. */
export function chooseCidr(candidates: readonly string[], taken: readonly string[]): string {
  const free = candidates.find((c) => !taken.some((t) => overlaps(c, t)));
  if (!free) throw new Error(`every candidate host network overlaps a network of this machine (${taken.join(', ')}); pass --host-cidr`);
  return free;
}

export function gatewayOf(cidr: string): string {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  if (addr.kind() !== 'ipv4' || len > 29) throw new Error(`host network ${cidr}: expected an IPv4 CIDR of /29 or larger`);
  const bytes = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray();
  bytes[3]! += 1;
  return ipaddr.fromByteArray(bytes).toString();
}

/** The address of host `index` (0-based): .11, .12, ... (room below for the control plane). */
export function hostAddress(cidr: string, index: number): string {
  const [, len] = ipaddr.parseCIDR(cidr);
  const size = 2 ** (32 - len);
  if (11 + index >= size - 1) throw new Error(`host network ${cidr} has no room for ${index + 1} hosts`);
  const n = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray().reduce((acc, b) => acc * 256 + b, 0) + 11 + index;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Creates the bridge with the gateway address (adopting one left by a previous `up` of the same cluster). */
export async function createHostNetwork(commands: HostCommands, bridge: string, cidr: string): Promise<HostNetwork> {
  const gateway = gatewayOf(cidr);
  const [, len] = ipaddr.parseCIDR(cidr);
  if ((await commands.run('ip', ['link', 'show', 'dev', bridge])).code !== 0) await commands.checked('ip', ['link', 'add', bridge, 'type', 'bridge']);
  await commands.checked('ip', ['addr', 'replace', `${gateway}/${len}`, 'dev', bridge]);
  await commands.checked('ip', ['link', 'set', bridge, 'up']);
  // Bridged traffic between hosts passes the machine's FORWARD chain when br_netfilter is
  // loaded; a DROP policy there (Docker sets one) must not cut the hosts apart.
  const accept = ['FORWARD', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', `gantry host network ${bridge}`, '-j', 'ACCEPT'];
  if ((await commands.run('iptables', ['-w', '5', '-C', ...accept])).code !== 0) await commands.checked('iptables', ['-w', '5', '-I', ...accept]);
  return { bridge, cidr, gateway };
}

export async function removeHostNetwork(commands: HostCommands, bridge: string): Promise<void> {
  const accept = ['FORWARD', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', `gantry host network ${bridge}`, '-j', 'ACCEPT'];
  while ((await commands.run('iptables', ['-w', '5', '-D', ...accept])).code === 0) {
    // added once per `up`; removed until none is left
  }
  if ((await commands.run('ip', ['link', 'show', 'dev', bridge])).code === 0) await commands.checked('ip', ['link', 'del', bridge]);
}
