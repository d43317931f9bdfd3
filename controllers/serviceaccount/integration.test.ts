// The ServiceAccount controller against a real etcd and API server: every namespace gets a
// `default` ServiceAccount (also the ones that existed before the controller started), a
// deleted one is made again, and a terminating namespace gets none.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { NotFoundError } from '../../common/errors.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { eventually } from '../../common/testing/eventually.js';
import { runControllers, type RunningControllers } from '../garbagecollector/testRunner.js';
import { resourceOf } from '../garbagecollector/testObjects.js';
import { kubectl } from '../garbagecollector/workloadFixtures.js';
import { serviceAccountControllerFactory } from './index.js';

const namespaces = resourceOf('Namespace');
const serviceAccounts = resourceOf('ServiceAccount');
const configMaps = resourceOf('ConfigMap');

describe('ServiceAccount controller integration (etcd + API server processes)', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let run: RunningControllers;

  before(async () => {
    c = await startProcessCluster();
    // Made before the controller starts: the initial list must cover it.
    await c.client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'early' } } });
    run = await runControllers(c.client, [serviceAccountControllerFactory]);
  });
  after(async () => {
    await run?.stop();
    await c?.close();
  });

  const getSa = async (ns: string): Promise<KubeObject | undefined> => {
    try {
      return await run.api.get(serviceAccounts, ns, 'default');
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };

  it('gives namespaces that existed before it started, and the bootstrap ones, a default ServiceAccount', async () => {
    for (const ns of ['early', 'default', 'kube-system']) await eventually(`default ServiceAccount in ${ns}`, () => getSa(ns), 20_000);
  });

  it('a new namespace gets one; kubectl sees it', async () => {
    expect((await kubectl(c.kubeconfig, 'create', 'namespace', 'fresh')).status).to.equal(0);
    await eventually('the default ServiceAccount', () => getSa('fresh'), 20_000);
    const out = await kubectl(c.kubeconfig, 'get', 'serviceaccounts', '-n', 'fresh', '-o', 'name');
    expect(out.stdout.trim()).to.equal('serviceaccount/default');
  });

  it('a deleted default ServiceAccount is made again', async () => {
    await run.api.create(namespaces, undefined, { metadata: { name: 'again' } });
    const first = await eventually('the default ServiceAccount', () => getSa('again'), 20_000);
    expect((await kubectl(c.kubeconfig, 'delete', 'serviceaccount', 'default', '-n', 'again')).status).to.equal(0);
    const second = await eventually('a new default ServiceAccount', async () => {
      const sa = await getSa('again');
      return sa && sa.metadata.uid !== first.metadata.uid ? sa : undefined;
    }, 20_000);
    expect(second.metadata.name).to.equal('default');
  });

  it('a terminating namespace gets none', async () => {
    await run.api.create(namespaces, undefined, { metadata: { name: 'ending' } });
    await eventually('the default ServiceAccount', () => getSa('ending'), 20_000);
    // Something holds the namespace in Terminating (no namespace controller runs here).
    await run.api.create(configMaps, 'ending', { metadata: { name: 'x' } });
    await run.api.delete(namespaces, undefined, 'ending');
    await run.api.delete(serviceAccounts, 'ending', 'default');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await getSa('ending')).to.equal(undefined);
  });
});
