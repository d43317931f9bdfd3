// Every in-tree plugin by name (ARCHITECTURE.md rule 4: an explicit registry, no
// registration by import side effect). Configuration enables plugins by these names.

import type { Plugin } from '../framework/interfaces.js';
import type { PluginHandle } from '../framework/listers.js';
import { IMAGE_LOCALITY, ImageLocality } from './imageLocality.js';
import { INTER_POD_AFFINITY, InterPodAffinity } from './interPodAffinity.js';
import { NODE_AFFINITY, NodeAffinity } from './nodeAffinity.js';
import { NODE_NAME, NodeName } from './nodeName.js';
import { NODE_PORTS, NodePorts } from './nodePorts.js';
import { NODE_RESOURCES_FIT, NodeResourcesFit } from './nodeResourcesFit.js';
import { NODE_UNSCHEDULABLE, NodeUnschedulable } from './nodeUnschedulable.js';
import { POD_TOPOLOGY_SPREAD, PodTopologySpread } from './podTopologySpread.js';
import { parsePodTopologySpreadArgs } from './podTopologySpreadArgs.js';
import { BalancedAllocation, LeastAllocated, MostAllocated, parseResourceArgs } from './resourceAllocation.js';
import { TAINT_TOLERATION, TaintToleration } from './taintToleration.js';
import { VOLUME_BINDING, VolumeBinding } from './volumeBinding.js';
import { parseVolumeBindingArgs } from './volumeBindingArgs.js';

/**
 * Builds a plugin from its (optional) args and the handle (listers of the objects plugins may
 * read); throws with a clear message when args are invalid.
 */
export type PluginFactory = (args: unknown, handle: PluginHandle) => Plugin;

function noArgs(name: string, make: () => Plugin): PluginFactory {
  return (args) => {
    if (args !== undefined && args !== null) throw new Error(`plugin ${name} takes no args`);
    return make();
  };
}

export const inTreeRegistry: ReadonlyMap<string, PluginFactory> = new Map<string, PluginFactory>([
  [NODE_UNSCHEDULABLE, noArgs(NODE_UNSCHEDULABLE, () => new NodeUnschedulable())],
  [NODE_NAME, noArgs(NODE_NAME, () => new NodeName())],
  [TAINT_TOLERATION, noArgs(TAINT_TOLERATION, () => new TaintToleration())],
  [NODE_AFFINITY, noArgs(NODE_AFFINITY, () => new NodeAffinity())],
  [NODE_PORTS, noArgs(NODE_PORTS, () => new NodePorts())],
  [NODE_RESOURCES_FIT, noArgs(NODE_RESOURCES_FIT, () => new NodeResourcesFit())],
  [POD_TOPOLOGY_SPREAD, (args, handle) => new PodTopologySpread(handle.workloads, parsePodTopologySpreadArgs(POD_TOPOLOGY_SPREAD, args))],
  [INTER_POD_AFFINITY, noArgs(INTER_POD_AFFINITY, () => new InterPodAffinity())],
  ['MostAllocated', (args) => new MostAllocated(parseResourceArgs('MostAllocated', args))],
  ['LeastAllocated', (args) => new LeastAllocated(parseResourceArgs('LeastAllocated', args))],
  ['BalancedAllocation', (args) => new BalancedAllocation(parseResourceArgs('BalancedAllocation', args))],
  [IMAGE_LOCALITY, noArgs(IMAGE_LOCALITY, () => new ImageLocality())],
  [VOLUME_BINDING, (args, handle) => new VolumeBinding(handle.volumes, handle.volumeBinder, handle.clock, parseVolumeBindingArgs(VOLUME_BINDING, args))],
]);
