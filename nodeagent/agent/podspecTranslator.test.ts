import { expect } from 'chai';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Informer } from '../../common/client/informer.js';
import { RestClient } from '../../common/client/restClient.js';
import { freePort } from '../../common/proc/ports.js';
import type { KeyValue } from '../cri/types.js';
import { ContainerConfigError } from '../podspec/errors.js';
import type { ServiceForEnv } from '../podspec/serviceEnv.js';
import { testContainer, testPod, type TestPodOptions } from '../podspec/testPods.js';
import type { EnvVar } from '../podspec/types.js';
import type { ServiceWire } from '../../common/api/serviceWire.js';
import type { Pod } from './podTypes.js';
import { PodspecTranslator, servicesNotSyncedMessage, type PodspecTranslatorOptions, type ServiceCache } from './podspecTranslator.js';

/** A Services cache whose first list arrives when the test says so. */
class TestServiceCache implements ServiceCache {
  private synced = false;
  private release!: () => void;
  private readonly syncedP = new Promise<void>((r) => (this.release = r));
  readonly store: { list(): ServiceForEnv[] };
  constructor(services: ServiceForEnv[], synced = true) {
    this.store = { list: () => services };
    if (synced) this.sync();
  }
  sync(): void {
    this.synced = true;
    this.release();
  }
  hasSynced(): boolean {
    return this.synced;
  }
  waitForSync(): Promise<void> {
    return this.syncedP;
  }
}

const svc = (namespace: string, name: string, clusterIP: string, port: number, portName?: string): ServiceForEnv => ({
  metadata: { name, namespace },
  spec: { clusterIP, ports: [{ port, protocol: 'TCP', ...(portName ? { name: portName } : {}) }] },
});

const cluster = [svc('default', 'kubernetes', '10.96.0.1', 443, 'https'), svc('app', 'my-web', '10.96.0.20', 80), svc('app', 'db', '10.96.0.21', 5432), svc('other', 'cache', '10.96.0.50', 6379)];

const serviceVars = (envs: KeyValue[]): Record<string, string> =>
  Object.fromEntries(envs.filter((e) => /_(SERVICE_|PORT)/.test(e.key) || e.key === 'URL').map((e) => [e.key, e.value]));

describe('agent/podspecTranslator service env', function () {
  this.timeout(10_000);
  let dir: string;
  // Never contacted unless a test makes it: ConfigMap/Secret lookups and the unreachable-API case.
  let client: RestClient;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gantry-translator-'));
    client = new RestClient({ server: `https://127.0.0.1:${await freePort()}`, caPem: '', token: 'x' });
  });
  afterEach(async () => {
    client.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function translator(extra: Partial<PodspecTranslatorOptions>): PodspecTranslator {
    return new PodspecTranslator({
      client,
      podsRoot: path.join(dir, 'pods'),
      logsRoot: path.join(dir, 'logs'),
      nodeName: 'node-1',
      hostIP: '172.31.240.11',
      clusterDns: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      nodeMemoryBytes: 8n << 30n,
      nodeCpuCores: 4,
      hostResolvConf: path.join(dir, 'no-resolv.conf'),
      ...extra,
    });
  }

  async function envOf(t: PodspecTranslator, pod: TestPodOptions, env: EnvVar[] = []): Promise<KeyValue[]> {
    const p = testPod({ namespace: 'app', ...pod, containers: [testContainer('app', { env })] }) as unknown as Pod;
    const config = await t.containerConfig(p, p.spec.containers[0]!, { attempt: 0, imageRef: 'sha256:0', podIP: '10.244.1.5' });
    return config.envs ?? [];
  }

  /** The variables of the `kubernetes` Service (10.96.0.1:443) every pod gets. */
  const masterServiceVarsButHost = {
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  };
  const masterServiceVars = { KUBERNETES_SERVICE_HOST: '10.96.0.1', ...masterServiceVarsButHost };

  const cases: { name: string; pod?: TestPodOptions; env?: EnvVar[]; services?: ServiceForEnv[]; want: Record<string, string> }[] = [
    {
      name: "the namespace's Services and the master service",
      services: cluster,
      want: {
        ...masterServiceVars,
        DB_SERVICE_HOST: '10.96.0.21',
        DB_SERVICE_PORT: '5432',
        DB_PORT: 'tcp://10.96.0.21:5432',
        DB_PORT_5432_TCP: 'tcp://10.96.0.21:5432',
        DB_PORT_5432_TCP_PROTO: 'tcp',
        DB_PORT_5432_TCP_PORT: '5432',
        DB_PORT_5432_TCP_ADDR: '10.96.0.21',
        MY_WEB_SERVICE_HOST: '10.96.0.20',
        MY_WEB_SERVICE_PORT: '80',
        MY_WEB_PORT: 'tcp://10.96.0.20:80',
        MY_WEB_PORT_80_TCP: 'tcp://10.96.0.20:80',
        MY_WEB_PORT_80_TCP_PROTO: 'tcp',
        MY_WEB_PORT_80_TCP_PORT: '80',
        MY_WEB_PORT_80_TCP_ADDR: '10.96.0.20',
      },
    },
    {
      name: 'enableServiceLinks false: only the master service',
      pod: { enableServiceLinks: false },
      services: cluster,
      want: {
        ...masterServiceVars,
      },
    },
    {
      name: "the pod's own variables win, and $(VAR) sees service variables",
      pod: { enableServiceLinks: false },
      env: [
        { name: 'KUBERNETES_SERVICE_HOST', value: 'api.example' },
        { name: 'URL', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
      ],
      services: [cluster[0]!],
      want: {
        KUBERNETES_SERVICE_HOST: 'api.example',
        URL: 'https://api.example:443',
        ...masterServiceVarsButHost,
      },
    },
    { name: 'no Services cache: no service variables', pod: {}, env: [{ name: 'URL', value: '$(DB_SERVICE_HOST)' }], want: { URL: '$(DB_SERVICE_HOST)' } },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const t = translator(tc.services ? { services: new TestServiceCache(tc.services) } : {});
      const envs = await envOf(t, tc.pod ?? {}, tc.env);
      expect(serviceVars(envs)).to.deep.equal(tc.want);
      // The pod's own variables come first, in their order; service variables after them.
      expect(envs.slice(0, tc.env?.length ?? 0).map((e) => e.key)).to.deep.equal((tc.env ?? []).map((e) => e.name));
    });
  }

  it('waits for the first list of Services', async () => {
    const cache = new TestServiceCache(cluster, false);
    const t = translator({ services: cache, serviceSyncWaitMs: 5000 });
    const pending = envOf(t, { enableServiceLinks: false });
    setTimeout(() => cache.sync(), 50);
    expect(serviceVars(await pending)).to.have.property('KUBERNETES_SERVICE_HOST', '10.96.0.1');
  });

  it('fails with CreateContainerConfigError, in bounded time, when the Services never list (API unreachable)', async () => {
    const services = new Informer<ServiceWire>({ client, path: '/api/v1/services', minBackoffMs: 10, maxBackoffMs: 50 });
    services.start();
    try {
      const t = translator({ services, serviceSyncWaitMs: 300 });
      const started = Date.now();
      const err = await envOf(t, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ContainerConfigError);
      expect((err as ContainerConfigError).reason).to.equal('CreateContainerConfigError');
      expect((err as Error).message).to.equal(servicesNotSyncedMessage);
      expect(Date.now() - started).to.be.within(250, 3000);
      expect(services.stats.failures).to.be.greaterThan(0);
      // A retried start fails the same way: the translator does not wedge on the first wait.
      expect(await envOf(t, {}).then(() => 'ok', (e: unknown) => (e as Error).message)).to.equal(servicesNotSyncedMessage);
    } finally {
      await services.stop();
    }
  });
});
