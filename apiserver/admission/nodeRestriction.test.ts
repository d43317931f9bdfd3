import { expect } from 'chai';
import type { Status } from '../../common/api/meta.js';
import { ApiError } from '../../common/errors.js';
import type { UserInfo } from '../auth/tokens.js';
import { resolveRequest } from '../http/requestInfo.js';
import { startTestCluster, type TestCluster } from '../testing/harness.js';
import { admitNodeRequest, nodeOfUser } from './nodeRestriction.js';

const n1: UserInfo = { name: 'system:node:n1', uid: 'n1', groups: ['system:nodes'] };
const admin: UserInfo = { name: 'admin', uid: 'a', groups: ['system:masters'] };
/** Pods and where they run, for the fake lookups. */
const pods: Record<string, string> = { 'a/mine': 'n1', 'a/theirs': 'n2', 'a/pending': '' };

/** Labels of the Nodes now, for the fake lookups. */
const nodeLabels: Record<string, Record<string, string>> = { n1: { 'node-restriction.kubernetes.io/pool': 'secure', 'kubernetes.io/hostname': 'n1' } };

const cases: { name: string; user?: UserInfo; method: string; url: string; body?: string; generateName?: string; labels?: Record<string, string>; raw?: string; forbidden: boolean }[] = [
  { name: 'its own Node status', method: 'PUT', url: '/api/v1/nodes/n1/status', forbidden: false },
  { name: 'another Node status', method: 'PATCH', url: '/api/v1/nodes/n2/status', forbidden: true },
  { name: 'another Node', method: 'PUT', url: '/api/v1/nodes/n2', forbidden: true },
  { name: 'registering itself', method: 'POST', url: '/api/v1/nodes', body: 'n1', forbidden: false },
  { name: 'registering another node', method: 'POST', url: '/api/v1/nodes', body: 'n2', forbidden: true },
  { name: 'reading another Node', method: 'GET', url: '/api/v1/nodes/n2', forbidden: false },
  { name: 'status of its pod', method: 'PATCH', url: '/api/v1/namespaces/a/pods/mine/status', forbidden: false },
  { name: 'status of a pod on another node', method: 'PUT', url: '/api/v1/namespaces/a/pods/theirs/status', forbidden: true },
  { name: 'status of an unbound pod', method: 'PATCH', url: '/api/v1/namespaces/a/pods/pending/status', forbidden: true },
  { name: 'status of a missing pod (the handler 404s)', method: 'PATCH', url: '/api/v1/namespaces/a/pods/gone/status', forbidden: false },
  { name: 'deleting its pod', method: 'DELETE', url: '/api/v1/namespaces/a/pods/mine', forbidden: false },
  { name: 'deleting a pod on another node', method: 'DELETE', url: '/api/v1/namespaces/a/pods/theirs', forbidden: true },
  { name: 'its lease', method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', forbidden: false },
  { name: 'another node\'s lease', method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2', forbidden: true },
  { name: 'creating another node\'s lease', method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', body: 'n2', forbidden: true },
  { name: 'a lease elsewhere', method: 'PUT', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/n2', forbidden: true },
  { name: 'creating a lease elsewhere', method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', body: 'n1', forbidden: true },
  { name: 'creating its lease by generateName', method: 'POST', url: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', generateName: 'n', forbidden: true },
  { name: 'registering a Node by generateName', method: 'POST', url: '/api/v1/nodes', generateName: 'n1-', forbidden: true },
  { name: 'registering itself with a restricted label', method: 'POST', url: '/api/v1/nodes', body: 'n1', labels: { 'node-restriction.kubernetes.io/x': 'y' }, forbidden: true },
  { name: 'registering itself with ordinary labels', method: 'POST', url: '/api/v1/nodes', body: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'example.com/x': 'y' }, forbidden: false },
  { name: 'an update keeping the restricted label an admin set', method: 'PUT', url: '/api/v1/nodes/n1', body: 'n1', labels: { 'node-restriction.kubernetes.io/pool': 'secure', 'kubernetes.io/hostname': 'n1', a: 'b' }, forbidden: false },
  { name: 'an update changing a restricted label', method: 'PUT', url: '/api/v1/nodes/n1', body: 'n1', labels: { 'node-restriction.kubernetes.io/pool': 'open', 'kubernetes.io/hostname': 'n1' }, forbidden: true },
  { name: 'an update removing a restricted label', method: 'PUT', url: '/api/v1/nodes/n1', body: 'n1', labels: { 'kubernetes.io/hostname': 'n1' }, forbidden: true },
  { name: 'a merge patch setting a restricted label', method: 'PATCH', url: '/api/v1/nodes/n1', raw: '{"metadata":{"labels":{"node-restriction.kubernetes.io/x":"y"}}}', forbidden: true },
  { name: 'a JSON patch adding a restricted label', method: 'PATCH', url: '/api/v1/nodes/n1', raw: '[{"op":"add","path":"/metadata/labels/node-restriction.kubernetes.io~1x","value":"y"}]', forbidden: true },
  { name: 'a patch of ordinary labels', method: 'PATCH', url: '/api/v1/nodes/n1', raw: '{"metadata":{"labels":{"kubernetes.io/hostname":"n1"}}}', forbidden: false },
  { name: 'an admin setting a restricted label', user: admin, method: 'PATCH', url: '/api/v1/nodes/n1', raw: '{"metadata":{"labels":{"node-restriction.kubernetes.io/x":"y"}}}', forbidden: false },
  { name: 'an admin touching any node', user: admin, method: 'PUT', url: '/api/v1/nodes/n2/status', forbidden: false },
];

describe('NodeRestriction', () => {
  it('knows nodes by name and group', () => {
    expect(nodeOfUser(n1)).to.equal('n1');
    expect(nodeOfUser({ ...n1, groups: [] })).to.equal(undefined);
    expect(nodeOfUser({ ...n1, name: 'n1' })).to.equal(undefined);
  });

  for (const tc of cases) {
    it(`${tc.forbidden ? 'forbids' : 'allows'} ${tc.name}`, async () => {
      const u = new URL(tc.url, 'https://x');
      const info = resolveRequest(tc.method, u.pathname, u.searchParams);
      const deps = {
        podNodeName: (ns: string, name: string) => Promise.resolve(pods[`${ns}/${name}`]),
        body: () =>
          Promise.resolve({
            ...(tc.body ? { name: tc.body } : {}),
            ...(tc.generateName ? { generateName: tc.generateName } : {}),
            labels: tc.labels ?? {},
            raw: tc.raw ?? JSON.stringify({ metadata: { name: tc.body, labels: tc.labels } }),
            decoded: true,
          }),
        nodeLabels: (name: string) => Promise.resolve(nodeLabels[name]),
      };
      const outcome = await admitNodeRequest(tc.user ?? n1, info, deps).then(() => 'allowed', (e: unknown) => e);
      if (tc.forbidden) expect(outcome).to.be.instanceOf(ApiError).with.property('reason', 'Forbidden');
      else expect(outcome).to.equal('allowed');
    });
  }
});

describe('NodeRestriction in the API server', function () {
  this.timeout(30_000);
  let cluster: TestCluster;
  const token = 'node-n1-token';
  const as = { token };

  before(async () => {
    cluster = await startTestCluster({ users: [{ token, user: n1 }] });
    for (const name of ['n2']) expect((await cluster.client.request('POST', '/api/v1/nodes', { body: { metadata: { name } } })).status).to.equal(201);
    for (const [name, nodeName] of [['mine', 'n1'], ['theirs', 'n2']] as const) {
      const r = await cluster.client.request('POST', '/api/v1/namespaces/default/pods', { body: { metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox:1' }] } } });
      expect(r.status, r.text).to.equal(201);
    }
  });
  after(async () => cluster?.close());

  it('lets a node register itself (the body read for the check still reaches the handler)', async () => {
    const r = await cluster.client.request('POST', '/api/v1/nodes', { ...as, body: { metadata: { name: 'n1' } } });
    expect(r.status, r.text).to.equal(201);
  });

  it('refuses a node registering another', async () => {
    const r = await cluster.client.request<Status>('POST', '/api/v1/nodes', { ...as, body: { metadata: { name: 'n3' } } });
    expect(r.status, r.text).to.equal(403);
    expect(r.body.message).to.equal('node "n1" is not allowed to modify node "n3"');
  });

  it('refuses a node writing another node\'s status', async () => {
    const r = await cluster.client.request('PATCH', '/api/v1/nodes/n2/status', { ...as, body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' });
    expect(r.status, r.text).to.equal(403);
  });

  it('lets a node write the status of its pod and refuses another node\'s', async () => {
    const patch = { body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' };
    const mine = await cluster.client.request('PATCH', '/api/v1/namespaces/default/pods/mine/status', { ...as, ...patch });
    expect(mine.status, mine.text).to.equal(200);
    const theirs = await cluster.client.request<Status>('PATCH', '/api/v1/namespaces/default/pods/theirs/status', { ...as, ...patch });
    expect(theirs.status, theirs.text).to.equal(403);
    expect(theirs.body.message).to.equal('node "n1" can only update the status of pods with spec.nodeName set to itself');
  });

  it('refuses a node deleting a pod of another node', async () => {
    const r = await cluster.client.request('DELETE', '/api/v1/namespaces/default/pods/theirs', as);
    expect(r.status, r.text).to.equal(403);
  });
});
