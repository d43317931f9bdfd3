// A process cluster that knows one more identity (the controller manager, say), with the two
// clients its integration tests use: an admin ApiClient to arrange and check, and a RestClient
// as that identity for the component under test, so the API server's rules for it are exercised.

import { ApiClient } from '../client/apiClient.js';
import { RestClient } from '../client/restClient.js';
import { startProcessCluster, type ProcessCluster, type ProcessClusterOptions } from './cluster.js';

/** A token-file line: `{ token, user: 'system:kube-controller-manager', groups: [] }`. */
export interface TestIdentity {
  token: string;
  user: string;
  groups: string[];
}

export interface ClusterAs {
  cluster: ProcessCluster;
  /** system:masters, without a client-side rate limit: arranging a test should not queue. */
  admin: ApiClient;
  /** The identity's own client. */
  client: RestClient;
  /** Closes the identity's client, then the cluster; stop what uses them first. */
  close(): Promise<void>;
}

export async function startClusterAs(identity: TestIdentity, opts: ProcessClusterOptions = {}): Promise<ClusterAs> {
  const cluster = await startProcessCluster({ ...opts, extraTokens: [identity, ...(opts.extraTokens ?? [])] });
  const client = new RestClient({ ...cluster.access, token: identity.token });
  return {
    cluster,
    admin: new ApiClient({ client: cluster.client, qps: 0 }),
    client,
    close: async () => {
      client.close();
      await cluster.close();
    },
  };
}
