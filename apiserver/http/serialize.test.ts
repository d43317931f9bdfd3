import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { suiteTestCluster } from '../testing/suiteCluster.js';
import { ago, make, makePod, NOW, MINUTE, HOUR } from '../tables/fixtures.js';
import { podPrinter } from '../tables/pods.js';
import { printerFor } from '../tables/registry.js';
import { cachedRowsComputed } from '../tables/rowCache.js';
import { buildTable, type IncludeObject } from '../tables/table.js';
import { CachedObject } from '../watchcache/cachedObject.js';
import { PlainEncoded, type EncodedObject } from '../watchcache/encoded.js';
import { jsonListBody, tableBody, watchEventFrame, watchFramesMade } from './serialize.js';

const body = (chunks: { batches(n?: number): Buffer[] }, batch?: number): string => Buffer.concat(chunks.batches(batch)).toString();

function pods(): KubeObject[] {
  const a = makePod('a').container('c', { ready: true, running: true }).phase('Running').node('n1').ip('10.0.0.1').obj();
  a.metadata.labels = { app: 'web' };
  a.metadata.managedFields = [{ manager: 'kubectl', operation: 'Update', time: ago(MINUTE) }];
  const b = makePod('b').container('c', { waiting: 'CrashLoopBackOff', restarts: 4, lastTerminatedAgo: 2 * MINUTE }).phase('Running').obj();
  const c = makePod('ü-naïve').container('c', { terminated: { reason: 'Completed', exitCode: 0 } }).phase('Succeeded').obj();
  return [a, b, c];
}

/** The same objects as cache entries and as plain objects. */
function encodings(): { name: string; items: EncodedObject[]; objects: KubeObject[] }[] {
  const objects = pods().map((p, i) => ({ ...p, metadata: { ...p.metadata, resourceVersion: String(5 + i) } }));
  return [
    { name: 'cache entries', objects, items: objects.map((o, i) => new CachedObject(`/registry/pods/default/${o.metadata.name!}`, 5 + i, o)) },
    { name: 'plain objects', objects, items: objects.map((o) => new PlainEncoded(o)) },
  ];
}

describe('serializing from stored bytes', () => {
  for (const enc of encodings()) {
    describe(enc.name, () => {
      for (const meta of [{ resourceVersion: '9' }, { resourceVersion: '9', continue: 'abc', remainingItemCount: 3 }]) {
        it(`a JSON list equals JSON.stringify of the list (${Object.keys(meta).join(', ')})`, () => {
          const list = { apiVersion: 'v1', kind: 'PodList', metadata: meta, items: enc.items };
          const want = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: meta, items: enc.objects });
          expect(body(jsonListBody(list))).to.equal(want);
          expect(body(jsonListBody(list), 100), 'in small batches').to.equal(want);
          expect(jsonListBody(list).length).to.equal(Buffer.byteLength(want));
          const written: Buffer[] = [];
          let corked = 0;
          jsonListBody(list).writeTo({ cork: () => corked++, uncork: () => corked--, write: (b) => written.push(b) }, 100);
          expect(Buffer.concat(written).toString(), 'written in corked groups').to.equal(want);
          expect(corked).to.equal(0);
        });
      }
      it('an empty JSON list', () => {
        expect(body(jsonListBody({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items: [] }))).to.equal('{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"1"},"items":[]}');
      });
      for (const includeObject of ['None', 'Metadata', 'Object'] as IncludeObject[]) {
        for (const withColumns of [true, false]) {
          it(`a Table equals JSON.stringify(buildTable(...)) with includeObject=${includeObject}${withColumns ? '' : ', no headers'}`, () => {
            const metadata = { resourceVersion: '9', continue: 'x' };
            const want = JSON.stringify(buildTable(podPrinter, enc.objects, { now: NOW, includeObject, noHeaders: !withColumns, metadata }));
            expect(body(tableBody(podPrinter, enc.items, { now: NOW, includeObject, metadata, withColumns }))).to.equal(want);
          });
        }
      }
    });
  }

  // Cached rows (every built-in printer has a template) against JSON.stringify(buildTable(...))
  // over the parsed objects: the first body computes the rows, the later ones (an hour and a
  // day on) serve them from the row cache with their time cells rendered anew.
  describe('Tables from cached rows, per kind', () => {
    const containers = { spec: { containers: [{ name: 'c', image: 'busybox:1' }] } };
    const kinds: { resource: string; objects: KubeObject[] }[] = [
      { resource: 'pods', objects: pods() },
      { resource: 'nodes', objects: [make('Node', 'n1', { status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' } } }, { labels: { 'node-role.kubernetes.io/worker': '' } })] },
      {
        resource: 'events',
        objects: [
          make('Event', 'e1', { involvedObject: { kind: 'Pod', name: 'p' }, type: 'Warning', reason: 'BackOff', message: 'again ', firstTimestamp: ago(HOUR), lastTimestamp: ago(MINUTE), count: 7 }),
          make('Event', 'e2', { involvedObject: { kind: 'Node', name: 'n1' }, type: 'Normal', reason: 'X', eventTime: ago(45_000), series: { count: 3, lastObservedTime: ago(10_000) } }),
        ],
      },
      {
        resource: 'jobs',
        objects: [
          make('Job', 'running', { spec: { completions: 2, template: containers }, status: { startTime: ago(3 * MINUTE), active: 1 } }),
          make('Job', 'done', { spec: { completions: 1 }, status: { startTime: ago(5 * MINUTE), completionTime: ago(MINUTE), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }),
        ],
      },
      { resource: 'cronjobs', objects: [make('CronJob', 'cj', { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: containers } } }, status: { lastScheduleTime: ago(2 * MINUTE) } }), make('CronJob', 'never', { spec: { schedule: '@daily' } })] },
      { resource: 'deployments', objects: [make('Deployment', 'web', { spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: containers }, status: { readyReplicas: 2 } })] },
      { resource: 'configmaps', objects: [make('ConfigMap', 'naïve-☃', { data: { a: '1' } }, { labels: { x: 'y' }, managedFields: [{ manager: 'm', operation: 'Apply', time: ago(MINUTE) }] })] },
      { resource: 'certificatesigningrequests', objects: [make('CertificateSigningRequest', 'csr', { spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'u', expirationSeconds: 3600 } })] },
      { resource: 'clusterroles', objects: [make('ClusterRole', 'admin'), make('ClusterRole', 'no-time', {}, { creationTimestamp: undefined })] },
    ];
    for (const k of kinds) {
      for (const includeObject of ['None', 'Metadata', 'Object'] as IncludeObject[]) {
        it(`${k.resource}, includeObject=${includeObject}`, () => {
          const printer = printerFor(k.resource);
          const objects = k.objects.map((o, i) => ({ apiVersion: 'v1', ...o, metadata: { ...o.metadata, resourceVersion: String(70 + i) } }));
          const items = objects.map((o, i) => new CachedObject(`/registry/${k.resource}/${o.metadata.name!}`, 70 + i, o));
          const metadata = { resourceVersion: '80' };
          const before = cachedRowsComputed();
          for (const now of [NOW, NOW + HOUR, NOW + 24 * HOUR]) {
            const want = JSON.stringify(buildTable(printer, objects, { now, includeObject, metadata }));
            expect(body(tableBody(printer, items, { now, includeObject, metadata }))).to.equal(want);
          }
          expect(cachedRowsComputed() - before, 'each row computed once').to.equal(items.length);
        });
      }
    }
  });

  it('makes one watch event line for many watchers of one event, and a new one for another type or object', () => {
    const [entry, other] = encodings()[0]!.items;
    const before = watchFramesMade();
    const lines = Array.from({ length: 50 }, () => watchEventFrame('MODIFIED', entry!));
    expect(watchFramesMade() - before).to.equal(1);
    expect(new Set(lines).size).to.equal(1);
    expect(lines[0]!.toString()).to.equal(`{"type":"MODIFIED","object":${entry!.json.toString()}}\n`);
    expect(watchEventFrame('DELETED', entry!).toString()).to.equal(`{"type":"DELETED","object":${entry!.json.toString()}}\n`);
    watchEventFrame('MODIFIED', other!);
    expect(watchFramesMade() - before).to.equal(3);
  });
});

describe('watch fan-out through the API server (real etcd)', function () {
  this.timeout(60_000);
  const c = suiteTestCluster();

  it('a LIST answers with each object\'s stored bytes: the items are exactly the GET (resourceVersion=0) bodies', async () => {
    const ns = 'bytes';
    expect((await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } })).status).to.equal(201);
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    for (const name of ['b', 'a', 'c']) {
      const r = await c.client.request('POST', path, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { n: name } }, data: { text: `naïve ☃ ${name}` } } });
      expect(r.status).to.equal(201);
    }
    const list = await c.client.get<{ metadata: { resourceVersion: string } }>(path, { query: { resourceVersion: '0' } });
    const gets = await Promise.all(['a', 'b', 'c'].map((n) => c.client.get(`${path}/${n}`, { query: { resourceVersion: '0' } })));
    const head = `{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"${list.body.metadata.resourceVersion}"},"items":[`;
    expect(list.text).to.equal(`${head}${gets.map((g) => g.text).join(',')}]}`);
    expect(list.headers['content-length']).to.equal(String(Buffer.byteLength(list.text)));
    const selected = await c.client.get<{ items: KubeObject[] }>(path, { query: { labelSelector: 'n in (a,c)', fieldSelector: 'metadata.name!=c' } });
    expect(selected.body.items.map((i) => i.metadata.name)).to.deep.equal(['a']);
  });

  it('serializes each event once for 20 watchers, and every watcher gets the same line', async () => {
    const ns = 'fanout';
    expect((await c.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } })).status).to.equal(201);
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const list = await c.client.get<{ metadata: { resourceVersion: string } }>(path);
    const n = 20;
    const base = c.server.cache.watcherCount();
    const seen: { type: string; object: Record<string, unknown> }[][] = Array.from({ length: n }, () => []);
    const watches = seen.map((events) => c.client.watch(path, { resourceVersion: list.body.metadata.resourceVersion, timeoutSeconds: 30 }, (ev) => events.push(ev)));
    try {
      const deadline = Date.now() + 10_000;
      while (c.server.cache.watcherCount() < base + n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const before = watchFramesMade();
      const created = await c.client.request<KubeObject>('POST', path, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' }, data: { k: 'v' } } });
      expect(created.status).to.equal(201);
      while (seen.some((s) => s.length < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen.map((s) => s.length)).to.deep.equal(Array(n).fill(1));
      for (const s of seen) expect(s[0]).to.deep.equal({ type: 'ADDED', object: created.body });
      expect(watchFramesMade() - before).to.equal(1);
    } finally {
      for (const w of watches) w.stop();
    }
  });
});
