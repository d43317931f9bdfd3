// Keeps this host's routes to every other node's pods: publishes what peers need to reach
// us (the backend's annotations on our Node), watches the Nodes, and after each change
// hands the backend the full list of peers (level-based: one sync sees the whole current
// state, so a missed or repeated event changes nothing). Syncs are serialized and
// coalesced: changes arriving during a sync make exactly one more.

import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import { errorFromStatus } from '../../common/client/statusError.js';
import type { Logger } from '../../common/logging.js';
import { vtepMacAnnotation, type LocalNetwork, type NodePeer, type PodNetworkBackend } from './types.js';

export interface NodeForNetwork {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { podCIDR?: string };
  status?: { addresses?: Array<{ type: string; address: string }> };
}

/** The peers a node's backend routes to: every other node with a pod CIDR and an InternalIP. */
export function peersFrom(nodes: readonly NodeForNetwork[], self: string): NodePeer[] {
  const peers: NodePeer[] = [];
  for (const n of nodes) {
    if (n.metadata.name === self) continue;
    const podCidr = n.spec?.podCIDR;
    const address = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!podCidr || !address) continue;
    const vtepMac = n.metadata.annotations?.[vtepMacAnnotation];
    peers.push({ name: n.metadata.name, podCidr, address, ...(vtepMac ? { vtepMac } : {}) });
  }
  return peers.sort((a, b) => a.name.localeCompare(b.name));
}

export interface PodNetworkControllerOptions {
  client: RestClient;
  nodeName: string;
  backend: PodNetworkBackend;
  logger: Logger;
}

export class PodNetworkController {
  private readonly informer: Informer<NodeForNetwork>;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private local: LocalNetwork | undefined;
  /** Peers of the last successful sync, for logging what changed. */
  private lastPeers = '';

  constructor(private readonly o: PodNetworkControllerOptions) {
    this.informer = new Informer<NodeForNetwork>({ client: o.client, path: '/api/v1/nodes', logger: o.logger });
    const changed = (): void => this.requestSync();
    this.informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  /** Sets up this host's end; resolves with the MTU pods must use. */
  async setUp(): Promise<LocalNetwork> {
    this.local = await this.o.backend.setUp();
    return this.local;
  }

  start(): void {
    this.informer.start();
    this.requestSync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
    await this.running;
  }

  /** Resolves once the Nodes were listed and routes for them made (tests, and `up` waiting for a usable network). */
  async waitForSync(): Promise<void> {
    await this.informer.waitForSync();
    while (this.running) await this.running;
  }

  private requestSync(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sync().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.requestSync();
      }
    });
  }

  private async sync(): Promise<void> {
    if (!this.informer.hasSynced()) return;
    const nodes = this.informer.store.list();
    try {
      await this.publish(nodes.find((n) => n.metadata.name === this.o.nodeName));
      const peers = peersFrom(nodes, this.o.nodeName);
      await this.o.backend.syncPeers(peers);
      const summary = peers.map((p) => `${p.name}=${p.podCidr}@${p.address}`).join(',');
      if (summary !== this.lastPeers) this.o.logger.info('pod network routes synced', { backend: this.o.backend.kind, peers: summary || 'none' });
      this.lastPeers = summary;
    } catch (e) {
      this.o.logger.warn('pod network sync failed; retrying on the next change or in 10 s', { error: (e as Error).message });
      setTimeout(() => this.requestSync(), 10_000).unref();
    }
  }

  /** Writes the backend's annotations onto our Node when they are missing or different. */
  private async publish(self: NodeForNetwork | undefined): Promise<void> {
    const want = this.local?.annotations ?? {};
    if (!self || Object.entries(want).every(([k, v]) => self.metadata.annotations?.[k] === v)) return;
    const r = await this.o.client.request('PATCH', `/api/v1/nodes/${this.o.nodeName}`, { body: { metadata: { annotations: want } }, contentType: 'application/merge-patch+json' });
    if (r.status !== 200) throw errorFromStatus({ code: r.status, body: r.body, text: r.text });
  }
}
