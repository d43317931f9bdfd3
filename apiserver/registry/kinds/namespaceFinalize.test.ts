// namespaces/{name}/finalize against a real etcd and API server: only this subresource
// changes spec.finalizers (a PUT or PATCH of the namespace keeps them, as in Kubernetes),
// and emptying them on a terminating namespace lets it go. Driven through HTTP, the typed
// ApiClient (Api.updateSubresource) with its leader fence, and the real kubectl's
// `replace --raw .../finalize` that users run on a namespace stuck in Terminating.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../../common/api/meta.js';
import { resourceFor } from '../../../common/api/resources.js';
import { ApiClient } from '../../../common/client/apiClient.js';
import { fencedApi, NotLeaderError } from '../../../common/controller/fencedApi.js';
import { kubectl } from '../../../common/testing/kubectl.js';
import { startTestCluster, type TestCluster } from '../../testing/harness.js';

const namespaces = resourceFor('Namespace');
const nsPath = (name?: string, sub?: string): string => `/api/v1/namespaces${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;
const finalizersOf = (o: KubeObject | undefined): unknown => (o?.spec as { finalizers?: unknown } | undefined)?.finalizers;

describe('namespaces/finalize (real etcd)', function () {
  this.timeout(60_000);
  let c: TestCluster;
  let api: ApiClient;
  let cacheDir: string;

  before(async () => {
    c = await startTestCluster();
    api = new ApiClient({ client: c.client, qps: 0 });
    cacheDir = fs.mkdtempSync(path.join(c.dir, 'kubectl-cache-'));
  });
  after(async () => {
    await c?.close();
  });

  const makeNamespace = async (name: string): Promise<KubeObject> => {
    const r = await c.client.request<KubeObject>('POST', nsPath(), { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    expect(r.status, r.text).to.equal(201);
    expect(finalizersOf(r.body)).to.deep.equal(['kubernetes']);
    return r.body;
  };
  const current = async (name: string): Promise<KubeObject | undefined> => {
    const r = await c.client.get<KubeObject>(nsPath(name));
    return r.status === 404 ? undefined : r.body;
  };

  const mainWrites: { name: string; write: (ns: KubeObject) => Promise<{ status: number; text: string }> }[] = [
    { name: 'PUT', write: (ns) => c.client.request('PUT', nsPath(ns.metadata.name), { body: { ...ns, metadata: { ...ns.metadata, labels: { x: '1' } }, spec: { finalizers: [] } } }) },
    { name: 'merge PATCH', write: (ns) => c.client.request('PATCH', nsPath(ns.metadata.name), { body: { metadata: { labels: { x: '1' } }, spec: { finalizers: null } }, contentType: 'application/merge-patch+json' }) },
    { name: 'JSON PATCH', write: (ns) => c.client.request('PATCH', nsPath(ns.metadata.name), { body: [{ op: 'replace', path: '/spec/finalizers', value: ['example.com/other'] }, { op: 'add', path: '/metadata/labels/x', value: '1' }], contentType: 'application/json-patch+json' }) },
  ];
  for (const tc of mainWrites) {
    it(`a ${tc.name} of the namespace keeps spec.finalizers (and changes the rest)`, async () => {
      const ns = await makeNamespace(`keep-${tc.name.toLowerCase().replace(/\W+/g, '-')}`);
      const r = await tc.write(ns);
      expect(r.status, r.text).to.equal(200);
      const now = await current(ns.metadata.name!);
      expect(finalizersOf(now)).to.deep.equal(['kubernetes']);
      expect(now?.metadata.labels?.x).to.equal('1');
    });
  }

  it('PUT /finalize on an active namespace sets spec.finalizers and nothing else', async () => {
    const ns = await makeNamespace('set-finalizers');
    const r = await c.client.request<KubeObject>('PUT', nsPath('set-finalizers', 'finalize'), { body: { ...ns, metadata: { ...ns.metadata, labels: { ignored: 'yes' } }, spec: { finalizers: ['kubernetes', 'example.com/x'] } } });
    expect(r.status, r.text).to.equal(200);
    expect(finalizersOf(r.body)).to.deep.equal(['kubernetes', 'example.com/x']);
    const now = await current('set-finalizers');
    expect(finalizersOf(now)).to.deep.equal(['kubernetes', 'example.com/x']);
    expect(now?.metadata.labels?.ignored).to.equal(undefined);
    expect((now?.status as { phase?: string }).phase).to.equal('Active');
  });

  it('Api.updateSubresource(finalize) empties a terminating namespace\'s finalizers and it goes; a deposed leader may not', async () => {
    await makeNamespace('via-api');
    const del = await c.client.request<KubeObject>('DELETE', nsPath('via-api'));
    expect((del.body.status as { phase?: string }).phase).to.equal('Terminating');
    const ns = await api.get(namespaces, undefined, 'via-api');
    const emptied = { ...ns, spec: { finalizers: [] } };
    // A PUT of the namespace itself: accepted, but the namespace stays, held by `kubernetes`.
    await api.update(namespaces, emptied);
    expect(finalizersOf(await current('via-api'))).to.deep.equal(['kubernetes']);
    // The fence refuses before anything is sent.
    let leading = false;
    const fenced = fencedApi(api, () => leading);
    const sent = api.stats.requests;
    let refused: unknown;
    await fenced.updateSubresource(namespaces, emptied, 'finalize').catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(NotLeaderError);
    expect(api.stats.requests).to.equal(sent);
    leading = true;
    await fenced.updateSubresource(namespaces, emptied, 'finalize');
    expect(await current('via-api')).to.equal(undefined);
  });

  it('kubectl replace --raw /api/v1/namespaces/x/finalize removes a namespace stuck in Terminating', async () => {
    await makeNamespace('stuck');
    // Content stays: no namespace controller runs here to delete it, so `kubernetes` stays too.
    await c.client.request('POST', '/api/v1/namespaces/stuck/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held' } } });
    let out = await kubectl(c.kubeconfig, cacheDir, ['delete', 'namespace', 'stuck', '--wait=false']);
    expect(out.code, out.stderr).to.equal(0);
    out = await kubectl(c.kubeconfig, cacheDir, ['get', 'namespace', 'stuck', '-o', 'json']);
    expect(out.code, out.stderr).to.equal(0);
    const ns = JSON.parse(out.stdout) as KubeObject;
    expect((ns.status as { phase?: string }).phase).to.equal('Terminating');
    // Editing the namespace itself does not help (Kubernetes answers the same way).
    out = await kubectl(c.kubeconfig, cacheDir, ['patch', 'namespace', 'stuck', '--type=merge', '-p', '{"spec":{"finalizers":[]}}']);
    expect(out.code, out.stderr).to.equal(0);
    expect(finalizersOf(await current('stuck'))).to.deep.equal(['kubernetes']);
    out = await kubectl(c.kubeconfig, cacheDir, ['replace', '--raw', '/api/v1/namespaces/stuck/finalize', '-f', '-'], { input: JSON.stringify({ ...ns, spec: { finalizers: [] } }) });
    expect(out.code, out.stderr).to.equal(0);
    expect(JSON.parse(out.stdout).metadata.name).to.equal('stuck');
    expect(await current('stuck')).to.equal(undefined);
  });
});
