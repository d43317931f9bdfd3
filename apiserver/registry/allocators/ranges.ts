// The two ranges a Service draws from: the service CIDR (cluster IPs) and the node-port
// range. Both are a row of numbered slots split into a small lower band, kept for values
// users pick themselves (a DNS service at .10), and an upper band that dynamic allocation
// tries first (Kubernetes' KEP-3070 for IPs, KEP-3668 for node ports).

import ipaddr from 'ipaddr.js';

/** A numbered row of allocatable values. */
export interface AllocationRange {
  /** How many values the range holds. */
  readonly size: number;
  /** Values below this index form the lower band, used only when the upper band is full. */
  readonly lowerBand: number;
  /** The value in slot `i` (0 <= i < size), as the claim name and the API field print it. */
  at(i: number): string;
  /** The slot of a value, or undefined when the value is not in the range. */
  slotOf(value: string): number | undefined;
  /** How the range is named in "not in the valid range" errors. */
  readonly text: string;
}

/** min(max(min, size/step), max), or 0 for ranges too small to split. */
function bandSize(size: number, min: number, max: number, step: number): number {
  if (size <= min) return 0;
  return Math.min(Math.max(min, Math.floor(size / step)), max);
}

/** A well-formed setting the API server cannot start with. */
export class RangeConfigError extends Error {}

/** Kubernetes refuses service CIDRs wider than 2^20 addresses for IPv4 (a /12). */
const widestIPv4Prefix = 12;

export class ServiceIPRange implements AllocationRange {
  readonly family = 'IPv4' as const;
  readonly size: number;
  readonly lowerBand: number;
  readonly text: string;
  /** The network address, e.g. 10.96.0.0: what a dry run shows instead of a real pick. */
  readonly network: string;
  /** Numeric value of the first allocatable address (network + 1). */
  private readonly first: number;

  private constructor(cidr: string, network: ipaddr.IPv4, prefix: number) {
    this.text = cidr;
    this.network = network.toString();
    this.first = toNumber(network) + 1;
    // The network and broadcast addresses are never handed out.
    this.size = 2 ** (32 - prefix) - 2;
    this.lowerBand = bandSize(this.size, 16, 256, 16);
  }

  /** Parses `--service-cluster-ip-range`, e.g. 10.96.0.0/12. */
  static parse(cidr: string): ServiceIPRange {
    if (!ipaddr.isValidCIDR(cidr)) throw new RangeConfigError(`service IP range ${JSON.stringify(cidr)} is not a CIDR (e.g. 10.96.0.0/12)`);
    const [addr, prefix] = ipaddr.parseCIDR(cidr);
    if (addr.kind() !== 'ipv4') throw new RangeConfigError(`service IP range ${cidr}: only IPv4 service ranges are supported`);
    if (prefix < widestIPv4Prefix) throw new RangeConfigError(`service IP range ${cidr} is too large; for 32-bit addresses, the mask must be >= ${widestIPv4Prefix}`);
    if (prefix > 30) throw new RangeConfigError(`service IP range ${cidr} is too small: it must hold at least 2 addresses besides the network and broadcast addresses`);
    const network = ipaddr.IPv4.networkAddressFromCIDR(cidr);
    return new ServiceIPRange(`${network.toString()}/${prefix}`, network, prefix);
  }

  at(i: number): string {
    const n = this.first + i;
    return ipaddr.fromByteArray([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();
  }

  slotOf(value: string): number | undefined {
    if (!ipaddr.IPv4.isValidFourPartDecimal(value)) return undefined;
    const slot = toNumber(ipaddr.IPv4.parse(value)) - this.first;
    return slot >= 0 && slot < this.size ? slot : undefined;
  }
}

function toNumber(ip: ipaddr.IPv4): number {
  return ip.toByteArray().reduce((n, b) => n * 256 + b, 0);
}

export class NodePortRange implements AllocationRange {
  readonly size: number;
  readonly lowerBand: number;
  readonly text: string;

  constructor(
    readonly base: number,
    readonly last: number,
  ) {
    this.size = last - base + 1;
    this.lowerBand = bandSize(this.size, 16, 128, 32);
    this.text = `${base}-${last}`;
  }

  /** Parses `--service-node-port-range`: `30000-32767`, or Kubernetes' other form `30000+2767`. */
  static parse(text: string): NodePortRange {
    const m = /^(\d{1,5})([-+])(\d{1,5})$/.exec(text.trim());
    if (!m) throw new RangeConfigError(`node port range ${JSON.stringify(text)} is not of the form 30000-32767`);
    const base = Number(m[1]);
    const last = m[2] === '-' ? Number(m[3]) : base + Number(m[3]);
    if (base < 1 || last > 65535 || last < base) throw new RangeConfigError(`node port range ${text} must lie within 1-65535 and end at or after its start`);
    return new NodePortRange(base, last);
  }

  at(i: number): string {
    return String(this.base + i);
  }

  slotOf(value: string): number | undefined {
    if (!/^\d+$/.test(value)) return undefined;
    const slot = Number(value) - this.base;
    return slot >= 0 && slot < this.size ? slot : undefined;
  }
}
