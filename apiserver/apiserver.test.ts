// The API server over real etcd, through HTTPS: object semantics, watches, patches,
// validation, dry-run and authentication.

import { expect } from 'chai';
import type { KubeObject, Status } from '../common/api/meta.js';
import { suiteTestCluster } from './testing/suiteCluster.js';

const cmPath = (ns = 'default', name?: string): string => `/api/v1/namespaces/${ns}/configmaps${name ? '/' + name : ''}`;
const configMap = (name: string, data: Record<string, string> = { a: '1' }, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data,
});
const deployment = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1', env: [{ name: 'A', value: '1' }] }] } },
  },
});

async function eventuallyOk<T extends { status: number }>(fn: () => Promise<T>, want = 200, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn().catch(() => undefined);
    if (last?.status === want) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${want} within ${timeoutMs} ms (last: ${last?.status ?? 'no answer'})`);
}

describe('API server (real etcd)', function () {
  this.timeout(60_000);
  const c = suiteTestCluster();

  describe('authentication and authorization', () => {
    const cases = [
      { name: 'no token is 401', token: '', path: '/api/v1/namespaces', code: 401 },
      { name: 'unknown token is 401', token: 'nope', path: '/api/v1/namespaces', code: 401 },
      { name: 'authenticated but not allowed is 403', token: 'NOBODY', path: '/api/v1/namespaces', code: 403 },
      { name: 'discovery is open to the authenticated', token: 'NOBODY', path: '/api', code: 200 },
      { name: 'admin may list', token: undefined, path: '/api/v1/namespaces', code: 200 },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const token = tc.token === 'NOBODY' ? c.nobodyToken : tc.token;
        const r = await c.client.get<Status>(tc.path, token === undefined ? {} : { token });
        expect(r.status).to.equal(tc.code);
        if (tc.code >= 400) expect(r.body.kind).to.equal('Status');
      });
    }
  });

  describe('object semantics', () => {
    it('create sets uid, creationTimestamp and resourceVersion; a second create is 409 AlreadyExists', async () => {
      const r = await c.client.request<KubeObject>('POST', cmPath(), { body: configMap('one') });
      expect(r.status).to.equal(201);
      expect(r.body.metadata.uid).to.match(/^[0-9a-f-]{36}$/);
      expect(r.body.metadata.creationTimestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Number(r.body.metadata.resourceVersion)).to.be.greaterThan(0);
      const again = await c.client.request<Status>('POST', cmPath(), { body: configMap('one') });
      expect(again.status).to.equal(409);
      expect(again.body.reason).to.equal('AlreadyExists');
    });

    it('generateName makes a unique name', async () => {
      const r = await c.client.request<KubeObject>('POST', cmPath(), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } } });
      expect(r.status).to.equal(201);
      expect(r.body.metadata.name).to.match(/^gen-[a-z0-9]{5}$/);
    });

    it('an update with a stale resourceVersion is 409 Conflict, never a silent overwrite', async () => {
      const created = (await c.client.request<KubeObject>('POST', cmPath(), { body: configMap('stale') })).body;
      const first = await c.client.request<KubeObject>('PUT', cmPath('default', 'stale'), { body: { ...created, data: { a: '2' } } });
      expect(first.status).to.equal(200);
      const second = await c.client.request<Status>('PUT', cmPath('default', 'stale'), { body: { ...created, data: { a: '3' } } });
      expect(second.status).to.equal(409);
      expect(second.body.reason).to.equal('Conflict');
      const now = await c.client.get<KubeObject>(cmPath('default', 'stale'));
      expect(now.body.data).to.deep.equal({ a: '2' });
    });

    it('generation bumps only on spec changes', async () => {
      const path = '/apis/apps/v1/namespaces/default/deployments';
      const d = (await c.client.request<KubeObject>('POST', path, { body: deployment('gen') })).body;
      expect(d.metadata.generation).to.equal(1);
      const labelled = await c.client.request<KubeObject>('PATCH', `${path}/gen`, { body: { metadata: { labels: { x: 'y' } } }, contentType: 'application/merge-patch+json' });
      expect(labelled.body.metadata.generation).to.equal(1);
      const scaled = await c.client.request<KubeObject>('PATCH', `${path}/gen`, { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
      expect(scaled.body.metadata.generation).to.equal(2);
      const status = await c.client.request<KubeObject>('PATCH', `${path}/gen/status`, { body: { status: { observedGeneration: 2, replicas: 0 } }, contentType: 'application/merge-patch+json' });
      expect(status.status).to.equal(200);
      expect(status.body.metadata.generation).to.equal(2);
      // Status written through the main resource is ignored.
      const sneaky = await c.client.request<KubeObject>('PATCH', `${path}/gen`, { body: { status: { replicas: 99 } }, contentType: 'application/merge-patch+json' });
      expect((sneaky.body.status as { replicas: number }).replicas).to.equal(0);
    });

    it('a no-op patch does not bump resourceVersion', async () => {
      const created = (await c.client.request<KubeObject>('POST', cmPath(), { body: configMap('noop') })).body;
      const same = await c.client.request<KubeObject>('PATCH', cmPath('default', 'noop'), { body: { data: { a: '1' } }, contentType: 'application/merge-patch+json' });
      expect(same.body.metadata.resourceVersion).to.equal(created.metadata.resourceVersion);
    });

    it('finalizers hold deletion until removed', async () => {
      await c.client.request('POST', cmPath(), { body: configMap('held', {}, { finalizers: ['example.com/hold'] }) });
      const del = await c.client.request<KubeObject>('DELETE', cmPath('default', 'held'));
      expect(del.status).to.equal(200);
      expect(del.body.metadata.deletionTimestamp).to.be.a('string');
      expect((await c.client.get(cmPath('default', 'held'))).status).to.equal(200);
      const freed = await c.client.request('PATCH', cmPath('default', 'held'), { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
      expect(freed.status).to.equal(200);
      expect((await c.client.get(cmPath('default', 'held'))).status).to.equal(404);
    });

    it('pods bound to a node are deleted gracefully; unbound pods at once', async () => {
      const pod = (name: string, node?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'c', image: 'busybox' }] } });
      await c.client.request('POST', '/api/v1/namespaces/default/pods', { body: pod('unbound') });
      expect((await c.client.request('DELETE', '/api/v1/namespaces/default/pods/unbound')).status).to.equal(200);
      expect((await c.client.get('/api/v1/namespaces/default/pods/unbound')).status).to.equal(404);
      await c.client.request('POST', '/api/v1/namespaces/default/pods', { body: pod('bound', 'n1') });
      const del = await c.client.request<KubeObject>('DELETE', '/api/v1/namespaces/default/pods/bound');
      expect(del.body.metadata.deletionGracePeriodSeconds).to.equal(30);
      expect((await c.client.get('/api/v1/namespaces/default/pods/bound')).status).to.equal(200);
      // The node agent confirms with grace 0.
      await c.client.request('DELETE', '/api/v1/namespaces/default/pods/bound', { body: { gracePeriodSeconds: 0 } });
      expect((await c.client.get('/api/v1/namespaces/default/pods/bound')).status).to.equal(404);
    });

    it('binds a pod once, in one write that also sets PodScheduled; a second binding is 409', async () => {
      const pods = '/api/v1/namespaces/default/pods';
      const created = await c.client.request<KubeObject>('POST', pods, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tobind' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
      const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'tobind' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } };
      const r = await c.client.request('POST', `${pods}/tobind/binding`, { body: binding });
      expect(r.status).to.equal(201);
      const pod = (await c.client.get<KubeObject>(`${pods}/tobind`)).body;
      expect((pod.spec as { nodeName: string }).nodeName).to.equal('n1');
      const scheduled = (pod.status as { conditions: { type: string; status: string }[] }).conditions.find((x) => x.type === 'PodScheduled');
      expect(scheduled?.status).to.equal('True');
      expect(Number(pod.metadata.resourceVersion) - Number(created.body.metadata.resourceVersion)).to.equal(1);
      const again = await c.client.request<Status>('POST', `${pods}/tobind/binding`, { body: { ...binding, target: { name: 'n2' } } });
      expect(again.status).to.equal(409);
    });

    it('evicts a pod through the eviction subresource', async () => {
      const pods = '/api/v1/namespaces/default/pods';
      await c.client.request('POST', pods, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evictme' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
      const r = await c.client.request('POST', `${pods}/evictme/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictme' } } });
      expect(r.status).to.equal(201);
      expect((await c.client.get(`${pods}/evictme`)).status).to.equal(404);
    });

    it('resolves a pod priorityClassName to spec.priority, and refuses unknown classes', async () => {
      await c.client.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { body: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' } });
      const pod = (name: string, cls: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { priorityClassName: cls, containers: [{ name: 'c', image: 'busybox' }] } });
      const ok = await c.client.request<KubeObject>('POST', '/api/v1/namespaces/default/pods', { body: pod('prio', 'high') });
      expect(ok.status).to.equal(201);
      expect(ok.body.spec).to.deep.include({ priority: 1000, preemptionPolicy: 'Never' });
      const sys = await c.client.request<KubeObject>('POST', '/api/v1/namespaces/default/pods', { body: pod('prio-sys', 'system-node-critical') });
      expect((sys.body.spec as { priority: number }).priority).to.equal(2_000_001_000);
      const bad = await c.client.request<Status>('POST', '/api/v1/namespaces/default/pods', { body: pod('prio-bad', 'nope') });
      expect(bad.status).to.equal(403);
      expect(bad.body.message).to.contain('no PriorityClass with name nope was found');
    });

    it('refuses objects in missing namespaces', async () => {
      const r = await c.client.request<Status>('POST', cmPath('nowhere'), { body: configMap('x') });
      expect(r.status).to.equal(404);
      expect(r.body.message).to.contain('namespaces "nowhere" not found');
    });

    it('refuses objects in terminating namespaces', async () => {
      await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } });
      const del = await c.client.request<KubeObject>('DELETE', '/api/v1/namespaces/doomed');
      expect((del.body.status as { phase: string }).phase).to.equal('Terminating');
      const r = await c.client.request<Status>('POST', cmPath('doomed'), { body: configMap('x') });
      expect(r.status).to.equal(403);
      expect(r.body.message).to.contain('being terminated');
    });

    it('dryRun=All persists nothing', async () => {
      const r = await c.client.request<KubeObject>('POST', cmPath(), { body: configMap('dry'), query: { dryRun: 'All' } });
      expect(r.status).to.equal(201);
      expect((await c.client.get(cmPath('default', 'dry'))).status).to.equal(404);
      await c.client.request('POST', cmPath(), { body: configMap('dry2') });
      await c.client.request('PATCH', cmPath('default', 'dry2'), { body: { data: { a: 'changed' } }, contentType: 'application/merge-patch+json', query: { dryRun: 'All' } });
      await c.client.request('DELETE', cmPath('default', 'dry2'), { query: { dryRun: 'All' } });
      const after = await c.client.get<KubeObject>(cmPath('default', 'dry2'));
      expect(after.body.data).to.deep.equal({ a: '1' });
    });
  });

  describe('validation', () => {
    it('answers 422 with every field path', async () => {
      const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { replicas: 'three', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ image: 'x' }] } } } };
      const r = await c.client.request<Status>('POST', '/apis/apps/v1/namespaces/default/deployments', { body: bad });
      expect(r.status).to.equal(422);
      expect(r.body.reason).to.equal('Invalid');
      const fields = (r.body.details?.causes ?? []).map((x) => x.field);
      expect(fields).to.include('spec.replicas');
      expect(fields).to.include('spec.template.spec.containers[0].name');
    });

    it('rejects unknown fields under fieldValidation=Strict and drops them otherwise', async () => {
      const body = { ...configMap('strict'), bogus: 1, metadata: { name: 'strict', nope: true } };
      const strict = await c.client.request<Status>('POST', cmPath(), { body, query: { fieldValidation: 'Strict' } });
      expect(strict.status).to.be.oneOf([400, 422]);
      expect(strict.body.message).to.contain('bogus');
      expect(strict.body.message).to.contain('nope');
      const lax = await c.client.request<KubeObject>('POST', cmPath(), { body });
      expect(lax.status).to.equal(201);
      expect(lax.body).to.not.have.property('bogus');
    });

    const garbage = [
      { name: 'malformed JSON', body: '{"metadata": ', type: 'application/json', code: 400 },
      { name: 'malformed YAML', body: 'a: [', type: 'application/yaml', code: 400 },
      { name: 'wrong content type', body: 'x', type: 'text/plain', code: 415 },
      { name: 'an array instead of an object', body: '[]', type: 'application/json', code: 400 },
    ];
    for (const tc of garbage) {
      it(`answers ${tc.code} for ${tc.name}`, async () => {
        const r = await c.client.request<Status>('POST', cmPath(), { body: tc.body, contentType: tc.type });
        expect(r.status).to.equal(tc.code);
        expect(r.body.kind).to.equal('Status');
      });
    }

    it('answers 413 for bodies over 3 MiB before reading them', async () => {
      const r = await c.client.request<Status>('POST', cmPath(), { body: configMap('huge', { a: 'x'.repeat(3_200_000) }) });
      expect(r.status).to.equal(413);
    });

    it('answers 413 for objects larger than etcd takes', async () => {
      // No field of a Deployment has a size limit of its own (a ConfigMap's data has: 1 MiB, a 422).
      const big = deployment('big');
      (big.spec as { template: { spec: { containers: { env: { value: string }[] }[] } } }).template.spec.containers[0]!.env[0]!.value = 'x'.repeat(2_000_000);
      const r = await c.client.request<Status>('POST', '/apis/apps/v1/namespaces/default/deployments', { body: big });
      expect(r.status).to.equal(413);
    });

    it('answers 422 for ConfigMap contents over 1 MiB', async () => {
      const r = await c.client.request<Status>('POST', cmPath(), { body: configMap('big', { a: 'x'.repeat(2_000_000) }) });
      expect(r.status).to.equal(422);
      expect(r.body.message).to.equal('ConfigMap "big" is invalid: Too long: may not be more than 1048576 bytes');
    });
  });

  describe('patches', () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/patchme';
    before(async () => {
      await c.client.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment('patchme') });
    });

    it('strategic merge patch merges containers by name and applies directives', async () => {
      const r = await c.client.request<KubeObject>('PATCH', path, {
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { spec: { $setElementOrder$containers: undefined, containers: [{ name: 'c', image: 'busybox:2' }, { name: 'side', image: 'pause' }] } } } },
      });
      expect(r.status, r.text).to.equal(200);
      const containers = ((r.body.spec as { template: { spec: { containers: { name: string; image: string; env?: unknown[] }[] } } }).template.spec.containers);
      expect(containers.map((x) => x.name)).to.deep.equal(['c', 'side']);
      expect(containers[0]!.image).to.equal('busybox:2');
      expect(containers[0]!.env).to.have.length(1);
    });

    it('JSON patch applies operations and refuses a failed test', async () => {
      const ok = await c.client.request<KubeObject>('PATCH', path, { contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] });
      expect(ok.status).to.equal(200);
      expect((ok.body.spec as { replicas: number }).replicas).to.equal(4);
      const bad = await c.client.request<Status>('PATCH', path, { contentType: 'application/json-patch+json', body: [{ op: 'test', path: '/spec/replicas', value: 1 }] });
      expect(bad.status).to.be.within(400, 422);
    });

    it('merge patch with null deletes', async () => {
      await c.client.request('PATCH', path, { contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b', c: 'd' } } } });
      const r = await c.client.request<KubeObject>('PATCH', path, { contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: null } } } });
      expect(r.body.metadata.labels).to.deep.equal({ c: 'd' });
    });

    it('server-side apply creates, then reports conflicts with another manager as 409 with causes', async () => {
      const cm = configMap('ssa', { k: 'v1' });
      const create = await c.client.request<KubeObject>('PATCH', cmPath('default', 'ssa'), { contentType: 'application/apply-patch+yaml', body: cm, query: { fieldManager: 'alice' } });
      expect(create.status).to.equal(201);
      const clash = await c.client.request<Status>('PATCH', cmPath('default', 'ssa'), { contentType: 'application/apply-patch+yaml', body: configMap('ssa', { k: 'v2' }), query: { fieldManager: 'bob' } });
      expect(clash.status).to.equal(409);
      expect(clash.body.details?.causes?.[0]).to.deep.include({ reason: 'FieldManagerConflict', field: '.data.k' });
      const forced = await c.client.request<KubeObject>('PATCH', cmPath('default', 'ssa'), { contentType: 'application/apply-patch+yaml', body: configMap('ssa', { k: 'v2' }), query: { fieldManager: 'bob', force: 'true' } });
      expect(forced.status).to.equal(200);
      expect(forced.body.data).to.deep.equal({ k: 'v2' });
      // alice no longer declaring k does not remove it: bob owns it now.
      const aliceDrops = await c.client.request<KubeObject>('PATCH', cmPath('default', 'ssa'), { contentType: 'application/apply-patch+yaml', body: configMap('ssa', { other: 'x' }), query: { fieldManager: 'alice' } });
      expect(aliceDrops.body.data).to.deep.equal({ k: 'v2', other: 'x' });
    });

    it('scale subresource reads and writes spec.replicas', async () => {
      const r = await c.client.request<KubeObject>('PATCH', `${path}/scale`, { contentType: 'application/merge-patch+json', body: { spec: { replicas: 7 } } });
      expect(r.status).to.equal(200);
      expect(r.body.kind).to.equal('Scale');
      expect((r.body.spec as { replicas: number }).replicas).to.equal(7);
    });
  });

  describe('lists and watches', () => {
    it('filters by label and field selectors and pages with limit/continue', async () => {
      for (let i = 0; i < 5; i++) await c.client.request('POST', cmPath(), { body: configMap(`page-${i}`, {}, { labels: { page: 'yes', n: String(i) } }) });
      const sel = await c.client.get<{ items: KubeObject[] }>(cmPath(), { query: { labelSelector: 'page=yes,n in (1,3)' } });
      expect(sel.body.items.map((i) => i.metadata.name)).to.deep.equal(['page-1', 'page-3']);
      const byName = await c.client.get<{ items: KubeObject[] }>(cmPath(), { query: { fieldSelector: 'metadata.name=page-2' } });
      expect(byName.body.items).to.have.length(1);
      const p1 = await c.client.get<{ items: KubeObject[]; metadata: { continue?: string } }>(cmPath(), { query: { labelSelector: 'page=yes', limit: 2 } });
      expect(p1.body.items).to.have.length(2);
      const p2 = await c.client.get<{ items: KubeObject[]; metadata: { continue?: string } }>(cmPath(), { query: { labelSelector: 'page=yes', limit: 2, continue: p1.body.metadata.continue! } });
      const p3 = await c.client.get<{ items: KubeObject[]; metadata: { continue?: string } }>(cmPath(), { query: { labelSelector: 'page=yes', limit: 2, continue: p2.body.metadata.continue! } });
      expect([...p1.body.items, ...p2.body.items, ...p3.body.items].map((i) => i.metadata.name)).to.deep.equal(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
      expect(p3.body.metadata.continue).to.equal(undefined);
    });

    it('reports remainingItemCount on a limited page without selectors, as Kubernetes does', async () => {
      const ns = 'remaining-count';
      await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
      for (let i = 0; i < 5; i++) await c.client.request('POST', cmPath(ns), { body: configMap(`rc-${i}`, {}, { labels: { odd: String(i % 2 === 1) } }) });
      type Page = { items: KubeObject[]; metadata: { continue?: string; remainingItemCount?: number } };
      const first = await c.client.get<Page>(cmPath(ns), { query: { limit: 2 } });
      expect(first.body.items).to.have.length(2);
      expect(first.body.metadata.remainingItemCount).to.equal(3);
      const all = await c.client.get<Page>(cmPath(ns), { query: { limit: 10 } });
      expect(all.body.metadata.remainingItemCount, 'no more pages: no count').to.equal(undefined);
      const selected = await c.client.get<Page>(cmPath(ns), { query: { limit: 1, labelSelector: 'odd=true' } });
      expect(selected.body.metadata.continue).to.be.a('string');
      expect(selected.body.metadata.remainingItemCount, 'with a selector the count is unknown').to.equal(undefined);
    });

    it('rejects unsupported field selectors', async () => {
      const r = await c.client.get<Status>(cmPath(), { query: { fieldSelector: 'spec.nope=1' } });
      expect(r.status).to.equal(400);
    });

    it('watch resumes from a resourceVersion without skipping or repeating', async () => {
      const list = await c.client.get<{ metadata: { resourceVersion: string } }>(cmPath('kube-public'));
      const rv = list.body.metadata.resourceVersion;
      await c.client.request('POST', cmPath('kube-public'), { body: configMap('w1') });
      await c.client.request('PATCH', cmPath('kube-public', 'w1'), { body: { data: { a: '2' } }, contentType: 'application/merge-patch+json' });
      await c.client.request('DELETE', cmPath('kube-public', 'w1'));
      const seen: string[] = [];
      const w = c.client.watch(cmPath('kube-public'), { resourceVersion: rv, timeoutSeconds: 5 }, (ev) => {
        seen.push(`${ev.type}:${(ev.object.metadata as { name: string }).name}`);
        if (seen.length === 3) w.stop();
      });
      await w.done;
      expect(seen).to.deep.equal(['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
    });

    it('watch without resourceVersion starts with the current state', async () => {
      const seen: string[] = [];
      const w = c.client.watch('/api/v1/namespaces', { timeoutSeconds: 1 }, (ev) => seen.push(`${ev.type}:${(ev.object.metadata as { name: string }).name}`));
      await w.done;
      expect(seen).to.include('ADDED:default');
      expect(seen).to.include('ADDED:kube-system');
    });

    it('a label-selected watch sees an object leave the selection as DELETED', async () => {
      await c.client.request('POST', cmPath(), { body: configMap('mover', {}, { labels: { sel: 'in' } }) });
      const seen: string[] = [];
      const w = c.client.watch(cmPath(), { labelSelector: 'sel=in', timeoutSeconds: 5 }, (ev) => {
        seen.push(ev.type);
        if (ev.type === 'DELETED') w.stop();
      });
      await new Promise((r) => setTimeout(r, 200));
      await c.client.request('PATCH', cmPath('default', 'mover'), { body: { metadata: { labels: { sel: 'out' } } }, contentType: 'application/merge-patch+json' });
      await w.done;
      expect(seen).to.deep.equal(['ADDED', 'DELETED']);
    });

    it('answers kubectl Table requests with the familiar columns', async () => {
      const r = await c.client.get<{ kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>('/api/v1/namespaces', {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      });
      expect(r.body.kind).to.equal('Table');
      expect(r.body.columnDefinitions.map((x) => x.name)).to.deep.equal(['Name', 'Status', 'Age']);
    });
  });

  describe('durability', () => {
    it('keeps acknowledged writes across a kill -9 of etcd, and serves again once it is back', async () => {
      const acked: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await c.client.request<KubeObject>('POST', cmPath(), { body: configMap(`crash-${i}`) });
        expect(r.status).to.equal(201);
        acked.push(r.body.metadata.name!);
      }
      await c.crashEtcd();
      const list = await eventuallyOk(() => c.client.get<{ items: KubeObject[] }>(cmPath(), { query: { labelSelector: '' } }));
      const names = new Set(list.body.items.map((i) => i.metadata.name));
      for (const n of acked) expect(names.has(n), n).to.equal(true);
      const after = await eventuallyOk(() => c.client.request<KubeObject>('POST', cmPath(), { body: configMap('after-crash') }), 201);
      expect(after.status).to.equal(201);
      // The watch cache followed etcd back: a watch sees new writes.
      const seen: string[] = [];
      const w = c.client.watch(cmPath(), { resourceVersion: after.body.metadata.resourceVersion!, timeoutSeconds: 10 }, (ev) => {
        seen.push((ev.object.metadata as { name: string }).name);
        w.stop();
      });
      await eventuallyOk(() => c.client.request('POST', cmPath(), { body: configMap('watched-after-crash') }), 201);
      await w.done;
      expect(seen).to.deep.equal(['watched-after-crash']);
    });

    it('keeps acknowledged writes across an API server restart, and watches resume by relisting', async () => {
      const r = await c.client.request<KubeObject>('POST', cmPath(), { body: configMap('durable') });
      expect(r.status).to.equal(201);
      await c.restartApiServer();
      const got = await c.client.get<KubeObject>(cmPath('default', 'durable'));
      expect(got.status).to.equal(200);
      expect(got.body.metadata.uid).to.equal(r.body.metadata.uid);
    });

    it('after a restart, a resourceVersion older than the watch window gets an ERROR event with 410 Expired', async () => {
      const events: { type: string; object: Record<string, unknown> }[] = [];
      const w = c.client.watch(cmPath(), { resourceVersion: '1', timeoutSeconds: 5 }, (ev) => events.push(ev));
      await w.done;
      expect(events).to.have.length(1);
      expect(events[0]!.type).to.equal('ERROR');
      expect(events[0]!.object).to.deep.include({ code: 410, reason: 'Expired' });
    });

  });
});
