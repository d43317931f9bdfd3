// What a joined node asks the cluster with its own credentials: the cluster DNS address its
// pods get (the kube-dns Service, as kubeadm writes it into the kubelet's config), and
// whether its freshly started agent made it Ready.

import { RestClient } from '../../common/client/restClient.js';
import { readKubeconfig } from '../../common/kubeconfig.js';
import { portAnswers } from '../cluster/ports.js';

/** kubeadm's (and `gantry up`'s) kube-dns ClusterIP: the 10th address of 10.96.0.0/12. */
export const defaultClusterDns = '10.96.0.10';

interface ServiceObject {
  spec?: { clusterIP?: string };
}

/** kube-system/kube-dns's ClusterIP, or undefined when the cluster has none (yet). */
export async function discoverClusterDns(kubeconfig: string): Promise<string | undefined> {
  const client = new RestClient(readKubeconfig(kubeconfig));
  try {
    const res = await client.request<ServiceObject>('GET', '/api/v1/namespaces/kube-system/services/kube-dns', { timeoutMs: 10_000 });
    const ip = res.status === 200 ? res.body?.spec?.clusterIP : undefined;
    return ip && ip !== 'None' ? ip : undefined;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

interface NodeObject {
  status?: { conditions?: Array<{ type: string; status: string; lastHeartbeatTime?: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

export type ReadyOutcome = 'ready' | 'timeout' | 'agent-exited';

function readyCondition(node: NodeObject | undefined): { lastHeartbeatTime?: string } | undefined {
  return node?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The Node's Ready heartbeat now (undefined when it has none or is not Ready): read before a new
 * agent starts, so that a heartbeat an earlier agent wrote in the same second is not taken for
 * the new one's (heartbeats are kept to the second).
 */
export async function readyHeartbeat(kubeconfig: string, nodeName: string): Promise<string | undefined> {
  const client = new RestClient(readKubeconfig(kubeconfig));
  try {
    const res = await client.request<NodeObject>('GET', `/api/v1/nodes/${nodeName}`, { timeoutMs: 5_000 });
    return res.status === 200 ? readyCondition(res.body)?.lastHeartbeatTime : undefined;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

/**
 * Waits until the Node is Ready by a heartbeat written since `sinceMs` (when the agent was
 * started, and not `staleHeartbeat`: a Node left Ready by an earlier agent, a rejoin, does not
 * count), advertises this
 * agent's port, and that port answers at the node's address. Gives up early when `alive()`
 * says the agent is gone or exited.
 */
export async function waitNodeReady(o: { kubeconfig: string; nodeName: string; address: string; port: number; sinceMs: number; staleHeartbeat?: string; timeoutMs: number; alive: () => boolean }): Promise<ReadyOutcome> {
  const client = new RestClient(readKubeconfig(o.kubeconfig));
  const deadline = Date.now() + o.timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (!o.alive()) return 'agent-exited';
      try {
        const res = await client.request<NodeObject>('GET', `/api/v1/nodes/${o.nodeName}`, { timeoutMs: 5_000 });
        const status = res.status === 200 ? res.body?.status : undefined;
        const heartbeat = readyCondition(res.status === 200 ? res.body : undefined)?.lastHeartbeatTime;
        // Heartbeats are kept to the second (RFC 3339), by the agent's clock: this machine's.
        const fresh = heartbeat !== undefined && heartbeat !== o.staleHeartbeat && Date.parse(heartbeat) >= Math.floor(o.sinceMs / 1000) * 1000;
        if (
          fresh &&
          status?.daemonEndpoints?.kubeletEndpoint?.Port === o.port &&
          (await portAnswers(o.port, o.address))
        ) {
          return 'ready';
        }
      } catch {
        // the server is away for a moment; try again
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return 'timeout';
  } finally {
    client.close();
  }
}
