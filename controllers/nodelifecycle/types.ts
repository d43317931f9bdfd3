// The wire shapes the node controllers read and write (nodelifecycle, nodeipam, podgc).
// Timestamps stay RFC 3339 strings, as the API sends them.

import type { KubeObject } from '../../common/api/meta.js';
import { builtinResources, type ResourceDescriptor } from '../../common/api/resources.js';

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; podCIDR?: string; podCIDRs?: string[]; unschedulable?: boolean; [field: string]: unknown };
  status?: { conditions?: NodeCondition[]; [field: string]: unknown };
}

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; tolerations?: Toleration[]; [field: string]: unknown };
  status?: { phase?: string; [field: string]: unknown };
}

function resource(group: string, plural: string): ResourceDescriptor {
  const r = builtinResources.find((d) => d.group === group && d.plural === plural);
  if (!r) throw new Error(`no built-in resource ${plural}`);
  return r;
}

export const nodesResource = resource('', 'nodes');
export const podsResource = resource('', 'pods');
export const leasesResource = resource('coordination.k8s.io', 'leases');

/** Where node agents keep their heartbeat Leases (one per node, named after it). */
export const nodeLeaseNamespace = 'kube-node-lease';
