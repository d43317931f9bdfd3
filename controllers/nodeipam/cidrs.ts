// The pod CIDR arithmetic of node IPAM (Kubernetes' range allocator, IPv4): the cluster CIDR
// is cut into subnets of `nodeMaskSize` bits, numbered from 0; a node's podCIDR is one of
// them. Parsing and formatting go through ipaddr.js.

import ipaddr from 'ipaddr.js';

export interface ClusterCidr {
  /** The network address as a 32-bit number. */
  base: number;
  prefix: number;
  nodeMaskSize: number;
  /** How many node subnets fit. */
  size: number;
}

function toNumber(a: ipaddr.IPv4): number {
  return a.toByteArray().reduce((n, b) => n * 256 + b, 0);
}

function fromNumber(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Throws an Error naming the problem for a malformed CIDR or a node mask that does not fit. */
export function parseClusterCidr(cidr: string, nodeMaskSize: number): ClusterCidr {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr);
  } catch {
    throw new Error(`clusterCIDR ${JSON.stringify(cidr)} is not a CIDR`);
  }
  const [addr, prefix] = parsed;
  if (addr.kind() !== 'ipv4') throw new Error(`clusterCIDR ${cidr}: only IPv4 is supported`);
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < prefix || nodeMaskSize > 30) throw new Error(`nodeCIDRMaskSize ${nodeMaskSize} must be between the cluster prefix (${prefix}) and 30`);
  const base = toNumber(ipaddr.IPv4.networkAddressFromCIDR(cidr));
  return { base, prefix, nodeMaskSize, size: 2 ** (nodeMaskSize - prefix) };
}

export function subnetAt(c: ClusterCidr, index: number): string {
  return `${fromNumber(c.base + index * 2 ** (32 - c.nodeMaskSize))}/${c.nodeMaskSize}`;
}

/** The index of `cidr` in the cluster range, or undefined when it is not one of its node subnets. */
export function indexOf(c: ClusterCidr, cidr: string): number | undefined {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr);
  } catch {
    return undefined;
  }
  const [addr, prefix] = parsed;
  if (addr.kind() !== 'ipv4' || prefix !== c.nodeMaskSize) return undefined;
  const offset = toNumber(addr as ipaddr.IPv4) - c.base;
  const step = 2 ** (32 - c.nodeMaskSize);
  if (offset < 0 || offset % step !== 0 || offset / step >= c.size) return undefined;
  return offset / step;
}

/** The lowest index not in `used`, or undefined when the range is full. */
export function firstFree(c: ClusterCidr, used: ReadonlySet<number>): number | undefined {
  for (let i = 0; i < c.size; i++) if (!used.has(i)) return i;
  return undefined;
}
