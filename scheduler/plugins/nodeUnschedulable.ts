// NodeUnschedulable: cordoned nodes (spec.unschedulable, `kubectl cordon`) take no new pods,
// unless the pod tolerates the node.kubernetes.io/unschedulable:NoSchedule taint.

import type { ClusterEvent, FilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';
import { toleratedByAny } from '../../common/api/tolerations.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NODE_UNSCHEDULABLE;
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeSchedulableChange'];

  filter(_s: unknown, pod: PodInfo, ni: NodeInfo): Status {
    if (!ni.unschedulable || toleratedByAny(pod.tolerations, unschedulableTaint)) return Status.success;
    return Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}
