// Finds the node agent serving a pod: the pod's node, that Node's advertised address
// (InternalIP, else Hostname) and its daemonEndpoints.kubeletEndpoint port.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { BadRequestError, ServiceUnavailableError } from '../../common/errors.js';
import type { AgentEndpoint } from './agentTls.js';

/** The kubelet's well-known port, used when a Node does not advertise one. */
export const defaultAgentPort = 10250;

const preferredAddressTypes = ['InternalIP', 'Hostname'];

export type NodeLookup = (name: string) => Promise<KubeObject>;

export async function agentEndpointFor(pod: KubeObject, getNode: NodeLookup): Promise<AgentEndpoint> {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (!nodeName) throw new BadRequestError(`pod ${pod.metadata.name ?? ''} does not have a host assigned`);
  return agentEndpointOfNode(await getNode(nodeName));
}

/** Where a Node's agent listens, from its status; 503 when it advertises no address. */
export function agentEndpointOfNode(node: KubeObject): AgentEndpoint {
  const nodeName = node.metadata.name ?? '';
  const status = isObject(node.status) ? node.status : {};
  const addresses = (Array.isArray(status.addresses) ? status.addresses : []).filter(isObject);
  let host = '';
  for (const type of preferredAddressTypes) {
    const hit = addresses.find((a) => a.type === type && typeof a.address === 'string' && a.address !== '');
    if (hit) {
      host = hit.address as string;
      break;
    }
  }
  if (!host) throw new ServiceUnavailableError(`node ${nodeName} has no InternalIP or Hostname address to reach its agent`);
  const endpoints = isObject(status.daemonEndpoints) ? status.daemonEndpoints : {};
  const kubelet = isObject(endpoints.kubeletEndpoint) ? endpoints.kubeletEndpoint : {};
  const port = typeof kubelet.Port === 'number' && Number.isInteger(kubelet.Port) && kubelet.Port > 0 && kubelet.Port < 65536 ? kubelet.Port : defaultAgentPort;
  return { nodeName, host, port };
}
