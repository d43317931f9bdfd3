// IPv4 CIDR arithmetic and the start-up check that the pod subnet clashes with no network
// the host already has (an address or a route on any interface but our own bridge).

import { run } from '../../common/proc/run.js';

export interface Cidr {
  base: number;
  prefix: number;
}

export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function parseCidr(s: string): Cidr | undefined {
  const [ip, len] = s.split('/');
  const addr = ip ? parseIpv4(ip) : undefined;
  const prefix = Number(len);
  if (addr === undefined || !/^\d{1,2}$/.test(len ?? '') || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (addr & mask) >>> 0, prefix };
}

function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Why `subnet` cannot be used on this host, or undefined when it is free. */
export async function subnetClash(subnet: string, ownBridge: string): Promise<string | undefined> {
  const mine = parseCidr(subnet);
  if (!mine) return `${JSON.stringify(subnet)} is not an IPv4 CIDR`;
  if (mine.prefix > 28) return `${subnet} is too small for pods (use /28 or larger)`;
  const addrs = await run('ip', ['-j', '-4', 'addr', 'show']);
  if (addrs.code === 0) {
    for (const link of JSON.parse(addrs.stdout) as { ifname: string; addr_info?: { local: string; prefixlen: number }[] }[]) {
      if (link.ifname === ownBridge) continue;
      for (const a of link.addr_info ?? []) {
        const theirs = parseCidr(`${a.local}/${a.prefixlen}`);
        if (theirs && overlaps(mine, theirs)) return `${subnet} overlaps ${a.local}/${a.prefixlen} on ${link.ifname}`;
      }
    }
  }
  const routes = await run('ip', ['-j', '-4', 'route', 'show']);
  if (routes.code === 0) {
    for (const r of JSON.parse(routes.stdout) as { dst: string; dev?: string }[]) {
      if (r.dst === 'default' || r.dev === ownBridge) continue;
      const theirs = parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
      if (theirs && overlaps(mine, theirs)) return `${subnet} overlaps the route to ${r.dst} via ${r.dev ?? '?'}`;
    }
  }
  return undefined;
}
