// One simulated host of `gantry up`: a network namespace with its own address on the host
// network (a veth whose other end is on the bridge), its loopback up, a default route via
// the control plane and forwarding on (it routes its pods' traffic). Its node agent runs
// inside it; everything else (mounts, cgroups, processes) is the machine's, as on a host
// that shares the machine's kernel.

import { createHash } from 'node:crypto';
import { hostCommands, type HostCommands } from '../../../common/proc/hostCommands.js';
import type { HostNetwork } from './hostNetwork.js';

export interface HostNamespace {
  /** Network namespace name (`ip netns`), /run/netns/<netns>. */
  netns: string;
  /** The veth end on the bridge, in the machine's namespace. */
  veth: string;
  address: string;
}

export function netnsPath(netns: string): string {
  return `/run/netns/${netns}`;
}

/** Interface names have at most 15 characters: a short hash of the namespace name keeps them unique. */
export function vethName(netns: string): string {
  return `gh${createHash('sha256').update(netns).digest('hex').slice(0, 10)}`;
}

export async function createHostNamespace(root: HostCommands, net: HostNetwork, netns: string, address: string): Promise<HostNamespace> {
  const veth = vethName(netns);
  // Left by an interrupted `up` of this cluster: start the host afresh.
  await removeHostNamespace(root, { netns, veth });
  await root.checked('ip', ['netns', 'add', netns]);
  const inside = hostCommands(netnsPath(netns));
  await root.checked('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
  await root.checked('ip', ['link', 'set', veth, 'master', net.bridge, 'up']);
  const len = net.cidr.split('/')[1]!;
  await inside.checked('ip', ['addr', 'add', `${address}/${len}`, 'dev', 'eth0']);
  await inside.checked('ip', ['link', 'set', 'eth0', 'up']);
  await inside.checked('ip', ['link', 'set', 'lo', 'up']);
  await inside.checked('ip', ['route', 'add', 'default', 'via', net.gateway]);
  // Network sysctls are per namespace; a process inside sees (and sets) its own.
  await inside.checked('sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  return { netns, veth, address };
}

export async function removeHostNamespace(root: HostCommands, h: Pick<HostNamespace, 'netns' | 'veth'>): Promise<void> {
  // Deleting the namespace destroys what lives only in it (eth0 and so the veth pair, the
  // pods' bridge, the overlay device, its netfilter rules).
  if ((await root.run('ip', ['netns', 'pids', h.netns])).code === 0) await root.checked('ip', ['netns', 'del', h.netns]);
  // The kernel removes the veth's other end with the namespace, a moment later: gone by itself is fine.
  if ((await root.run('ip', ['link', 'show', 'dev', h.veth])).code === 0) {
    const del = await root.run('ip', ['link', 'del', h.veth]);
    if (del.code !== 0 && (await root.run('ip', ['link', 'show', 'dev', h.veth])).code === 0) throw new Error(`ip link del ${h.veth}: ${del.stderr.trim()}`);
  }
}
