// The two well-known addresses of the service range: the `kubernetes` Service takes the first
// (the API server's allocator reserves it so), the cluster DNS the tenth, as kubeadm does.

import ipaddr from 'ipaddr.js';

function nth(cidr: string, n: number): string {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  if (addr.kind() !== 'ipv4') throw new Error(`service range ${cidr}: only IPv4 is supported`);
  const base = ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${len}`).toByteArray().reduce((acc, b) => acc * 256 + b, 0);
  const v = base + n;
  return [24, 16, 8, 0].map((s) => (v >>> s) & 255).join('.');
}

export function firstServiceIp(serviceCidr: string): string {
  return nth(serviceCidr, 1);
}

export function clusterDnsIp(serviceCidr: string): string {
  return nth(serviceCidr, 10);
}
