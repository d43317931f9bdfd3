// @kubernetes/client-node 1.x as a compatibility judge: the generated typed clients, the
// generic object client (which reads discovery), patch media types chosen the 1.x way,
// and the informer (ListWatch), including its relist after a 410 when the API server
// restarts with a watch window that no longer covers the informer's resourceVersion.

import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject, Status } from '../common/api/meta.js';
import { until } from '../common/testing/eventually.js';
import { startTestCluster, type TestCluster } from './testing/harness.js';

const ns = 'client-node';

function deployment(name: string, image = 'busybox:1'): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image, env: [{ name: 'A', value: '1' }] }] } },
    },
  };
}

/** The Status the server sent with a failed call. client-node 1.x keeps the body as text. */
async function failure(call: Promise<unknown>): Promise<{ code: number; status: Status }> {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof k8s.ApiException)) throw e;
    const raw: unknown = (e as k8s.ApiException<unknown>).body;
    const status = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Status;
    return { code: (e as k8s.ApiException<unknown>).code, status };
  }
  throw new Error('the call succeeded; a failure was expected');
}

/** client-node's Watch, recording the raw events and how each stream ended. */
class RecordingWatch extends k8s.Watch {
  readonly events: { type: string; object: Record<string, unknown> }[] = [];
  readonly endings: unknown[] = [];
  override watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    // The library types the object as any; we pass it through untouched.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    done: (err: any) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      query,
      (phase, obj: Record<string, unknown>, raw) => {
        this.events.push({ type: phase, object: obj });
        callback(phase, obj, raw);
      },
      (err: unknown) => {
        this.endings.push(err ?? null);
        done(err);
      },
    );
  }
}

describe('@kubernetes/client-node 1.x against the API server', function () {
  this.timeout(60_000);
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    c = await startTestCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    const created = await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    expect(created.status?.phase).to.equal('Active');
  });
  after(async () => {
    await c?.close();
  });

  describe('typed clients', () => {
    it('creates, reads, lists and replaces a ConfigMap; a stale replace is a 409 Conflict', async () => {
      const created = await core.createNamespacedConfigMap({ namespace: ns, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'crud' }, data: { a: '1' } } });
      expect(created.metadata?.uid).to.match(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.creationTimestamp).to.be.instanceOf(Date);
      expect(created.metadata?.namespace).to.equal(ns);
      expect(Number(created.metadata?.resourceVersion)).to.be.greaterThan(0);

      const read = await core.readNamespacedConfigMap({ name: 'crud', namespace: ns });
      expect(read.data).to.deep.equal({ a: '1' });
      expect(read.metadata?.resourceVersion).to.equal(created.metadata?.resourceVersion);

      const list = await core.listNamespacedConfigMap({ namespace: ns });
      expect(list.kind).to.equal('ConfigMapList');
      expect(Number(list.metadata?.resourceVersion)).to.be.at.least(Number(created.metadata?.resourceVersion));
      expect(list.items.map((i) => i.metadata?.name)).to.include('crud');

      const replaced = await core.replaceNamespacedConfigMap({ name: 'crud', namespace: ns, body: { ...read, data: { a: '2' } } });
      expect(replaced.data).to.deep.equal({ a: '2' });
      expect(Number(replaced.metadata?.resourceVersion)).to.be.greaterThan(Number(read.metadata?.resourceVersion));

      const stale = await failure(core.replaceNamespacedConfigMap({ name: 'crud', namespace: ns, body: { ...read, data: { a: '3' } } }));
      expect(stale.code).to.equal(409);
      expect(stale.status).to.include({ kind: 'Status', reason: 'Conflict', code: 409 });
    });

    it('reports errors as ApiException carrying the Status', async () => {
      const missing = await failure(core.readNamespacedConfigMap({ name: 'missing', namespace: ns }));
      expect(missing.code).to.equal(404);
      expect(missing.status).to.include({ kind: 'Status', reason: 'NotFound' });
      const invalid = await failure(apps.createNamespacedDeployment({ namespace: ns, body: { ...deployment('Bad_Name') } }));
      expect(invalid.code).to.equal(422);
      expect(invalid.status.reason).to.equal('Invalid');
      expect((invalid.status.details?.causes ?? []).map((x) => x.field)).to.include('metadata.name');
      const exists = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'crud' } } }));
      expect(exists.code).to.equal(409);
      expect(exists.status.reason).to.equal('AlreadyExists');
    });

    describe('patches, with the media type chosen through setHeaderOptions', () => {
      before(async () => {
        const d = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('patched') });
        expect(d.metadata?.generation).to.equal(1);
      });

      const cases: { name: string; strategy: string; body: unknown; fieldManager?: string; check: (d: k8s.V1Deployment) => void }[] = [
        {
          name: 'merge patch sets a label',
          strategy: k8s.PatchStrategy.MergePatch,
          body: { metadata: { labels: { tier: 'web' } } },
          check: (d) => expect(d.metadata?.labels).to.deep.equal({ app: 'patched', tier: 'web' }),
        },
        {
          name: 'JSON patch replaces spec.replicas',
          strategy: k8s.PatchStrategy.JsonPatch,
          body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
          check: (d) => expect(d.spec?.replicas).to.equal(3),
        },
        {
          name: 'strategic merge patch merges containers by name, keeping their env',
          strategy: k8s.PatchStrategy.StrategicMergePatch,
          body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:2' }, { name: 'side', image: 'pause' }] } } } },
          check: (d) => {
            const containers = d.spec?.template.spec?.containers ?? [];
            expect(containers.map((x) => `${x.name}=${x.image}`)).to.deep.equal(['c=busybox:2', 'side=pause']);
            expect(containers[0]?.env).to.deep.equal([{ name: 'A', value: '1' }]);
          },
        },
        {
          name: 'server-side apply records the field manager',
          strategy: k8s.PatchStrategy.ServerSideApply,
          body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patched', annotations: { owner: 'client-node' } } },
          fieldManager: 'client-node-test',
          check: (d) => {
            expect(d.metadata?.annotations).to.include({ owner: 'client-node' });
            const mine = (d.metadata?.managedFields ?? []).find((m) => m.manager === 'client-node-test');
            expect(mine?.operation).to.equal('Apply');
          },
        },
      ];
      for (const tc of cases) {
        it(tc.name, async () => {
          const before = await apps.readNamespacedDeployment({ name: 'patched', namespace: ns });
          const out = await apps.patchNamespacedDeployment(
            { name: 'patched', namespace: ns, body: tc.body, ...(tc.fieldManager ? { fieldManager: tc.fieldManager } : {}) },
            k8s.setHeaderOptions('Content-Type', tc.strategy),
          );
          tc.check(out);
          tc.check(await apps.readNamespacedDeployment({ name: 'patched', namespace: ns }));
          expect(Number(out.metadata?.resourceVersion)).to.be.greaterThan(Number(before.metadata?.resourceVersion));
        });
      }

      it('reads and patches the scale subresource as autoscaling/v1 Scale', async () => {
        const scale = await apps.readNamespacedDeploymentScale({ name: 'patched', namespace: ns });
        expect(scale.kind).to.equal('Scale');
        expect(scale.apiVersion).to.equal('autoscaling/v1');
        expect(scale.spec?.replicas).to.equal(3);
        expect(scale.status?.selector).to.equal('app=patched');
        const scaled = await apps.patchNamespacedDeploymentScale({ name: 'patched', namespace: ns, body: { spec: { replicas: 5 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
        expect(scaled.spec?.replicas).to.equal(5);
        expect((await apps.readNamespacedDeployment({ name: 'patched', namespace: ns })).spec?.replicas).to.equal(5);
      });

      it('deletes with DeleteOptions in the body, then reads 404', async () => {
        const deleted = await apps.deleteNamespacedDeployment({ name: 'patched', namespace: ns, body: { propagationPolicy: 'Background' } });
        expect(deleted).to.be.an('object');
        const gone = await failure(apps.readNamespacedDeployment({ name: 'patched', namespace: ns }));
        expect(gone.code).to.equal(404);
      });
    });
  });

  describe('generic object client (reads discovery to find each kind)', () => {
    it('creates, reads, patches, lists and deletes by manifest', async () => {
      const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
      const spec: k8s.KubernetesObject & { data?: Record<string, string> } = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: ns }, data: { x: '1' } };
      const created = await objects.create(spec);
      expect(created.metadata?.uid).to.be.a('string');
      const read = (await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: ns } })) as k8s.V1ConfigMap;
      expect(read.data).to.deep.equal({ x: '1' });
      const patched = (await objects.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: ns }, data: { y: '2' } } as k8s.KubernetesObject, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch)) as k8s.V1ConfigMap;
      expect(patched.data).to.deep.equal({ x: '1', y: '2' });
      const dep = await objects.create({ ...deployment('generic-deploy'), metadata: { name: 'generic-deploy', namespace: ns } });
      expect(dep.kind).to.equal('Deployment');
      const list = await objects.list('apps/v1', 'Deployment', ns);
      expect(list.items.map((i) => i.metadata?.name)).to.include('generic-deploy');
      await objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: ns } });
      await objects.delete({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'generic-deploy', namespace: ns } });
      expect((await failure(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: ns } }))).code).to.equal(404);
    });
  });

  describe('informer', () => {
    const informed = 'informed';
    const path = `/api/v1/namespaces/${informed}/configmaps`;
    const rest = (): TestCluster['client'] => c.client;
    const cm = (name: string, data: Record<string, string> = { v: '1' }): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

    let watch: RecordingWatch;
    let informer: k8s.ListWatch<k8s.V1ConfigMap>;
    const log: string[] = [];
    /** While set, restarts after an error wait: the test decides when the informer comes back. */
    let holdRestarts = false;
    let restartPending = false;
    const errors: unknown[] = [];
    const names = (): string[] => informer.list(informed).map((o) => o.metadata?.name ?? '').sort();

    before(async () => {
      expect((await rest().request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: informed } } })).status).to.equal(201);
      expect((await rest().request('POST', path, { body: cm('pre') })).status).to.equal(201);
      watch = new RecordingWatch(kc);
      informer = new k8s.ListWatch<k8s.V1ConfigMap>(path, watch, () => core.listNamespacedConfigMap({ namespace: informed }), false);
      for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) {
        informer.on(verb, (o) => {
          log.push(`${verb}:${o.metadata?.name ?? ''}:${o.data?.v ?? ''}`);
        });
      }
      // client-node stops on any error other than a 410; the documented remedy is to start it again.
      informer.on(k8s.ERROR, (err) => {
        errors.push(err);
        if (holdRestarts) restartPending = true;
        else setTimeout(() => void informer.start(), 100);
      });
      await informer.start();
      await until('the initial list', () => (names().includes('pre') ? true : undefined));
    });
    after(async () => {
      await informer?.stop();
    });

    it('sees ADDED, UPDATE and DELETE for changes another client makes, with kind, apiVersion and resourceVersion on every event', async () => {
      const start = watch.events.length;
      const created = await rest().request<KubeObject>('POST', path, { body: cm('a') });
      expect(created.status).to.equal(201);
      await until('add', () => (log.includes('add:a:1') ? true : undefined));
      const patched = await rest().request<KubeObject>('PATCH', `${path}/a`, { body: { data: { v: '2' } }, contentType: 'application/merge-patch+json' });
      expect(patched.status).to.equal(200);
      await until('update', () => (log.includes('update:a:2') ? true : undefined));
      expect(informer.get('a', informed)?.data).to.deep.equal({ v: '2' });
      const deleted = await rest().request<KubeObject>('DELETE', `${path}/a`);
      expect(deleted.status).to.equal(200);
      await until('delete', () => (log.includes('delete:a:2') ? true : undefined));
      expect(informer.get('a', informed)).to.equal(undefined);

      const events = watch.events.slice(start);
      expect(events.map((e) => `${e.type}:${(e.object.metadata as { name: string }).name}`)).to.deep.equal(['ADDED:a', 'MODIFIED:a', 'DELETED:a']);
      let last = 0;
      for (const e of events) {
        expect(e.object).to.include({ kind: 'ConfigMap', apiVersion: 'v1' });
        const rv = Number((e.object.metadata as { resourceVersion?: string }).resourceVersion);
        expect(rv, 'event resourceVersions increase').to.be.greaterThan(last);
        last = rv;
      }
      // The informer resumes from the newest event it saw: the delete's revision.
      expect(informer.latestResourceVersion()).to.equal(String(last));
      expect(Number(last)).to.be.greaterThan(Number(patched.body.metadata.resourceVersion));
      expect(errors).to.have.length(0);
    });

    it('after an API server restart (its watch window starts later) relists on 410 and converges to the truth', async function () {
      this.timeout(30_000);
      for (const name of ['keep', 'doomed']) expect((await rest().request('POST', path, { body: cm(name) })).status).to.equal(201);
      await until('keep and doomed', () => (names().join() === 'doomed,keep,pre' ? true : undefined));
      const logBefore = log.length;
      const seenRv = Number(informer.latestResourceVersion());

      // A write the informer does not watch moves etcd past its resourceVersion, so the
      // restarted server (whose window begins at the current revision) cannot resume it.
      expect((await rest().request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('elsewhere') })).status).to.equal(201);
      holdRestarts = true;
      const eventsBefore = watch.events.length;
      await c.restartApiServer();
      // While the informer is away: one object born, one deleted, one changed.
      expect((await rest().request('POST', path, { body: cm('born') })).status).to.equal(201);
      expect((await rest().request('DELETE', `${path}/doomed`)).status).to.equal(200);
      expect((await rest().request('PATCH', `${path}/keep`, { body: { data: { v: '2' } }, contentType: 'application/merge-patch+json' })).status).to.equal(200);
      holdRestarts = false;
      if (restartPending) {
        restartPending = false;
        void informer.start();
      }

      await until('the informer to converge', () => (names().join() === 'born,keep,pre' && informer.get('keep', informed)?.data?.v === '2' ? true : undefined), 15_000);
      const truth = await rest().get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(path);
      expect(names()).to.deep.equal(truth.body.items.map((i) => i.metadata.name).sort());
      for (const item of truth.body.items) {
        expect(informer.get(item.metadata.name!, informed)?.metadata?.resourceVersion, item.metadata.name).to.equal(item.metadata.resourceVersion);
      }
      const changes = log.slice(logBefore);
      expect(changes).to.include('add:born:1');
      expect(changes).to.include('delete:doomed:1');
      expect(changes).to.include('update:keep:2');

      // The way back went through a 410: an ERROR event carrying an Expired Status, or an HTTP 410.
      const after = watch.events.slice(eventsBefore);
      const expired = after.find((e) => e.type === 'ERROR');
      const http410 = watch.endings.some((e) => typeof e === 'object' && e !== null && (e as { statusCode?: number }).statusCode === 410);
      expect(expired !== undefined || http410, `events after the restart: ${JSON.stringify(after.map((e) => e.type))}`).to.equal(true);
      if (expired) expect(expired.object).to.include({ kind: 'Status', apiVersion: 'v1', code: 410, reason: 'Expired' });
      expect(Number(informer.latestResourceVersion())).to.be.greaterThan(seenRv);

      // And it keeps following changes on the new server.
      expect((await rest().request('POST', path, { body: cm('later') })).status).to.equal(201);
      await until('later', () => (names().includes('later') ? true : undefined));
    });
  });
});
