// NodeName: a pod that names its node (spec.nodeName) fits only there.

import type { ClusterEvent, FilterPlugin, PreFilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/nodeInfo.js';
import type { PodInfo } from '../framework/podInfo.js';
import { Status } from '../framework/status.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin, PreFilterPlugin {
  readonly name = NODE_NAME;
  readonly events: readonly ClusterEvent[] = ['NodeAdd'];

  preFilter(_s: unknown, pod: PodInfo): Status {
    return pod.pod.spec?.nodeName ? Status.success : Status.skip;
  }

  filter(_s: unknown, pod: PodInfo, ni: NodeInfo): Status {
    const want = pod.pod.spec?.nodeName;
    return !want || want === ni.name ? Status.success : Status.unresolvable(ERR_REASON_NODE_NAME);
  }
}
