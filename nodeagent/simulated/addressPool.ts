// Pod addresses of a simulated node, from its pod subnet, handed out the way CNI's
// host-local IPAM does: the first address is the bridge's (gateway), network and
// broadcast addresses are never given, and allocation goes round-robin from the last
// address handed out, so a released address is not reused at once (a stale endpoint
// pointing at it reaches nobody rather than the next pod).

import { BadRequestError, ConflictError } from '../../common/errors.js';
import { parseCidr, parseIpv4 } from '../runtime/subnet.js';

function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class SimulatedAddressPool {
  readonly subnet: string;
  readonly gateway: string;
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(subnet: string) {
    const cidr = parseCidr(subnet);
    if (!cidr) throw new BadRequestError(`pod subnet ${JSON.stringify(subnet)} is not an IPv4 CIDR`);
    if (cidr.prefix > 30) throw new BadRequestError(`pod subnet ${subnet} is too small for pods (use /30 or larger)`);
    this.subnet = `${formatIpv4(cidr.base)}/${cidr.prefix}`;
    this.gateway = formatIpv4(cidr.base + 1);
    this.first = cidr.base + 2;
    this.last = cidr.base + 2 ** (32 - cidr.prefix) - 2;
    this.cursor = this.first - 1;
  }

  /** Addresses that can be handed out (all but network, gateway and broadcast). */
  get capacity(): number {
    return this.last - this.first + 1;
  }

  get inUse(): number {
    return this.used.size;
  }

  allocate(): string {
    const n = this.capacity;
    for (let i = 1; i <= n; i++) {
      const candidate = this.first + ((this.cursor - this.first + i) % n);
      if (this.used.has(candidate)) continue;
      this.used.add(candidate);
      this.cursor = candidate;
      return formatIpv4(candidate);
    }
    throw new ConflictError({ resource: 'podsandboxes' }, `no free address in the pod subnet ${this.subnet}`);
  }

  /** Gives the address back; unknown addresses are ignored (release is idempotent). */
  release(ip: string): void {
    const n = parseIpv4(ip);
    if (n !== undefined) this.used.delete(n);
  }
}
