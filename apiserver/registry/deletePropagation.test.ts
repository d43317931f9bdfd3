// A DELETE of an object that is already being deleted, against a real etcd and API server,
// as Kubernetes' store answers it: a new propagationPolicy swaps the garbage collector's
// finalizers (orphan, foregroundDeletion), an object left with no finalizer goes at once, and
// a running grace period that the request does not shorten changes nothing. Driven through
// HTTP and through the real kubectl (`delete --cascade=orphan` after a background delete).

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import { kubectl } from '../../common/testing/kubectl.js';
import { suiteTestCluster } from '../testing/suiteCluster.js';

type Policy = 'Background' | 'Foreground' | 'Orphan' | undefined;

const cmPath = (name?: string): string => `/api/v1/namespaces/default/configmaps${name ? `/${name}` : ''}`;

describe('DELETE of an object already being deleted (real etcd)', function () {
  this.timeout(60_000);
  const c = suiteTestCluster();
  let cacheDir: string;
  let n = 0;

  before(() => {
    cacheDir = fs.mkdtempSync(path.join(c.dir, 'kubectl-cache-'));
  });

  const create = async (finalizers: string[]): Promise<string> => {
    const name = `cm-${++n}`;
    const r = await c.client.request('POST', cmPath(), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, finalizers }, data: { a: '1' } } });
    expect(r.status, r.text).to.equal(201);
    return name;
  };
  const del = async (name: string, policy: Policy): Promise<KubeObject> => {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...(policy ? { propagationPolicy: policy } : {}) };
    const r = await c.client.request<KubeObject>('DELETE', cmPath(name), { body });
    expect(r.status, r.text).to.equal(200);
    return r.body;
  };
  const get = async (name: string): Promise<KubeObject | undefined> => {
    const r = await c.client.get<KubeObject>(cmPath(name));
    if (r.status === 404) return undefined;
    expect(r.status, r.text).to.equal(200);
    return r.body;
  };

  const cases: { name: string; finalizers: string[]; first: Policy; second: Policy; want: string[] | 'gone'; sameVersion?: boolean }[] = [
    { name: 'Orphan after Background adds orphan', finalizers: ['example.com/hold'], first: 'Background', second: 'Orphan', want: ['example.com/hold', 'orphan'] },
    { name: 'Orphan after Foreground swaps foregroundDeletion for orphan', finalizers: ['example.com/hold'], first: 'Foreground', second: 'Orphan', want: ['example.com/hold', 'orphan'] },
    { name: 'Foreground after Orphan swaps orphan for foregroundDeletion', finalizers: ['example.com/hold'], first: 'Orphan', second: 'Foreground', want: ['example.com/hold', 'foregroundDeletion'] },
    { name: 'Background after Orphan removes orphan', finalizers: ['example.com/hold'], first: 'Orphan', second: 'Background', want: ['example.com/hold'] },
    { name: 'Background after Foreground with nothing else holding: the object goes', finalizers: [], first: 'Foreground', second: 'Background', want: 'gone' },
    { name: 'no policy keeps the finalizers as they are', finalizers: ['example.com/hold'], first: 'Orphan', second: undefined, want: ['example.com/hold', 'orphan'], sameVersion: true },
    { name: 'the same policy again writes nothing', finalizers: [], first: 'Orphan', second: 'Orphan', want: ['orphan'], sameVersion: true },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const name = await create(tc.finalizers);
      const first = await del(name, tc.first);
      expect(first.metadata.deletionTimestamp, 'held after the first DELETE').to.be.a('string');
      const second = await del(name, tc.second);
      const now = await get(name);
      if (tc.want === 'gone') {
        expect(now).to.equal(undefined);
        return;
      }
      expect(now?.metadata.finalizers).to.deep.equal(tc.want);
      expect(second.metadata.finalizers).to.deep.equal(tc.want);
      expect(now?.metadata.deletionTimestamp, 'the deletion timestamp stays').to.equal(first.metadata.deletionTimestamp);
      if (tc.sameVersion) expect(now?.metadata.resourceVersion).to.equal(first.metadata.resourceVersion);
      else expect(Number(now?.metadata.resourceVersion)).to.be.greaterThan(Number(first.metadata.resourceVersion));
      // Clean up: the finalizers that are not the collector's (no collector runs here).
      await c.client.request('PATCH', cmPath(name), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
      expect(await get(name)).to.equal(undefined);
    });
  }

  it('kubectl delete --cascade=orphan after a background delete, then --cascade=foreground', async () => {
    const name = await create(['example.com/hold']);
    const k = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => kubectl(c.kubeconfig, cacheDir, args);
    let out = await k('delete', 'configmap', name, '--wait=false');
    expect(out.code, out.stderr).to.equal(0);
    out = await k('delete', 'configmap', name, '--cascade=orphan', '--wait=false');
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.contain(`configmap "${name}" deleted`);
    expect((await get(name))?.metadata.finalizers).to.deep.equal(['example.com/hold', 'orphan']);
    out = await k('delete', 'configmap', name, '--cascade=foreground', '--wait=false');
    expect(out.code, out.stderr).to.equal(0);
    out = await k('get', 'configmap', name, '-o', 'jsonpath={.metadata.finalizers}');
    expect(JSON.parse(out.stdout)).to.deep.equal(['example.com/hold', 'foregroundDeletion']);
    await c.client.request('PATCH', cmPath(name), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
  });

  it('a pod in its grace period: a DELETE that does not shorten it changes nothing, one that does may switch the policy', async () => {
    const pods = '/api/v1/namespaces/default/pods';
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'graceful' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'busybox:1' }] } };
    expect((await c.client.request('POST', pods, { body: pod })).status).to.equal(201);
    const first = (await c.client.request<KubeObject>('DELETE', `${pods}/graceful`, { body: { propagationPolicy: 'Background' } })).body;
    expect(first.metadata.deletionGracePeriodSeconds).to.equal(30);
    const same = (await c.client.request<KubeObject>('DELETE', `${pods}/graceful`, { body: { propagationPolicy: 'Orphan' } })).body;
    expect(same.metadata.finalizers ?? []).to.deep.equal([]);
    expect(same.metadata.resourceVersion).to.equal(first.metadata.resourceVersion);
    const shorter = (await c.client.request<KubeObject>('DELETE', `${pods}/graceful`, { body: { propagationPolicy: 'Orphan', gracePeriodSeconds: 10 } })).body;
    expect(shorter.metadata.deletionGracePeriodSeconds).to.equal(10);
    expect(shorter.metadata.finalizers).to.deep.equal(['orphan']);
    // What the node agent does once the containers stopped: the orphan finalizer still holds it.
    const now = (await c.client.request<KubeObject>('DELETE', `${pods}/graceful`, { body: { gracePeriodSeconds: 0 } })).body;
    expect(now.metadata.finalizers).to.deep.equal(['orphan']);
    await c.client.request('PATCH', `${pods}/graceful`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    expect((await c.client.get(`${pods}/graceful`)).status).to.equal(404);
  });
});
