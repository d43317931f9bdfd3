// host-gw, as flannel's backend of that name: no encapsulation, a route to every other node's
// pod CIDR via that node's address. The nodes must share a link (the next hop must be on
// it); packets keep the full MTU.

import { canonicalCidr } from './cidr.js';
import { jsonList, type HostCommands } from '../../common/proc/hostCommands.js';
import { routeProtocol, type LocalNetwork, type NodePeer, type PodNetworkBackend } from './types.js';

export interface HostGwOptions {
  commands: HostCommands;
  podCidr: string;
  iface: string;
}

interface RouteJson {
  dst: string;
  gateway?: string;
}

export class HostGwBackend implements PodNetworkBackend {
  readonly kind = 'host-gw' as const;

  constructor(private readonly o: HostGwOptions) {}

  async setUp(): Promise<LocalNetwork> {
    const links = await jsonList<{ mtu: number }>(this.o.commands, 'ip', ['link', 'show', 'dev', this.o.iface]);
    if (!links[0]) throw new Error(`the pod network's interface ${this.o.iface} does not exist`);
    return { podMtu: links[0].mtu, annotations: {} };
  }

  async syncPeers(peers: readonly NodePeer[]): Promise<void> {
    const routes = new Map(peers.filter((p) => p.podCidr !== this.o.podCidr).map((p) => [canonicalCidr(p.podCidr), p.address]));
    const have = await jsonList<RouteJson>(this.o.commands, 'ip', ['route', 'show', 'proto', routeProtocol]);
    for (const [dst, via] of routes) {
      if (!have.some((r) => r.dst === dst && r.gateway === via)) await this.o.commands.checked('ip', ['route', 'replace', dst, 'via', via, 'dev', this.o.iface, 'proto', routeProtocol]);
    }
    for (const r of have.filter((r) => !routes.has(r.dst))) await this.o.commands.run('ip', ['route', 'del', r.dst, 'proto', routeProtocol]);
  }

  async tearDown(): Promise<void> {
    await this.syncPeers([]);
  }
}
