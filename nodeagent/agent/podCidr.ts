// Where this node's pod addresses come from when --pod-subnet is not given: the Node's
// spec.podCIDR, assigned by the controller manager's node IPAM from the cluster CIDR. The
// agent needs it before it opens the runtime (the CNI bridge's range), so it registers a
// bare Node if there is none yet (NodeLifecycle adopts it and fills in the rest) and waits
// until the podCIDR appears.

import type { RestClient } from '../../common/client/restClient.js';
import { sleep, type TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';

export interface PodCidrOptions {
  client: Pick<RestClient, 'get' | 'request'>;
  nodeName: string;
  clock: TimerClock;
  logger: Logger;
  /** How often to look again; default 500 ms. */
  pollMs?: number;
  signal?: AbortSignal;
}

/** Resolves with the Node's podCIDR; undefined only when `signal` aborts first. */
export async function podCidrFromNode(o: PodCidrOptions): Promise<string | undefined> {
  const path = `/api/v1/nodes/${o.nodeName}`;
  let waitingLogged = false;
  while (!o.signal?.aborted) {
    try {
      const got = await o.client.get<{ spec?: { podCIDR?: string } }>(path);
      if (got.status === 200 && got.body.spec?.podCIDR) return got.body.spec.podCIDR;
      if (got.status === 404) {
        const created = await o.client.request('POST', '/api/v1/nodes', { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: o.nodeName } } });
        if (created.status !== 201 && created.status !== 409) throw new Error(`registering node: HTTP ${created.status} ${created.text.slice(0, 200)}`);
      } else if (got.status !== 200) throw new Error(`reading node: HTTP ${got.status} ${got.text.slice(0, 200)}`);
      if (!waitingLogged) o.logger.info('waiting for the node IPAM to assign spec.podCIDR (or pass --pod-subnet)', { node: o.nodeName });
      waitingLogged = true;
    } catch (e) {
      o.logger.warn('reading the node podCIDR failed; retrying', { node: o.nodeName, error: (e as Error).message });
    }
    await sleep(o.clock, o.pollMs ?? 500, o.signal);
  }
  return undefined;
}
