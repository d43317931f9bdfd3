// The agent's pod network from its config: the backend (--pod-network), the interface that
// holds the node's address, this host's end set up, masquerading for pods leaving the
// cluster network, and the controller keeping routes to the other nodes.

import type { RestClient } from '../../common/client/restClient.js';
import type { Logger } from '../../common/logging.js';
import type { AgentConfig } from '../agent/config.js';
import { HostGwBackend } from './hostGwBackend.js';
import { hostCommands } from '../../common/proc/hostCommands.js';
import { interfaceWithAddress } from './interfaces.js';
import { ensurePodMasquerade } from './podMasquerade.js';
import { PodNetworkController } from './podNetworkController.js';
import { VxlanBackend } from './vxlanBackend.js';

export interface PodNetwork {
  podMtu: number;
  stop(): Promise<void>;
}

export interface StartPodNetworkOptions {
  cfg: Pick<AgentConfig, 'nodeName' | 'address' | 'networkInterface' | 'clusterCidr'> & { podNetwork: 'vxlan' | 'host-gw' };
  client: RestClient;
  podCidr: string;
  logger: Logger;
}

export async function startPodNetwork(o: StartPodNetworkOptions): Promise<PodNetwork> {
  const commands = hostCommands();
  const iface = o.cfg.networkInterface || (await interfaceWithAddress(commands, o.cfg.address));
  const backend =
    o.cfg.podNetwork === 'vxlan'
      ? new VxlanBackend({ commands, nodeName: o.cfg.nodeName, podCidr: o.podCidr, iface, localAddress: o.cfg.address })
      : new HostGwBackend({ commands, podCidr: o.podCidr, iface });
  const controller = new PodNetworkController({ client: o.client, nodeName: o.cfg.nodeName, backend, logger: o.logger });
  const local = await controller.setUp();
  await ensurePodMasquerade(commands, o.podCidr, o.cfg.clusterCidr);
  controller.start();
  o.logger.info('pod network up', { backend: backend.kind, iface, podCidr: o.podCidr, podMtu: local.podMtu });
  return { podMtu: local.podMtu, stop: () => controller.stop() };
}
