// Lists in pages through a real API server and etcd: every page cut by `limit` reports
// metadata.remainingItemCount when there is no selector: the first page from the watch
// cache, continuation pages from etcd's count of the range at the list's revision. The
// real kubectl pages with --chunk-size and reads the pages raw.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';
import { kubectlBinary, runKubectl } from '../../common/testing/kubectl.js';

const ns = 'paging';
const cms = `/api/v1/namespaces/${ns}/configmaps`;
type Page = { items: KubeObject[]; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } };
const names = (p: Page): string[] => p.items.map((i) => i.metadata.name!);

describe('list pages: remainingItemCount on first and continuation pages (real etcd, real kubectl)', function () {
  this.timeout(90_000);
  let c: TestCluster;
  const all = Array.from({ length: 7 }, (_, i) => `cm-${i}`);

  before(async () => {
    c = await startTestCluster();
    await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    for (const [i, name] of all.entries()) {
      await c.client.request('POST', cms, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { even: String(i % 2 === 0) } }, data: { i: String(i) } } });
    }
  });
  after(async () => {
    await c?.close();
  });

  const page = async (query: Record<string, string | number>): Promise<Page> => {
    const r = await c.client.get<Page>(cms, { query });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  };

  const cases = [
    { name: 'limit 3: 3, 3, 1', limit: 3, pages: [{ items: 3, remaining: 4 }, { items: 3, remaining: 1 }, { items: 1, remaining: undefined }] },
    { name: 'limit 2: 2, 2, 2, 1', limit: 2, pages: [{ items: 2, remaining: 5 }, { items: 2, remaining: 3 }, { items: 2, remaining: 1 }, { items: 1, remaining: undefined }] },
    { name: 'limit 6: 6, 1', limit: 6, pages: [{ items: 6, remaining: 1 }, { items: 1, remaining: undefined }] },
    { name: 'limit 7: one page, no count', limit: 7, pages: [{ items: 7, remaining: undefined }] },
  ];
  for (const tc of cases) {
    it(`counts what is left on every page (${tc.name})`, async () => {
      const seen: string[] = [];
      let token: string | undefined;
      for (const [i, want] of tc.pages.entries()) {
        const p = await page({ limit: tc.limit, ...(token ? { continue: token } : {}) });
        expect(p.items, `page ${i + 1}`).to.have.length(want.items);
        expect(p.metadata.remainingItemCount, `page ${i + 1} remainingItemCount`).to.equal(want.remaining);
        seen.push(...names(p));
        token = p.metadata.continue;
        expect(token === undefined, `page ${i + 1} is the last`).to.equal(i === tc.pages.length - 1);
      }
      expect(seen).to.deep.equal(all);
    });
  }

  it('counts at the first page revision: writes between pages change neither the pages nor the count', async () => {
    const p1 = await page({ limit: 2 });
    expect(p1.metadata.remainingItemCount).to.equal(5);
    await c.client.request('POST', cms, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-9' } } });
    await c.client.request('DELETE', `${cms}/cm-6`);
    try {
      const p2 = await page({ limit: 2, continue: p1.metadata.continue! });
      expect(names(p2)).to.deep.equal(['cm-2', 'cm-3']);
      expect(p2.metadata.remainingItemCount).to.equal(3);
      expect(p2.metadata.resourceVersion).to.equal(p1.metadata.resourceVersion);
    } finally {
      await c.client.request('DELETE', `${cms}/cm-9`);
      await c.client.request('POST', cms, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-6', labels: { even: 'true' } }, data: { i: '6' } } });
    }
  });

  it('leaves the count out with a label or field selector, on continuation pages too', async () => {
    const p1 = await page({ limit: 1, labelSelector: 'even=true' });
    expect(p1.metadata.remainingItemCount).to.equal(undefined);
    const p2 = await page({ limit: 1, labelSelector: 'even=true', continue: p1.metadata.continue! });
    expect(names(p2)).to.deep.equal(['cm-2']);
    expect(p2.metadata.continue).to.be.a('string');
    expect(p2.metadata.remainingItemCount).to.equal(undefined);
    const f1 = await page({ limit: 1, fieldSelector: 'metadata.namespace=paging' });
    const f2 = await page({ limit: 1, fieldSelector: 'metadata.namespace=paging', continue: f1.metadata.continue! });
    expect(f2.metadata.continue).to.be.a('string');
    expect(f2.metadata.remainingItemCount).to.equal(undefined);
  });

  it('kubectl get --chunk-size pages through every item, and get --raw shows the count on a continuation page', async () => {
    const cache = path.join(c.dir, 'kubectl-cache');
    const kubectl = (args: string[]) => runKubectl(c.kubeconfig, cache, args, { binary: kubectlBinary(33) }).done;
    try {
      const chunked = await kubectl(['get', 'configmaps', '-n', ns, '--chunk-size=2', '-o', 'name', '-v=6']);
      expect(chunked.code, chunked.stderr).to.equal(0);
      expect(chunked.stdout.trim().split('\n')).to.deep.equal(all.map((n) => `configmap/${n}`));
      // Four requests of two: the first and three continuations.
      const requests = chunked.stderr.split('\n').filter((l) => /GET.*\/namespaces\/paging\/configmaps\?\S*limit=2/.test(l));
      expect(requests, chunked.stderr).to.have.length(4);
      expect(requests.filter((l) => l.includes('continue='))).to.have.length(3);

      const first = await kubectl(['get', '--raw', `${cms}?limit=4`]);
      expect(first.code, first.stderr).to.equal(0);
      const p1 = JSON.parse(first.stdout) as Page;
      expect(p1.metadata.remainingItemCount).to.equal(3);
      const second = await kubectl(['get', '--raw', `${cms}?limit=2&continue=${encodeURIComponent(p1.metadata.continue!)}`]);
      expect(second.code, second.stderr).to.equal(0);
      const p2 = JSON.parse(second.stdout) as Page;
      expect(names(p2)).to.deep.equal(['cm-4', 'cm-5']);
      expect(p2.metadata.remainingItemCount).to.equal(1);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
