// The control-plane reconciler against a real etcd and API server (in-process): it creates
// the `kubernetes` Service, Endpoints and EndpointSlice through the server's own stores, and
// mends each way a user can break them, through the API as a user would.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { silentLogger } from '../../common/logging.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';
import { keptObjects } from './kubernetesService.js';
import { ControlPlaneReconciler } from './reconciler.js';

const address = { serviceIP: '10.96.0.1', advertiseAddress: '192.0.2.7', port: 6443 };
const paths = {
  '/services': '/api/v1/namespaces/default/services/kubernetes',
  '/endpoints': '/api/v1/namespaces/default/endpoints/kubernetes',
  'discovery.k8s.io/endpointslices': '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes',
} as const;
type StoreKey = keyof typeof paths;

describe('control-plane reconciler: the kubernetes Service and its endpoints (etcd + API server)', function () {
  this.timeout(60_000);
  let c: TestCluster;
  let r: ControlPlaneReconciler;

  const read = async (key: StoreKey): Promise<KubeObject | undefined> => {
    const res = await c.client.get<KubeObject>(paths[key]);
    if (res.status === 404) return undefined;
    expect(res.status, res.text).to.equal(200);
    return res.body;
  };
  const send = async (method: 'DELETE' | 'PATCH', key: StoreKey, body?: unknown): Promise<void> => {
    const res = method === 'DELETE' ? await c.client.request('DELETE', paths[key]) : await c.client.request('PATCH', paths[key], { body, contentType: 'application/merge-patch+json' });
    expect(res.status, res.text).to.be.oneOf([200, 202]);
  };
  const expectAllConform = async (): Promise<void> => {
    for (const k of keptObjects(address)) {
      const obj = await read(k.store as StoreKey);
      expect(obj, k.store).to.not.equal(undefined);
      expect(k.conforms(obj!), `${k.store} conforms: ${JSON.stringify(obj)}`).to.equal(true);
    }
  };

  before(async () => {
    c = await startTestCluster();
    r = new ControlPlaneReconciler({ ...address, stores: c.server.stores, logger: silentLogger() });
  });
  after(async () => {
    await r?.stop();
    await c?.close();
  });

  it('creates the three objects, which then conform (a second pass writes nothing)', async () => {
    expect(await r.runOnce()).to.deep.equal({ '/services': 'created', '/endpoints': 'created', 'discovery.k8s.io/endpointslices': 'created' });
    await expectAllConform();
    const svc = (await read('/services'))!;
    expect(svc.metadata.labels).to.deep.equal({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).to.deep.include({ type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'] });
    expect((svc.spec as { ports: unknown[] }).ports).to.deep.equal([{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }]);
    expect((await read('/endpoints'))!.subsets).to.deep.equal([{ addresses: [{ ip: '192.0.2.7' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    const slice = (await read('discovery.k8s.io/endpointslices'))!;
    expect(slice.metadata.labels).to.deep.include({ 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'gantry-apiserver' });
    expect(slice.endpoints).to.deep.equal([{ addresses: ['192.0.2.7'], conditions: { ready: true } }]);
    const rvs = await Promise.all((Object.keys(paths) as StoreKey[]).map(async (k) => (await read(k))!.metadata.resourceVersion));
    expect(await r.runOnce()).to.deep.equal({ '/services': 'unchanged', '/endpoints': 'unchanged', 'discovery.k8s.io/endpointslices': 'unchanged' });
    expect(await Promise.all((Object.keys(paths) as StoreKey[]).map(async (k) => (await read(k))!.metadata.resourceVersion))).to.deep.equal(rvs);
  });

  const breakages: { name: string; key: StoreKey; how: () => Promise<void>; outcome: string }[] = [
    { name: 'Service deleted', key: '/services', how: () => send('DELETE', '/services'), outcome: 'created' },
    { name: 'Service port changed', key: '/services', how: () => send('PATCH', '/services', { spec: { ports: [{ name: 'https', port: 8443, targetPort: 1234, protocol: 'TCP' }] } }), outcome: 'updated' },
    { name: 'Service given a selector', key: '/services', how: () => send('PATCH', '/services', { spec: { selector: { app: 'x' } } }), outcome: 'updated' },
    { name: 'Service label removed', key: '/services', how: () => send('PATCH', '/services', { metadata: { labels: { provider: null } } }), outcome: 'updated' },
    { name: 'Endpoints deleted', key: '/endpoints', how: () => send('DELETE', '/endpoints'), outcome: 'created' },
    { name: 'Endpoints address changed', key: '/endpoints', how: () => send('PATCH', '/endpoints', { subsets: [{ addresses: [{ ip: '198.51.100.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] }), outcome: 'updated' },
    { name: 'EndpointSlice deleted', key: 'discovery.k8s.io/endpointslices', how: () => send('DELETE', 'discovery.k8s.io/endpointslices'), outcome: 'created' },
    { name: 'EndpointSlice endpoint not ready', key: 'discovery.k8s.io/endpointslices', how: () => send('PATCH', 'discovery.k8s.io/endpointslices', { endpoints: [{ addresses: ['192.0.2.7'], conditions: { ready: false } }] }), outcome: 'updated' },
    { name: 'EndpointSlice manager label changed', key: 'discovery.k8s.io/endpointslices', how: () => send('PATCH', 'discovery.k8s.io/endpointslices', { metadata: { labels: { 'endpointslice.kubernetes.io/managed-by': 'someone' } } }), outcome: 'updated' },
  ];
  for (const tc of breakages) {
    it(`mends: ${tc.name}`, async () => {
      await tc.how();
      expect((await r.runOnce())[tc.key]).to.equal(tc.outcome);
      await expectAllConform();
    });
  }

  it('keeps a label a user added while mending', async () => {
    await send('PATCH', '/services', { metadata: { labels: { team: 'infra', component: 'x' } } });
    expect((await r.runOnce())['/services']).to.equal('updated');
    expect((await read('/services'))!.metadata.labels).to.deep.equal({ component: 'apiserver', provider: 'kubernetes', team: 'infra' });
  });

  it('the cluster IP allocator holds 10.96.0.1 for it: a user cannot take it, and it comes back after a delete', async () => {
    const taken = await c.client.request('POST', '/api/v1/namespaces/default/services', { body: { metadata: { name: 'thief' }, spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] } } });
    expect(taken.status, taken.text).to.equal(422);
    expect(taken.text).to.include('already allocated');
    await send('DELETE', '/services');
    expect((await r.runOnce())['/services']).to.equal('created');
    expect(((await read('/services'))!.spec as { clusterIP: string }).clusterIP).to.equal('10.96.0.1');
  });

  it('start() runs passes every interval until stop()', async () => {
    const quick = new ControlPlaneReconciler({ ...address, stores: c.server.stores, logger: silentLogger(), intervalMs: 100 });
    quick.start();
    try {
      await send('DELETE', '/endpoints');
      const deadline = Date.now() + 5_000;
      while (!(await read('/endpoints')) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      await expectAllConform();
    } finally {
      await quick.stop();
    }
  });
});
