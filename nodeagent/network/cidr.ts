// The little address arithmetic the pod network needs, on ipaddr.js.

import ipaddr from 'ipaddr.js';

/** The network address of an IPv4 CIDR: 10.244.1.0/24 -> 10.244.1.0 (flannel's VTEP address for the node). */
export function networkAddress(cidr: string): string {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  if (addr.kind() !== 'ipv4') throw new Error(`${cidr}: only IPv4 pod CIDRs are supported`);
  return ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${len}`).toString();
}

/** The CIDR with its host bits cleared: 10.244.1.7/24 -> 10.244.1.0/24 (what `ip route` prints). */
export function canonicalCidr(cidr: string): string {
  const [, len] = ipaddr.parseCIDR(cidr);
  return `${networkAddress(cidr)}/${len}`;
}
