// metrics.k8s.io through a real etcd and API server, fanned out over mutual TLS to stand-in
// agents serving /stats/summary (the real agent's endpoint is tested in nodeagent/stats and
// e2e/top.test.ts): lists and gets of NodeMetrics and PodMetrics, a refused and a hanging
// node left out, a NotReady node not asked, selectors, 404s, 405 for watch and writes, who
// may read, discovery, and the real kubectl 1.27 and 1.33 `top` reading it all.

import { expect } from 'chai';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { StatsSummary } from '../../common/api/statsSummary.js';
import { makeCA, makeSignedCert, type KeyPair } from '../../common/pki/certs.js';
import { freePort } from '../../common/proc/ports.js';
import { kubectl, kubectlBinary, showRun } from '../../common/testing/kubectl.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';

const clientCN = 'gantry-apiserver-kubelet-client';
const nodeToken = 'node-n1-token-0123456789abcdef';

interface StubAgent {
  port: number;
  requests: number;
  summary: StatsSummary | undefined;
  close(): Promise<void>;
}

/** An HTTPS server that checks the caller's certificate as the agent does and answers /stats/summary; `hang` never answers. */
async function startStubAgent(serving: KeyPair, clientCaPem: string, hang = false): Promise<StubAgent> {
  const stub: StubAgent = { port: 0, requests: 0, summary: undefined, close: async () => undefined };
  const server = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: clientCaPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    stub.requests++;
    if (hang) return;
    const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
    if (cn !== clientCN) {
      res.writeHead(403).end();
      return;
    }
    if (!req.url?.startsWith('/stats/summary') || !stub.summary) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stub.summary));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stub.port = (server.address() as { port: number }).port;
  stub.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return stub;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const usage = (nanoCores: number, ws: number): { cpu: StatsSummary['node']['cpu']; memory: StatsSummary['node']['memory'] } => ({
  cpu: { time: now(), usageNanoCores: nanoCores, usageCoreNanoSeconds: 5e12, windowSeconds: 10.005 },
  memory: { time: now(), usageBytes: ws + 4096, workingSetBytes: ws },
});
const Mi = 1024 * 1024;

describe('metrics.k8s.io/v1beta1 (API server + stand-in agents)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let agents: StubAgent[] = [];
  let a1: StubAgent;
  let a2: StubAgent;
  let notReadyAgent: StubAgent;
  const uids = new Map<string, string>();
  const req = (p: string, opts: { method?: string; token?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> => fetchJson(cluster, p, opts);

  before(async () => {
    const agentsCA = makeCA('agents-ca');
    const clientCA = makeCA('apiserver-client-ca');
    const clientCert = makeSignedCert(clientCA, { commonName: clientCN, dnsNames: [], ips: [], usage: 'client' });
    const serving = makeSignedCert(agentsCA, { commonName: 'agent', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    a1 = await startStubAgent(serving, clientCA.certPem);
    a2 = await startStubAgent(serving, clientCA.certPem);
    notReadyAgent = await startStubAgent(serving, clientCA.certPem);
    const hanging = await startStubAgent(serving, clientCA.certPem, true);
    agents = [a1, a2, notReadyAgent, hanging];
    cluster = await startTestCluster({
      kubeletClient: { certPem: clientCert.certPem, keyPem: clientCert.keyPem, caPem: agentsCA.certPem },
      users: [{ token: nodeToken, user: { name: 'system:node:n1', uid: 'n1', groups: ['system:nodes', 'system:authenticated'] } }],
    });
    const nodes: [string, number, string, Record<string, string>][] = [
      ['n1', a1.port, 'True', { zone: 'a' }],
      ['n2', a2.port, 'True', { zone: 'b' }],
      ['n-down', await freePort(), 'True', { zone: 'a' }],
      ['n-hang', hanging.port, 'True', { zone: 'b' }],
      ['n-notready', notReadyAgent.port, 'False', { zone: 'a' }],
    ];
    for (const [name, port, ready, labels] of nodes) {
      const created = await cluster.client.request<{ metadata: { resourceVersion: string } }>('POST', '/api/v1/nodes', { body: { metadata: { name, labels } } });
      expect(created.status, created.text).to.equal(201);
      const status = {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: port } },
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: ready, reason: 'AgentReady', lastHeartbeatTime: now(), lastTransitionTime: now() }],
      };
      const put = await cluster.client.request('PUT', `/api/v1/nodes/${name}/status`, { body: { metadata: { name, labels, resourceVersion: created.body.metadata.resourceVersion }, status } });
      expect(put.status, put.text).to.equal(200);
    }
    expect((await cluster.client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'other' } } })).status).to.equal(201);
    const pods: [string, string, string, Record<string, string>, string[]][] = [
      ['default', 'web-1', 'n1', { app: 'web' }, ['app', 'sidecar']],
      ['default', 'db-1', 'n1', { app: 'db' }, ['db']],
      ['default', 'web-2', 'n2', { app: 'web' }, ['app', 'sidecar']],
      ['default', 'stale', 'n1', { app: 'stale' }, ['c']],
      ['default', 'on-down', 'n-down', { app: 'web' }, ['app']],
      ['default', 'pending', 'n1', { app: 'pending' }, ['c']],
      ['other', 'job-1', 'n2', { app: 'job' }, ['c']],
    ];
    for (const [ns, name, node, labels, containers] of pods) {
      const r = await cluster.client.request<{ metadata: { uid: string } }>('POST', `/api/v1/namespaces/${ns}/pods`, { body: { metadata: { name, labels }, spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: 'busybox' })) } } });
      expect(r.status, r.text).to.equal(201);
      uids.set(`${ns}/${name}`, r.body.metadata.uid);
    }
    const pod = (ns: string, name: string, containers: [string, number, number][], uid = uids.get(`${ns}/${name}`)!): StatsSummary['pods'][number] => ({
      podRef: { name, namespace: ns, uid },
      ...usage(
        containers.reduce((s, c) => s + c[1], 0),
        containers.reduce((s, c) => s + c[2], 0),
      ),
      containers: containers.map(([n, cpu, mem]) => ({ name: n, ...usage(cpu, mem) })),
    });
    a1.summary = {
      node: { nodeName: 'n1', ...usage(250_000_000, 1024 * Mi) },
      pods: [
        pod('default', 'web-1', [
          ['app', 120_000_000, 30 * Mi],
          ['sidecar', 5_000_000, 10 * Mi],
        ]),
        pod('default', 'db-1', [['db', 50_000_000, 200 * Mi]]),
        // A pod of the same name from before it was recreated: not this pod's usage.
        pod('default', 'stale', [['c', 900_000_000, 900 * Mi]], 'an-older-uid'),
      ],
    };
    a2.summary = {
      node: { nodeName: 'n2', ...usage(1_500_000_000, 2048 * Mi) },
      pods: [
        pod('default', 'web-2', [
          ['app', 700_000_000, 64 * Mi],
          ['sidecar', 1_000_000, 8 * Mi],
        ]),
        pod('other', 'job-1', [['c', 2_000_000, 16 * Mi]]),
      ],
    };
    notReadyAgent.summary = { node: { nodeName: 'n-notready', ...usage(1, 1) }, pods: [] };
  });
  after(async () => {
    await cluster?.close();
    for (const a of agents) await a.close();
  });

  const names = (body: Record<string, unknown>): string[] => (body.items as { metadata: { namespace?: string; name: string } }[]).map((i) => (i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name));

  it('lists NodeMetrics of the nodes that answered: a refused and a hanging node are left out, a NotReady one not asked', async () => {
    const started = Date.now();
    const r = await req('/apis/metrics.k8s.io/v1beta1/nodes');
    expect(r.status).to.equal(200);
    expect(Date.now() - started, 'bounded by the per-node deadline').to.be.below(8000);
    expect(r.body).to.include({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
    expect(names(r.body)).to.deep.equal(['n1', 'n2']);
    const n1 = (r.body.items as Record<string, unknown>[])[0]!;
    expect(n1).to.deep.include({ kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', window: '10.005s', usage: { cpu: '250000000n', memory: '1048576Ki' } });
    expect((n1.metadata as Record<string, unknown>).labels).to.deep.equal({ zone: 'a' });
    expect(notReadyAgent.requests).to.equal(0);
  });

  it('gets one node; an unknown node and a node without usage are 404', async () => {
    const r = await req('/apis/metrics.k8s.io/v1beta1/nodes/n2');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.include({ kind: 'NodeMetrics', usage: { cpu: '1500000000n', memory: '2097152Ki' } });
    for (const name of ['ghost', 'n-down']) {
      const miss = await req(`/apis/metrics.k8s.io/v1beta1/nodes/${name}`);
      expect(miss.status).to.equal(404);
      expect(miss.body).to.include({ kind: 'Status', reason: 'NotFound', message: `nodemetrics.metrics.k8s.io "${name}" not found` });
    }
  });

  const podLists: { name: string; path: string; want: string[] }[] = [
    { name: 'a namespace', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', want: ['default/db-1', 'default/web-1', 'default/web-2'] },
    { name: 'every namespace', path: '/apis/metrics.k8s.io/v1beta1/pods', want: ['default/db-1', 'default/web-1', 'default/web-2', 'other/job-1'] },
    { name: 'a label selector', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb', want: ['default/web-1', 'default/web-2'] },
    { name: 'a set-based label selector across namespaces', path: '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%20in%20(db,job)', want: ['default/db-1', 'other/job-1'] },
    { name: 'a field selector', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb-2', want: ['default/web-2'] },
    { name: 'a field selector on the node', path: '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=spec.nodeName%3Dn2', want: ['default/web-2', 'other/job-1'] },
    { name: 'an empty namespace', path: '/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods', want: [] },
  ];
  for (const tc of podLists) {
    it(`lists PodMetrics of ${tc.name}`, async () => {
      const r = await req(tc.path);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
      expect(names(r.body)).to.deep.equal(tc.want);
    });
  }

  it('lists NodeMetrics by label selector', async () => {
    const r = await req('/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Db');
    expect(names(r.body)).to.deep.equal(['n2']);
  });

  it('gets one pod with its containers; unknown, stale and usage-less pods are 404', async () => {
    const r = await req('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1');
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.include({
      kind: 'PodMetrics',
      window: '10.005s',
      containers: [
        { name: 'app', usage: { cpu: '120000000n', memory: '30720Ki' } },
        { name: 'sidecar', usage: { cpu: '5000000n', memory: '10240Ki' } },
      ],
    });
    expect(r.body.metadata).to.deep.include({ name: 'web-1', namespace: 'default', labels: { app: 'web' } });
    for (const name of ['ghost', 'stale', 'pending', 'on-down']) {
      const miss = await req(`/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${name}`);
      expect(miss.status, name).to.equal(404);
      expect(miss.body).to.include({ reason: 'NotFound', message: `podmetrics.metrics.k8s.io "default/${name}" not found` });
    }
  });

  const refusals: { name: string; path: string; method?: string; token?: () => string; code: number; reason: string }[] = [
    { name: 'a watch', path: '/apis/metrics.k8s.io/v1beta1/nodes?watch=true', code: 405, reason: 'MethodNotAllowed' },
    { name: 'a pod watch', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?watch=1', code: 405, reason: 'MethodNotAllowed' },
    { name: 'a create', path: '/apis/metrics.k8s.io/v1beta1/nodes', method: 'POST', code: 405, reason: 'MethodNotAllowed' },
    { name: 'a delete', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1', method: 'DELETE', code: 405, reason: 'MethodNotAllowed' },
    { name: 'an unknown version', path: '/apis/metrics.k8s.io/v1/nodes', code: 404, reason: 'NotFound' },
    { name: 'an unknown resource', path: '/apis/metrics.k8s.io/v1beta1/services', code: 404, reason: 'NotFound' },
    { name: 'a namespaced node path', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/nodes', code: 404, reason: 'NotFound' },
    { name: 'a field selector on a field nodes do not have', path: '/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=spec.foo%3Dx', code: 400, reason: 'BadRequest' },
    { name: 'a bad label selector', path: '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3D%3D%3Dx', code: 400, reason: 'BadRequest' },
    { name: 'a user who may not read pods', path: '/apis/metrics.k8s.io/v1beta1/pods', token: () => cluster.nobodyToken, code: 403, reason: 'Forbidden' },
    { name: 'a user who may not read nodes', path: '/apis/metrics.k8s.io/v1beta1/nodes/n1', token: () => cluster.nobodyToken, code: 403, reason: 'Forbidden' },
  ];
  for (const tc of refusals) {
    it(`answers ${tc.name} with ${tc.code} ${tc.reason}`, async () => {
      const r = await req(tc.path, { ...(tc.method ? { method: tc.method } : {}), ...(tc.token ? { token: tc.token() } : {}) });
      expect(r.status, JSON.stringify(r.body)).to.equal(tc.code);
      expect(r.body).to.include({ kind: 'Status', reason: tc.reason });
    });
  }

  it('lets whoever may read pods and nodes read their usage (a node identity), and SelfSubjectAccessReviews agree', async () => {
    expect((await req('/apis/metrics.k8s.io/v1beta1/pods', { token: nodeToken })).status).to.equal(200);
    expect((await req('/apis/metrics.k8s.io/v1beta1/nodes/n1', { token: nodeToken })).status).to.equal(200);
    const canI = async (token: string, resource: string): Promise<unknown> =>
      (
        await fetchJson(cluster, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          method: 'POST',
          token,
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: 'metrics.k8s.io', resource, verb: 'list' } } },
        })
      ).body.status;
    expect(await canI(nodeToken, 'pods')).to.deep.include({ allowed: true });
    expect(await canI(cluster.nobodyToken, 'nodes')).to.deep.include({ allowed: false });
    const refused = await req('/apis/metrics.k8s.io/v1beta1/pods', { token: cluster.nobodyToken });
    expect(refused.body.message).to.equal('pods.metrics.k8s.io is forbidden: User "nobody" cannot list resource "pods" in API group "metrics.k8s.io" at the cluster scope');
  });

  it('is in discovery, legacy and aggregated', async () => {
    const agg = await fetchJson(cluster, '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const group = (agg.body.items as { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string; verbs: string[]; responseKind: { kind: string } }[] }[] }[]).find((x) => x.metadata.name === 'metrics.k8s.io');
    expect(group?.versions.map((v) => v.version)).to.deep.equal(['v1beta1']);
    expect(group!.versions[0]!.resources.map((r) => [r.resource, r.scope, r.responseKind.kind, r.verbs.join(',')])).to.deep.equal([
      ['nodes', 'Cluster', 'NodeMetrics', 'get,list'],
      ['pods', 'Namespaced', 'PodMetrics', 'get,list'],
    ]);
    const groups = await req('/apis');
    const g = (groups.body.groups as { name: string; preferredVersion: { groupVersion: string } }[]).find((x) => x.name === 'metrics.k8s.io');
    expect(g?.preferredVersion.groupVersion).to.equal('metrics.k8s.io/v1beta1');
    const list = await req('/apis/metrics.k8s.io/v1beta1');
    expect(list.body.resources).to.deep.equal([
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ]);
  });

  for (const minor of [27, 33]) {
    describe(`kubectl 1.${minor}`, () => {
      const k = async (args: string[]): Promise<string> => {
        const r = await kubectl(cluster.kubeconfig, path.join(cluster.dir, `cache-${minor}`), args, { binary: kubectlBinary(minor) });
        expect(r.code, showRun(r)).to.equal(0);
        return r.stdout;
      };
      const rows = (out: string): string[][] => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

      it('top node: usage and its share of allocatable; nodes without usage shown unknown', async () => {
        const out = rows(await k(['top', 'node']));
        expect(out[0]!.join(' '), out.map((r) => r.join(' ')).join('\n')).to.match(/^NAME CPU\(cores\) CPU(%|\(%\)) MEMORY\(bytes\) MEMORY(%|\(%\))$/);
        const byName = new Map(out.slice(1).map((r) => [r[0]!, r.slice(1)]));
        expect(byName.get('n1')).to.deep.equal(['250m', '12%', '1024Mi', '25%']);
        expect(byName.get('n2')).to.deep.equal(['1500m', '75%', '2048Mi', '50%']);
        const absent = ['n-down', 'n-hang', 'n-notready'].filter((n) => byName.has(n));
        for (const n of absent) expect(byName.get(n)!.join(' ')).to.contain('<unknown>');
      });

      it('top node NAME and -l', async () => {
        expect(rows(await k(['top', 'node', 'n2', '--no-headers']))).to.deep.equal([['n2', '1500m', '75%', '2048Mi', '50%']]);
        expect(rows(await k(['top', 'node', '-l', 'zone=b', '--no-headers'])).map((r) => r[0])).to.include('n2').and.not.include('n1');
      });

      it('top pod: a namespace, -A, -l, --containers, --sort-by=cpu', async () => {
        expect(rows(await k(['top', 'pod', '--no-headers']))).to.deep.equal([
          ['db-1', '50m', '200Mi'],
          ['web-1', '125m', '40Mi'],
          ['web-2', '701m', '72Mi'],
        ]);
        const all = rows(await k(['top', 'pod', '-A', '--no-headers']));
        expect(all.map((r) => `${r[0]}/${r[1]}`)).to.deep.equal(['default/db-1', 'default/web-1', 'default/web-2', 'other/job-1']);
        expect(rows(await k(['top', 'pod', '-l', 'app=web', '--no-headers'])).map((r) => r[0])).to.deep.equal(['web-1', 'web-2']);
        expect(rows(await k(['top', 'pod', 'web-1', '--containers', '--no-headers']))).to.deep.equal([
          ['web-1', 'app', '120m', '30Mi'],
          ['web-1', 'sidecar', '5m', '10Mi'],
        ]);
        expect(rows(await k(['top', 'pod', '--sort-by=cpu', '--no-headers'])).map((r) => r[0])).to.deep.equal(['web-2', 'web-1', 'db-1']);
      });

      it('get nodemetrics and podmetrics: the Table columns; -o yaml the objects', async () => {
        expect(rows(await k(['get', 'nodemetrics', 'n1']))).to.deep.equal([
          ['NAME', 'CPU', 'MEMORY', 'WINDOW'],
          ['n1', '250000000n', '1048576Ki', '10.005s'],
        ]);
        expect(rows(await k(['get', 'podmetrics', '-A', '--no-headers'])).map((r) => r.slice(0, 3))).to.deep.equal([
          ['default', 'db-1', '50000000n'],
          ['default', 'web-1', '125000000n'],
          ['default', 'web-2', '701000000n'],
          ['other', 'job-1', '2000000n'],
        ]);
        expect(await k(['get', 'podmetrics', 'web-1', '-o', 'yaml'])).to.match(/^kind: PodMetrics$/m);
      });

      it('api-resources lists the metrics kinds', async () => {
        expect(await k(['api-resources', '--api-group=metrics.k8s.io', '--no-headers'])).to.match(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\npods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\n$/);
      });
    });
  }
});

async function fetchJson(cluster: TestCluster, p: string, opts: { method?: string; token?: string; accept?: string; body?: object }): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const r = https.request(new URL(p, cluster.access.server), { method: opts.method ?? 'GET', ca: cluster.access.caPem, headers: { Authorization: `Bearer ${opts.token ?? cluster.access.token}`, Accept: opts.accept ?? 'application/json', ...(opts.method && opts.method !== 'GET' && opts.method !== 'DELETE' ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { text } });
        }
      });
    });
    r.on('error', reject);
    if (opts.method === 'POST') r.end(JSON.stringify(opts.body ?? { metadata: { name: 'x' } }));
    else r.end();
  });
}
