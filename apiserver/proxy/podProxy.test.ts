// pods/log, pods/exec (and the routing of attach and portforward) through a real API server
// to a fake node agent that speaks websockets only, driven by the machine's real kubectl 1.32.
// The agent's own SPDY is exercised end to end in e2e/streams.test.ts. Also the refusals:
// unbound pods, unknown containers, agents that are down or untrusted, no credentials.

import { expect } from 'chai';
import https from 'node:https';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { Status } from '../../common/api/meta.js';
import { makeCA, makeSignedCert, type KeyPair } from '../../common/pki/certs.js';
import { freePort } from '../../common/proc/ports.js';
import { startFakeAgent, type FakeAgent } from '../testing/fakeAgent.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';
import { until } from '../../common/testing/eventually.js';
import { kubectl, runKubectl } from '../../common/testing/kubectl.js';

const clientCN = 'gantry-apiserver-kubelet-client';

function node(name: string, port: number, addresses: { type: string; address: string }[]): object {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses, daemonEndpoints: { kubeletEndpoint: { Port: port } } } };
}

function pod(name: string, nodeName: string | undefined, containers: string[], annotations?: Record<string, string>): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: 'busybox:1' })) },
  };
}

async function createNode(cluster: TestCluster, obj: object): Promise<void> {
  const created = await cluster.client.request<{ metadata: { resourceVersion: string } }>('POST', '/api/v1/nodes', { body: obj });
  expect(created.status, created.text).to.equal(201);
  const name = (obj as { metadata: { name: string } }).metadata.name;
  const put = await cluster.client.request('PUT', `/api/v1/nodes/${name}/status`, { body: { ...obj, metadata: { name, resourceVersion: created.body.metadata.resourceVersion } } });
  expect(put.status, put.text).to.equal(200);
}

async function createPod(cluster: TestCluster, obj: object): Promise<void> {
  const r = await cluster.client.request('POST', '/api/v1/namespaces/default/pods', { body: obj });
  expect(r.status, r.text).to.equal(201);
}

/** One raw request with upgrade headers; resolves with the status line's code and any body. */
function upgradeRequest(cluster: TestCluster, urlPath: string, headers: Record<string, string>, token: string | undefined = cluster.access.token): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(urlPath, cluster.access.server), {
      ca: cluster.access.caPem,
      headers: { Connection: 'Upgrade', ...headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    const collect = (res: IncomingMessage): void => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    };
    req.on('response', collect);
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ code: res.statusCode ?? 0, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

const wsHeaders = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' };

describe('pod log and exec proxy', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let agent: FakeAgent;
  let rogue: FakeAgent;
  let cacheDir: string;
  const k = (args: string[], input?: string): ReturnType<typeof kubectl> => kubectl(cluster.kubeconfig, cacheDir, args, { input });

  before(async () => {
    const clusterCA = makeCA('agents-ca');
    const clientCA = makeCA('apiserver-client-ca');
    const clientCert = makeSignedCert(clientCA, { commonName: clientCN, dnsNames: [], ips: [], usage: 'client' });
    const serving = makeSignedCert(clusterCA, { commonName: 'n1', dnsNames: ['localhost', 'n1'], ips: ['127.0.0.1'] });
    const logs = {
      'default/p/c1': ['one', 'two', 'three'],
      'default/p2/c1': ['p2 c1 only'],
      'default/p2/c2': ['first of c2', 'last of c2'],
      'default/endless/c1': ['start'],
      'default/phost/c1': ['via hostname'],
      'default/pdef/c2': ['from the default container'],
    };
    agent = await startFakeAgent({ serving, clientCaPem: clientCA.certPem, logs, endless: ['endless'] });
    // Serves with a certificate from a CA the API server does not trust.
    const stranger: KeyPair = makeSignedCert(makeCA('stranger'), { commonName: 'rogue', dnsNames: [], ips: ['127.0.0.1'] });
    rogue = await startFakeAgent({ serving: stranger, clientCaPem: clientCA.certPem, logs });
    cluster = await startTestCluster({ kubeletClient: { certPem: clientCert.certPem, keyPem: clientCert.keyPem, caPem: clusterCA.certPem } });
    cacheDir = path.join(cluster.dir, 'kubectl-cache');
    const local = (ip: string): { type: string; address: string }[] => [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: 'n1' }];
    await createNode(cluster, node('n1', agent.port, local('127.0.0.1')));
    await createNode(cluster, node('n-host', agent.port, [{ type: 'Hostname', address: 'localhost' }]));
    await createNode(cluster, node('n-down', await freePort(), local('127.0.0.1')));
    await createNode(cluster, node('n-rogue', rogue.port, local('127.0.0.1')));
    await createPod(cluster, pod('p', 'n1', ['c1']));
    await createPod(cluster, pod('p2', 'n1', ['c1', 'c2']));
    await createPod(cluster, pod('pdef', 'n1', ['c1', 'c2'], { 'kubectl.kubernetes.io/default-container': 'c2' }));
    await createPod(cluster, pod('endless', 'n1', ['c1']));
    await createPod(cluster, pod('phost', 'n-host', ['c1']));
    await createPod(cluster, pod('unbound', undefined, ['c1']));
    await createPod(cluster, pod('pdown', 'n-down', ['c1']));
    await createPod(cluster, pod('progue', 'n-rogue', ['c1']));
    await createPod(cluster, pod('pghost', 'ghost', ['c1']));
  });

  after(async () => {
    await cluster?.close();
    await agent?.close();
    await rogue?.close();
  });

  describe('kubectl logs', () => {
    it('prints a pod\'s log', async () => {
      const r = await k(['logs', 'p']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('one\ntwo\nthree\n');
      const seen = agent.requests.find((q) => q.path === '/containerLogs/default/p/c1');
      expect(seen?.clientCN).to.equal(clientCN);
    });

    it('passes the container and tailLines on', async () => {
      const r = await k(['logs', 'p2', '-c', 'c2', '--tail=1']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('last of c2\n');
      expect(agent.requests.at(-1)?.query.get('tailLines')).to.equal('1');
    });

    it('follows a stream until the agent ends it', async () => {
      const r = await k(['logs', '-f', 'p']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('one\ntwo\nthree\n');
      expect(agent.requests.at(-1)?.query.get('follow')).to.equal('true');
    });

    it('streams as lines arrive and hangs up on the agent when kubectl goes away', async () => {
      const run = runKubectl(cluster.kubeconfig, cacheDir, ['logs', '-f', 'endless']);
      await until('streamed lines', () => (run.stdout().includes('tick 3') ? true : undefined));
      expect(agent.openStreams()).to.equal(1);
      await run.stop();
      await until('the upstream request to close', () => (agent.openStreams() === 0 ? true : undefined));
    });

    it('reaches an agent by its Hostname address when there is no InternalIP', async () => {
      const r = await k(['logs', 'phost']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('via hostname\n');
    });

    it('uses the default-container annotation', async () => {
      const r = await cluster.client.get('/api/v1/namespaces/default/pods/pdef/log');
      expect(r.status, r.text).to.equal(200);
      expect(r.headers['content-type']).to.match(/^text\/plain/);
      expect(r.text).to.equal('from the default container\n');
    });

    const failures: { name: string; args: string[]; message: RegExp }[] = [
      { name: 'an unbound pod', args: ['logs', 'unbound'], message: /\(BadRequest\): pod unbound does not have a host assigned/ },
      // kubectl checks this one itself before asking.
      { name: 'a container the pod does not have', args: ['logs', 'p', '-c', 'nope'], message: /container nope is not valid for pod p/ },
      { name: 'a node that does not exist', args: ['logs', 'pghost'], message: /\(NotFound\): nodes "ghost" not found/ },
      { name: 'an agent that is down', args: ['logs', 'pdown'], message: /\(ServiceUnavailable\): cannot reach the node agent of node n-down at 127\.0\.0\.1:\d+: .*ECONNREFUSED/ },
      { name: 'an agent with an untrusted certificate', args: ['logs', 'progue'], message: /\(ServiceUnavailable\): cannot reach the node agent of node n-rogue.*certificate/ },
    ];
    for (const tc of failures) {
      it(`refuses ${tc.name}`, async () => {
        const r = await k(tc.args);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(tc.message);
      });
    }
  });

  describe('pods/log parameters', () => {
    const cases: { name: string; query: Record<string, string>; code: number; message: RegExp }[] = [
      { name: 'no container in a pod with several', query: {}, code: 400, message: /^a container name must be specified for pod p2, choose one of: \[c1 c2\]$/ },
      { name: 'a container the pod does not have', query: { container: 'nope' }, code: 400, message: /^container nope is not valid for pod p2$/ },
      { name: 'negative tailLines', query: { container: 'c1', tailLines: '-1' }, code: 422, message: /tailLines: Invalid value: -1: must be greater than or equal to 0/ },
      { name: 'zero sinceSeconds', query: { container: 'c1', sinceSeconds: '0' }, code: 422, message: /sinceSeconds: Invalid value: 0: must be greater than 0/ },
      { name: 'zero limitBytes', query: { container: 'c1', limitBytes: '0' }, code: 422, message: /limitBytes/ },
      { name: 'both since parameters', query: { container: 'c1', sinceSeconds: '5', sinceTime: '2024-01-01T00:00:00Z' }, code: 422, message: /at most one of `sinceTime` or `sinceSeconds`/ },
      { name: 'a sinceTime that is not RFC 3339', query: { container: 'c1', sinceTime: 'yesterday' }, code: 400, message: /sinceTime/ },
      { name: 'a follow that is not a boolean', query: { container: 'c1', follow: 'maybe' }, code: 400, message: /follow/ },
    ];
    for (const tc of cases) {
      it(`refuses ${tc.name}`, async () => {
        const r = await cluster.client.get<Status>('/api/v1/namespaces/default/pods/p2/log', { query: tc.query });
        expect(r.status, r.text).to.equal(tc.code);
        expect(r.body.message).to.match(tc.message);
      });
    }

    it('forwards limitBytes, sinceTime, timestamps and previous', async () => {
      const r = await cluster.client.get('/api/v1/namespaces/default/pods/p/log', { query: { limitBytes: 10, sinceTime: '2024-01-01T00:00:00Z', timestamps: true, previous: 'false' } });
      expect(r.status, r.text).to.equal(200);
      const q = agent.requests.at(-1)!.query;
      expect(Object.fromEntries(q)).to.deep.equal({ limitBytes: '10', sinceTime: '2024-01-01T00:00:00Z', timestamps: 'true' });
    });

    it('passes the agent\'s own error on', async () => {
      const r = await cluster.client.get<Status>('/api/v1/namespaces/default/pods/pdef/log', { query: { container: 'c1' } });
      expect(r.status, r.text).to.equal(404);
      expect(r.body.message).to.equal('container c1 of pod default/pdef not found');
    });

    it('is forbidden to users without the right', async () => {
      const r = await cluster.client.get<Status>('/api/v1/namespaces/default/pods/p/log', { token: cluster.nobodyToken });
      expect(r.status).to.equal(403);
    });
  });

  describe('kubectl exec', () => {
    it('prints the command\'s output', async () => {
      const r = await k(['exec', 'p', '--', 'echo', 'hello', 'world']);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('hello world\n');
      const seen = agent.requests.at(-1)!;
      expect(seen.path).to.equal('/exec/default/p/c1');
      expect(seen.query.getAll('command')).to.deep.equal(['echo', 'hello', 'world']);
      expect(seen.protocols).to.include('v5.channel.k8s.io');
    });

    it('exits with the command\'s exit code', async () => {
      const r = await k(['exec', 'p', '--', 'fail']);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.include('boom');
    });

    it('carries stdin with -i', async () => {
      const r = await k(['exec', '-i', 'p', '--', 'cat'], 'abc\ndef\n');
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('abc\ndef\n');
    });

    it('runs in the named container', async () => {
      const r = await k(['exec', 'p2', '-c', 'c2', '--', 'echo', 'x']);
      expect(r.code, r.stderr).to.equal(0);
      expect(agent.requests.at(-1)!.path).to.equal('/exec/default/p2/c2');
    });

    const failures: { name: string; args: string[]; message: RegExp }[] = [
      { name: 'an unbound pod', args: ['exec', 'unbound', '--', 'echo'], message: /pod unbound does not have a host assigned/ },
      { name: 'a container the pod does not have', args: ['exec', 'p', '-c', 'nope', '--', 'echo'], message: /container nope is not valid for pod p/ },
      { name: 'an agent that is down', args: ['exec', 'pdown', '--', 'echo'], message: /cannot reach the node agent of node n-down/ },
      { name: 'what the agent refuses', args: ['exec', 'pdef', '-c', 'c1', '--', 'echo'], message: /container not found/ },
    ];
    for (const tc of failures) {
      it(`refuses ${tc.name}`, async () => {
        const started = Date.now();
        const r = await k(tc.args);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(tc.message);
        expect(Date.now() - started).to.be.lessThan(20_000);
      });
    }
  });

  describe('exec upgrades', () => {
    const execPath = '/api/v1/namespaces/default/pods/p/exec?command=echo&command=hi&stdout=true';
    const cases: { name: string; path: string; headers: Record<string, string>; token?: string; code: number; message?: RegExp }[] = [
      { name: 'no credentials is 401', path: execPath, headers: wsHeaders, token: '', code: 401 },
      { name: 'a user without the right is 403', path: execPath, headers: wsHeaders, token: 'nobody', code: 403 },
      { name: 'no command is 400', path: '/api/v1/namespaces/default/pods/p/exec?stdout=true', headers: wsHeaders, code: 400, message: /at least one command/ },
      { name: 'no stream is 400', path: '/api/v1/namespaces/default/pods/p/exec?command=ls', headers: wsHeaders, code: 400, message: /at least one of stdin, stdout, stderr/ },
      { name: 'a missing pod is 404', path: '/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=1', headers: wsHeaders, code: 404, message: /pods "nope" not found/ },
      { name: 'upgrading anything else is 400', path: '/api/v1/namespaces/default/pods?watch=true', headers: wsHeaders, code: 400, message: /does not accept a connection upgrade; only pods\/exec, pods\/attach and pods\/portforward do/ },
      { name: 'attach without a stream is 400', path: '/api/v1/namespaces/default/pods/p/attach', headers: wsHeaders, code: 400, message: /at least one of stdin, stdout, stderr/ },
      { name: 'attach to a container the pod does not have is 400', path: '/api/v1/namespaces/default/pods/p/attach?stdout=1&container=nope', headers: wsHeaders, code: 400, message: /container nope is not valid for pod p/ },
      { name: 'port-forward of an unbound pod is 400', path: '/api/v1/namespaces/default/pods/unbound/portforward', headers: wsHeaders, code: 400, message: /does not have a host assigned/ },
      { name: 'the agent\'s refusal is relayed', path: '/api/v1/namespaces/default/pods/pdef/exec?command=ls&stdout=1&container=c1', headers: wsHeaders, code: 404 },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const token = tc.token === 'nobody' ? cluster.nobodyToken : tc.token;
        const r = await upgradeRequest(cluster, tc.path, tc.headers, token);
        expect(r.code, r.body).to.equal(tc.code);
        if (tc.message) expect((JSON.parse(r.body) as Status).message).to.match(tc.message);
      });
    }

    it('a plain (non-upgrade) exec, attach or portforward is 400', async () => {
      for (const [sub, query] of [['exec', '?command=echo&stdout=true'], ['attach', '?stdout=true'], ['portforward', '']] as const) {
        const r = await cluster.client.request<Status>('POST', `/api/v1/namespaces/default/pods/p/${sub}${query}`);
        expect(r.status, r.text).to.equal(400);
        expect(r.body.message).to.equal(`Upgrade request required: pods/${sub} is served over a websocket or SPDY/3.1 connection upgrade`);
      }
    });

    it('passes SPDY upgrades of exec, attach and portforward on to the pod\'s agent', async () => {
      const spdyHeaders = { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' };
      const cases = [
        { path: execPath, agentPath: '/exec/default/p/c1', query: 'command=echo&command=hi&stdout=1' },
        { path: '/api/v1/namespaces/default/pods/p/attach?stdin=true&stdout=true&tty=true', agentPath: '/attach/default/p/c1', query: 'stdin=1&stdout=1&tty=1' },
        { path: '/api/v1/namespaces/default/pods/p/portforward', agentPath: `/portForward/default/p/${(await cluster.client.get<{ metadata: { uid: string } }>('/api/v1/namespaces/default/pods/p')).body.metadata.uid}`, query: '' },
      ];
      for (const tc of cases) {
        const before = agent.requests.length;
        // The fake agent speaks only websockets: its refusal comes back, after it was reached.
        const r = await upgradeRequest(cluster, tc.path, spdyHeaders);
        expect(r.code, r.body).to.be.within(400, 404);
        const reached = agent.requests.slice(before);
        expect(reached.map((q) => [q.path, q.query.toString()])).to.deep.equal([[tc.agentPath, tc.query]]);
      }
    });

    it('answers 101 with the agent\'s chosen subprotocol and pipes frames both ways', async () => {
      const ws = new WebSocket(`${cluster.access.server.replace('https', 'wss')}/api/v1/namespaces/default/pods/p/exec?command=cat&stdin=true&stdout=true`, ['v5.channel.k8s.io'], {
        ca: cluster.access.caPem,
        headers: { Authorization: `Bearer ${cluster.access.token}` },
      });
      const frames: Buffer[] = [];
      ws.on('message', (d: Buffer) => frames.push(d));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      expect(ws.protocol).to.equal('v5.channel.k8s.io');
      ws.send(Buffer.from([0, ...Buffer.from('ping')]));
      ws.send(Buffer.from([255, 0]));
      await new Promise((r) => ws.once('close', r));
      expect(frames.map((f) => [f[0], f.subarray(1).toString()])).to.deep.equal([
        [1, 'ping'],
        [3, '{"metadata":{},"status":"Success"}'],
      ]);
    });
  });
});

describe('pod log and exec proxy without kubelet client credentials', function () {
  this.timeout(60_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster();
    await createNode(cluster, node('n1', 10250, [{ type: 'InternalIP', address: '127.0.0.1' }]));
    await createPod(cluster, pod('p', 'n1', ['c1']));
  });
  after(async () => cluster?.close());

  it('answers logs with 503', async () => {
    const r = await cluster.client.get<Status>('/api/v1/namespaces/default/pods/p/log');
    expect(r.status, r.text).to.equal(503);
    expect(r.body.message).to.equal('no kubelet client credentials configured');
  });

  it('answers kubectl exec with 503', async () => {
    const r = await kubectl(cluster.kubeconfig, path.join(cluster.dir, 'cache'), ['exec', 'p', '--', 'echo']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('(ServiceUnavailable): no kubelet client credentials configured');
  });
});
