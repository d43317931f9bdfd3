// NodePorts: a host port (protocol, IP, port) can be used by one pod per node; 0.0.0.0
// conflicts with every IP.

import type { ClusterEvent, FilterPlugin, PreFilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NODE_PORTS;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'AssignedPodDelete'];

  preFilter(_s: unknown, pod: PodInfo): Status {
    return pod.hostPorts.length ? Status.success : Status.skip;
  }

  filter(_s: unknown, pod: PodInfo, ni: NodeInfo): Status {
    if (ni.usedPorts.size === 0) return Status.success;
    for (const p of pod.hostPorts) if (ni.usedPorts.conflicts(p)) return Status.unschedulable(ERR_REASON_NODE_PORTS);
    return Status.success;
  }
}
