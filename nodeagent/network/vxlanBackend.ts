// The VXLAN overlay, as flannel's vxlan backend builds it from the kernel's own devices: one
// vxlan device per host (no multicast, no learning), and for every other node a route to its
// pod CIDR via that node's tunnel endpoint address (the CIDR's network address, onlink), a
// permanent neighbour entry giving the endpoint's MAC, and a forwarding entry sending that
// MAC to the node's InternalIP. Packets between pods are wrapped in UDP, so hosts on
// different subnets work; the pods' MTU leaves room for the 50 bytes of encapsulation.

import { createHash } from 'node:crypto';
import { canonicalCidr, networkAddress } from './cidr.js';
import { jsonList, type HostCommands } from '../../common/proc/hostCommands.js';
import { routeProtocol, vtepMacAnnotation, type LocalNetwork, type NodePeer, type PodNetworkBackend } from './types.js';

export interface VxlanOptions {
  commands: HostCommands;
  nodeName: string;
  podCidr: string;
  /** The interface overlay packets leave by, and its address (the node's InternalIP). */
  iface: string;
  localAddress: string;
  device?: string;
  vni?: number;
  /** Flannel's (and the Linux kernel's historical) VXLAN port; IANA's 4789 may be taken by other overlays. */
  port?: number;
}

/** IPv4 + UDP + VXLAN + inner Ethernet headers. */
export const vxlanOverhead = 50;
export const defaultVxlanDevice = 'gantry.vxlan';

interface LinkJson {
  ifname: string;
  mtu: number;
  address: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; link?: string; port?: number; learning?: boolean } };
}
interface AddrJson {
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}
interface RouteJson {
  dst: string;
  gateway?: string;
}
interface NeighJson {
  dst: string;
  lladdr?: string;
}
interface FdbJson {
  mac: string;
  dst?: string;
}

/**
 * A stable MAC for the node's tunnel endpoint, derived from its name: a recreated device (a
 * reboot, an agent restart) keeps the address the peers already have, so nothing is stale.
 */
export function vtepMacFor(nodeName: string): string {
  const b = createHash('sha256').update(`gantry-vtep:${nodeName}`).digest().subarray(0, 6);
  // Locally administered, unicast.
  b[0] = (b[0]! & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export class VxlanBackend implements PodNetworkBackend {
  readonly kind = 'vxlan' as const;
  private readonly device: string;
  private readonly vni: number;
  private readonly port: number;
  readonly mac: string;

  constructor(private readonly o: VxlanOptions) {
    this.device = o.device ?? defaultVxlanDevice;
    this.vni = o.vni ?? 1;
    this.port = o.port ?? 8472;
    this.mac = vtepMacFor(o.nodeName);
  }

  private ip(args: string[]): Promise<unknown> {
    return this.o.commands.checked('ip', args);
  }

  private async link(name: string): Promise<LinkJson | undefined> {
    const r = await this.o.commands.run('ip', ['-j', '-d', 'link', 'show', 'dev', name]);
    if (r.code !== 0) return undefined;
    return (JSON.parse(r.stdout) as LinkJson[])[0];
  }

  /** Whether an existing device is the one we would create (else it is replaced). */
  private matches(link: LinkJson): boolean {
    const d = link.linkinfo?.info_data;
    return link.linkinfo?.info_kind === 'vxlan' && d?.id === this.vni && d.local === this.o.localAddress && d.port === this.port && d.link === this.o.iface && d.learning === false;
  }

  async setUp(): Promise<LocalNetwork> {
    const iface = await this.link(this.o.iface);
    if (!iface) throw new Error(`the overlay's interface ${this.o.iface} does not exist`);
    const mtu = iface.mtu - vxlanOverhead;
    const existing = await this.link(this.device);
    const adopt = existing && this.matches(existing) ? existing : undefined;
    if (existing && !adopt) await this.ip(['link', 'del', this.device]);
    if (!adopt) {
      await this.ip(['link', 'add', this.device, 'type', 'vxlan', 'id', String(this.vni), 'local', this.o.localAddress, 'dev', this.o.iface, 'dstport', String(this.port), 'nolearning']);
    }
    // Setting the address, even to the same value, flushes the device's neighbours: only when it differs.
    if (adopt?.address !== this.mac) await this.ip(['link', 'set', 'dev', this.device, 'address', this.mac]);
    if (adopt?.mtu !== mtu) await this.ip(['link', 'set', 'dev', this.device, 'mtu', String(mtu)]);
    await this.ip(['link', 'set', 'dev', this.device, 'up']);
    const vtep = networkAddress(this.o.podCidr);
    const addrs = await jsonList<AddrJson>(this.o.commands, 'ip', ['addr', 'show', 'dev', this.device]);
    for (const a of addrs.flatMap((x) => x.addr_info ?? []).filter((a) => a.family === 'inet' && a.local !== vtep)) {
      await this.ip(['addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', this.device]);
    }
    await this.ip(['addr', 'replace', `${vtep}/32`, 'dev', this.device]);
    return { podMtu: mtu, annotations: { [vtepMacAnnotation]: this.mac } };
  }

  async syncPeers(peers: readonly NodePeer[]): Promise<void> {
    const wanted = peers.filter((p) => p.vtepMac && p.podCidr !== this.o.podCidr);
    const routes = new Map(wanted.map((p) => [canonicalCidr(p.podCidr), networkAddress(p.podCidr)]));
    const neighbours = new Map(wanted.map((p) => [networkAddress(p.podCidr), p.vtepMac!.toLowerCase()]));
    const forwarding = new Map(wanted.map((p) => [p.vtepMac!.toLowerCase(), p.address]));
    const c = this.o.commands;
    const [haveRoutes, haveNeighbours, haveFdb] = await Promise.all([
      jsonList<RouteJson>(c, 'ip', ['route', 'show', 'dev', this.device, 'proto', routeProtocol]),
      jsonList<NeighJson>(c, 'ip', ['neigh', 'show', 'dev', this.device]),
      jsonList<FdbJson>(c, 'bridge', ['fdb', 'show', 'dev', this.device]),
    ]);
    // Adds first, in the order a packet needs them; then removals, routes first.
    for (const [mac, dst] of forwarding) {
      if (!haveFdb.some((f) => f.mac === mac && f.dst === dst)) await c.checked('bridge', ['fdb', 'replace', mac, 'dev', this.device, 'dst', dst, 'self', 'permanent']);
    }
    for (const [dst, mac] of neighbours) {
      if (!haveNeighbours.some((n) => n.dst === dst && n.lladdr === mac)) await this.ip(['neigh', 'replace', dst, 'lladdr', mac, 'dev', this.device, 'nud', 'permanent']);
    }
    for (const [dst, via] of routes) {
      if (!haveRoutes.some((r) => r.dst === dst && r.gateway === via)) await this.ip(['route', 'replace', dst, 'via', via, 'dev', this.device, 'onlink', 'proto', routeProtocol]);
    }
    for (const r of haveRoutes.filter((r) => !routes.has(r.dst))) await this.ip(['route', 'del', r.dst, 'dev', this.device, 'proto', routeProtocol]);
    for (const n of haveNeighbours.filter((n) => !neighbours.has(n.dst))) await c.run('ip', ['neigh', 'del', n.dst, 'dev', this.device]);
    for (const f of haveFdb.filter((f) => f.dst !== undefined && forwarding.get(f.mac) !== f.dst)) await c.run('bridge', ['fdb', 'del', f.mac, 'dev', this.device, 'dst', f.dst!, 'self']);
  }

  async tearDown(): Promise<void> {
    // Routes, neighbours and forwarding entries go with the device.
    if (await this.link(this.device)) await this.ip(['link', 'del', this.device]);
  }
}
