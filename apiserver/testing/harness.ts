// A real etcd and a real API server on loopback for integration tests, plus the
// credentials and a kubeconfig to reach it. Everything is removed by close().

import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RestClient } from '../../common/client/restClient.js';
import { renderKubeconfig, type ClusterAccess } from '../../common/kubeconfig.js';
import { silentLogger, type Logger } from '../../common/logging.js';
import { makeCA, makeSignedCert } from '../../common/pki/certs.js';
import { makeTempDir, startEtcd, type EtcdProcess } from '../../common/proc/etcdProcess.js';
import type { Clock } from '../../common/clock.js';
import { TokenAuthenticator, type UserInfo } from '../auth/tokens.js';
import type { KubeletClientCredentials } from '../proxy/agentTls.js';
import { startApiServer, type RunningApiServer } from '../server.js';

export interface TestCluster {
  access: ClusterAccess;
  client: RestClient;
  kubeconfig: string;
  dir: string;
  server: RunningApiServer;
  readonly etcd: EtcdProcess;
  /** kill -9 etcd and start it again on the same ports and data. */
  crashEtcd(): Promise<void>;
  /** A second user, authenticated but granted nothing. */
  nobodyToken: string;
  restartApiServer(): Promise<void>;
  close(): Promise<void>;
}

export interface TestClusterOptions {
  logger?: Logger;
  clock?: Clock;
  /** The API server's client certificate for node agents (pods/log, pods/exec). */
  kubeletClient?: KubeletClientCredentials;
  /** More users beside admin and nobody, e.g. a node (system:node:n1 in system:nodes). */
  users?: { token: string; user: UserInfo }[];
}

export async function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const tmp = makeTempDir('gantry-test');
  const etcdOpts = { dataDir: path.join(tmp.dir, 'etcd'), logFile: path.join(tmp.dir, 'etcd.log') };
  let etcd = await startEtcd(etcdOpts);
  const ca = makeCA();
  const serving = makeSignedCert(ca, { commonName: 'apiserver', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const token = randomBytes(16).toString('hex');
  const nobodyToken = randomBytes(16).toString('hex');
  const authenticator = new TokenAuthenticator([
    { token, user: { name: 'admin', uid: '1', groups: ['system:masters'] } },
    { token: nobodyToken, user: { name: 'nobody', uid: '2', groups: [] } },
    ...(opts.users ?? []),
  ]);
  const logger = opts.logger ?? silentLogger();
  const start = (port: number): Promise<RunningApiServer> =>
    startApiServer({
      etcdEndpoints: [etcd.endpoint],
      host: '127.0.0.1',
      port,
      tls: serving,
      authenticator,
      logger,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.kubeletClient ? { kubeletClient: opts.kubeletClient } : {}),
    });
  let server = await start(0);
  const access: ClusterAccess = { server: server.url, caPem: ca.certPem, token };
  const kubeconfig = path.join(tmp.dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, renderKubeconfig(access));
  const client = new RestClient(access);
  const cluster: TestCluster = {
    access,
    client,
    kubeconfig,
    dir: tmp.dir,
    get server() {
      return server;
    },
    get etcd() {
      return etcd;
    },
    crashEtcd: async () => {
      await etcd.kill();
      etcd = await startEtcd({ ...etcdOpts, clientPort: etcd.clientPort, peerPort: etcd.peerPort });
    },
    nobodyToken,
    restartApiServer: async () => {
      const port = server.port;
      await server.close();
      server = await start(port);
    },
    close: async () => {
      client.close();
      await server.close().catch(() => undefined);
      await etcd.stop();
      tmp.remove();
    },
  };
  return cluster;
}
