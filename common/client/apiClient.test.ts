// The typed client against a real etcd and API server (every answer the server really
// gives, mapped to its class), plus a tiny local HTTPS server for answers a healthy API
// server does not give on demand (429 with Retry-After, a proxy's 502).

import { expect } from 'chai';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../api/meta.js';
import { resourceFor, type ResourceDescriptor } from '../api/resources.js';
import { AlreadyExistsError, ApiError, ConflictError, ForbiddenError, InvalidError, NotFoundError, NotServedError, TooManyRequestsError, UnauthorizedError } from '../errors.js';
import { makeCA, makeSignedCert } from '../pki/certs.js';
import { makePod } from '../testing/builders.js';
import { startProcessCluster, type ProcessCluster } from '../testing/cluster.js';
import { ApiClient, resourcePath, retryOnConflict } from './apiClient.js';
import { RestClient } from './restClient.js';

const res = (kind: string): ResourceDescriptor => resourceFor(kind);
const configMaps = res('ConfigMap');
const pods = res('Pod');
const nodes = res('Node');
const deployments = res('Deployment');

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

describe('resourcePath', () => {
  const cases: { name: string; args: Parameters<typeof resourcePath>; path: string }[] = [
    { name: 'core collection in a namespace', args: [pods, 'ns1', undefined], path: '/api/v1/namespaces/ns1/pods' },
    { name: 'core collection in all namespaces', args: [pods, undefined], path: '/api/v1/pods' },
    { name: 'core object', args: [pods, 'ns1', 'p'], path: '/api/v1/namespaces/ns1/pods/p' },
    { name: 'core subresource', args: [pods, 'ns1', 'p', 'binding'], path: '/api/v1/namespaces/ns1/pods/p/binding' },
    { name: 'cluster-scoped ignores the namespace', args: [nodes, 'ns1', 'n1', 'status'], path: '/api/v1/nodes/n1/status' },
    { name: 'group resource', args: [deployments, 'd', 'web', 'scale'], path: '/apis/apps/v1/namespaces/d/deployments/web/scale' },
    { name: 'names are escaped', args: [configMaps, 'ns', 'a b'], path: '/api/v1/namespaces/ns/configmaps/a%20b' },
    { name: 'namespace finalize', args: [res('Namespace'), undefined, 'team-a', 'finalize'], path: '/api/v1/namespaces/team-a/finalize' },
  ];
  for (const tc of cases) it(tc.name, () => expect(resourcePath(...tc.args)).to.equal(tc.path));

  it('refuses a namespaced object without a namespace', () => {
    expect(() => resourcePath(pods, undefined, 'p')).to.throw(/needs a namespace/);
  });
});

describe('retryOnConflict', () => {
  const conflict = (): ConflictError => new ConflictError({ resource: 'configmaps', name: 'a' }, 'the object has been modified');
  const cases: { name: string; failures: (() => Error)[]; steps: number; calls: number; outcome: 'ok' | typeof ConflictError | typeof NotFoundError }[] = [
    { name: 'succeeds first time', failures: [], steps: 5, calls: 1, outcome: 'ok' },
    { name: 'retries conflicts', failures: [conflict, conflict], steps: 5, calls: 3, outcome: 'ok' },
    { name: 'gives up after steps with the last conflict', failures: [conflict, conflict, conflict], steps: 3, calls: 3, outcome: ConflictError },
    { name: 'does not retry other errors', failures: [() => new NotFoundError({ resource: 'configmaps', name: 'a' })], steps: 5, calls: 1, outcome: NotFoundError },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      let calls = 0;
      const slept: number[] = [];
      const run = retryOnConflict(
        async () => {
          const f = tc.failures[calls++];
          if (f) throw f();
          return 'done';
        },
        { steps: tc.steps, durationMs: 10, factor: 2, jitter: 0 },
        async (ms) => void slept.push(ms),
      );
      if (tc.outcome === 'ok') expect(await run).to.equal('done');
      else expect(await run.catch((e: unknown) => e)).to.be.instanceOf(tc.outcome);
      expect(calls).to.equal(tc.calls);
      expect(slept).to.deep.equal([10, 20, 40, 80].slice(0, calls - 1));
    });
  }
});

describe('ApiClient against a real API server', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let api: ApiClient;

  before(async () => {
    c = await startProcessCluster({ extraTokens: [{ token: 'nobody-token', user: 'nobody', groups: ['system:authenticated'] }] });
    api = new ApiClient({ client: c.client, qps: 0, burst: 1 });
  });
  after(async () => {
    await c?.close();
  });

  const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ metadata: { name, namespace: 'default' }, data });

  it('creates, gets, and names the typed errors of create and get', async () => {
    const made = await api.create(configMaps, 'default', cm('a', { k: 'v' }));
    expect(made.metadata.uid).to.be.a('string');
    expect((await api.get(configMaps, 'default', 'a')).data).to.deep.equal({ k: 'v' });
    const exists = await rejection(api.create(configMaps, 'default', cm('a')));
    expect(exists).to.be.instanceOf(AlreadyExistsError);
    expect(exists.message).to.equal('configmaps "a" already exists');
    const missing = await rejection(api.get(configMaps, 'default', 'nope'));
    expect(missing).to.be.instanceOf(NotFoundError);
    expect(missing.details.name).to.equal('nope');
    const invalid = await rejection(api.create(configMaps, 'default', cm('Not_A_Name')));
    expect(invalid).to.be.instanceOf(InvalidError);
    expect((invalid as InvalidError).causes[0]?.field).to.equal('metadata.name');
  });

  it('throws ConflictError on a stale update, and retryOnConflict re-reads and succeeds', async () => {
    const first = await api.create(configMaps, 'default', cm('conflict', { n: '0' }));
    await api.update(configMaps, { ...first, data: { n: '1' } });
    expect(await rejection(api.update(configMaps, { ...first, data: { n: 'stale' } }))).to.be.instanceOf(ConflictError);
    let attempts = 0;
    const bump = async (): Promise<KubeObject> => {
      attempts++;
      const cur = await api.get(configMaps, 'default', 'conflict');
      const n = Number((cur.data as Record<string, string>).n);
      // A concurrent writer wins the first round.
      if (attempts === 1) await api.update(configMaps, { ...cur, data: { n: String(n + 100) } });
      return api.update(configMaps, { ...cur, data: { n: String(n + 1) } });
    };
    const out = await retryOnConflict(bump);
    expect(attempts).to.equal(2);
    expect(out.data).to.deep.equal({ n: '102' });
  });

  it('does not persist dry runs', async () => {
    const dry = await api.create(configMaps, 'default', cm('dry'), { dryRun: true });
    expect(dry.metadata.name).to.equal('dry');
    expect(await rejection(api.get(configMaps, 'default', 'dry'))).to.be.instanceOf(NotFoundError);
  });

  const patchCases: { name: string; type: 'merge' | 'strategic' | 'json' | 'apply'; patch: unknown; opts?: { fieldManager?: string; force?: boolean }; data: Record<string, string> }[] = [
    { name: 'merge', type: 'merge', patch: { data: { b: '2' } }, data: { a: '1', b: '2' } },
    { name: 'strategic', type: 'strategic', patch: { data: { a: null, c: '3' } }, data: { b: '2', c: '3' } },
    { name: 'json', type: 'json', patch: [{ op: 'remove', path: '/data/b' }, { op: 'add', path: '/data/d', value: '4' }], data: { c: '3', d: '4' } },
    { name: 'apply', type: 'apply', patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched', namespace: 'default' }, data: { e: '5' } }, opts: { fieldManager: 'test-apply' }, data: { c: '3', d: '4', e: '5' } },
  ];
  it('patches with each content type', async () => {
    await api.create(configMaps, 'default', cm('patched', { a: '1' }));
    for (const tc of patchCases) {
      const out = await api.patch(configMaps, 'default', 'patched', tc.type, tc.patch, tc.opts);
      expect(out.data, tc.name).to.deep.equal(tc.data);
    }
  });

  it('server-side apply conflicts without force and takes over with it', async () => {
    const body = (v: string): unknown => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'default' }, data: { owned: v } });
    await api.patch(configMaps, 'default', 'ssa', 'apply', body('mine'), { fieldManager: 'one' });
    const conflict = await rejection(api.patch(configMaps, 'default', 'ssa', 'apply', body('theirs'), { fieldManager: 'two' }));
    expect(conflict).to.be.instanceOf(ConflictError);
    const forced = await api.patch(configMaps, 'default', 'ssa', 'apply', body('theirs'), { fieldManager: 'two', force: true });
    expect(forced.data).to.deep.equal({ owned: 'theirs' });
  });

  it('lists in pages, filling in kind and apiVersion', async () => {
    for (let i = 0; i < 5; i++) await api.create(configMaps, 'paged', { metadata: { name: `p${i}`, namespace: 'paged' } }).catch(async (e: unknown) => {
      if (!(e instanceof NotFoundError)) throw e;
      await api.create(res('Namespace'), undefined, { metadata: { name: 'paged' } });
      await api.create(configMaps, 'paged', { metadata: { name: `p${i}`, namespace: 'paged' } });
    });
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await api.list(configMaps, 'paged', { limit: 2, ...(cont ? { continue: cont } : {}) });
      pages++;
      for (const it of page.items) {
        expect(it.kind).to.equal('ConfigMap');
        expect(it.apiVersion).to.equal('v1');
        names.push(it.metadata.name!);
      }
      cont = page.continue;
    } while (cont);
    expect(names.filter((n) => n.startsWith('p'))).to.deep.equal(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(pages).to.be.greaterThanOrEqual(3);
  });

  it('deletes with preconditions, and writes subresources', async () => {
    const made = await api.create(configMaps, 'default', cm('gone'));
    const stale = await rejection(api.delete(configMaps, 'default', 'gone', { preconditions: { uid: 'not-the-uid' } }));
    expect(stale).to.be.instanceOf(ConflictError);
    await api.delete(configMaps, 'default', 'gone', { preconditions: { uid: made.metadata.uid! } });
    expect(await rejection(api.get(configMaps, 'default', 'gone'))).to.be.instanceOf(NotFoundError);
    expect(await rejection(api.delete(configMaps, 'default', 'gone'))).to.be.instanceOf(NotFoundError);

    const pod = await api.create(pods, 'default', makePod().name('bind-me').container({ name: 'c', image: 'busybox' }).obj() as unknown as KubeObject);
    await api.createSubresource(pods, 'default', 'bind-me', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me', namespace: 'default' }, target: { kind: 'Node', name: 'n1' } } as KubeObject);
    const bound = await api.get(pods, 'default', 'bind-me');
    expect((bound.spec as { nodeName?: string }).nodeName).to.equal('n1');
    const withStatus = await api.updateStatus(pods, { ...bound, status: { ...(bound.status as object), phase: 'Running' } });
    expect((withStatus.status as { phase: string }).phase).to.equal('Running');
    expect(pod.metadata.uid).to.equal(withStatus.metadata.uid);
  });

  it('maps authentication and authorization failures', async () => {
    const nobody = new RestClient({ ...c.access, token: 'nobody-token' });
    const wrong = new RestClient({ ...c.access, token: 'wrong-token' });
    try {
      const forbidden = await rejection(new ApiClient({ client: nobody }).list(pods, 'default'));
      expect(forbidden).to.be.instanceOf(ForbiddenError);
      expect(forbidden.message).to.match(/User "nobody" cannot list resource "pods"/);
      expect(await rejection(new ApiClient({ client: wrong }).list(pods, 'default'))).to.be.instanceOf(UnauthorizedError);
      expect(await rejection(api.list({ ...pods, plural: 'nosuchthings' }, 'default'))).to.be.instanceOf(NotServedError);
    } finally {
      nobody.close();
      wrong.close();
    }
  });

  it('holds requests to the client-side QPS limit', async () => {
    const limited = new ApiClient({ client: c.client, qps: 20, burst: 2 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => limited.get(configMaps, 'default', 'a')));
    // 2 at once, then 6 more at 20/s: the last may go 300 ms after the first.
    expect(Date.now() - t0).to.be.greaterThanOrEqual(290);
    expect(limited.stats.requests).to.equal(8);
    expect(limited.stats.throttledMs).to.be.greaterThan(0);
  });
});

describe('ApiClient against answers a healthy API server does not give', () => {
  let server: https.Server;
  let client: RestClient;
  const answers = new Map<string, { code: number; headers: Record<string, string>; body: string }>();

  before(async () => {
    const ca = makeCA('test-ca');
    const cert = makeSignedCert(ca, { commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      const a = answers.get(req.url ?? '') ?? { code: 500, headers: {}, body: '' };
      res.writeHead(a.code, a.headers);
      res.end(a.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new RestClient({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: ca.certPem, token: 't' });
  });
  after(async () => {
    client.close();
    await new Promise((r) => server.close(r));
  });

  it('throws TooManyRequestsError with the Retry-After header', async () => {
    answers.set('/api/v1/namespaces/default/configmaps/busy', {
      code: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '4' },
      body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'too many requests, please try again later' }),
    });
    const e = await rejection(new ApiClient({ client }).get(configMaps, 'default', 'busy'));
    expect(e).to.be.instanceOf(TooManyRequestsError);
    expect(e.details.retryAfterSeconds).to.equal(4);
  });

  it('throws an ApiError carrying the text of a non-Status answer', async () => {
    answers.set('/api/v1/namespaces/default/configmaps/proxy', { code: 502, headers: { 'content-type': 'text/plain' }, body: 'upstream connect error' });
    const e = await rejection(new ApiClient({ client }).get(configMaps, 'default', 'proxy'));
    expect(e.reason).to.equal('InternalError');
    expect(e.message).to.equal('upstream connect error');
  });
});
