// `gantry join` end to end against real processes: etcd, the API server (client CA, bootstrap
// tokens) and the controller manager (csrapproving, csrsigning with the cluster CA). A token
// made with the admin's credentials lets a new node obtain a client certificate that then
// authenticates it as system:node:<name>, and a serving certificate for its name and address.

import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../../common/client/apiClient.js';
import { RestClient } from '../../common/client/restClient.js';
import { realClock } from '../../common/clock.js';
import { readKubeconfig, renderKubeconfig } from '../../common/kubeconfig.js';
import { bootstrapTokenSecret, generateBootstrapToken, formatBootstrapToken } from '../../common/pki/bootstrapToken.js';
import { makeCA } from '../../common/pki/certs.js';
import { makeCsr } from '../../common/pki/csr.js';
import { caPublicKeyHash } from '../../common/pki/signer.js';
import { componentCommand } from '../../common/proc/components.js';
import { stopChild } from '../../common/proc/stopChild.js';
import { startProcessCluster, type ProcessCluster } from '../../common/testing/cluster.js';
import { resourceFor } from '../../common/api/resources.js';
import { joinCluster, JoinError } from './join.js';
import { createBootstrapToken, deleteBootstrapToken, listBootstrapTokens } from './tokens.js';

const cmToken = 'join-test-controller-manager-token';

/** The machine's real kubectl (the dispatcher picks the release by server version). */
function kubectl(kubeconfig: string, cacheDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 30_000, env: { ...process.env, KUBECTL_KUBERC: 'false' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '(no log)';
  }
}

describe('gantry join (etcd + API server + controller manager processes)', function () {
  this.timeout(180_000);
  let c: ProcessCluster;
  let cm: ChildProcess | undefined;
  let cmLog: string;
  let api: ApiClient;
  let work: string;
  let token: string;
  let caHash: string;

  before(async () => {
    c = await startProcessCluster({ clientCertAuth: true, extraTokens: [{ token: cmToken, user: 'system:kube-controller-manager', groups: [] }] });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-join-'));
    const kubeconfig = path.join(work, 'cm.kubeconfig');
    fs.writeFileSync(kubeconfig, renderKubeconfig({ ...c.access, token: cmToken, user: 'system:kube-controller-manager' }), { mode: 0o600 });
    cmLog = path.join(work, 'controller-manager.log');
    const { command, args } = componentCommand('controllers/main');
    const fd = fs.openSync(cmLog, 'a');
    cm = spawn(command, [...args, '--kubeconfig', kubeconfig, '--metrics-port', '-1', '--leader-elect', 'false', '--controllers', 'csrapproving,csrsigning', '--cluster-signing-cert-file', c.caFile, '--cluster-signing-key-file', c.caKeyFile], { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    api = new ApiClient({ client: c.client, qps: 100, burst: 100, clock: realClock });
    const made = await createBootstrapToken(api, { ttlMs: 60 * 60 * 1000, description: 'join test', server: c.access.server, caPem: c.access.caPem });
    token = made.token;
    caHash = made.caHash;
  });
  after(async () => {
    if (cm) await stopChild(cm, 10_000);
    await c?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const join = (name: string, over: Partial<Parameters<typeof joinCluster>[0]> = {}) =>
    joinCluster({ server: c.access.server, token, caHash, nodeName: name, address: '10.0.0.11', dir: path.join(work, name), timeoutMs: 30_000, ...over });

  it('token create prints a token the cluster knows and the pin of its CA; list shows it', async () => {
    expect(token).to.match(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(caHash).to.equal(caPublicKeyHash(c.access.caPem));
    const list = await listBootstrapTokens(api);
    const mine = list.find((t) => t.id === token.split('.')[0]);
    expect(mine).to.include({ description: 'join test', expired: false, groups: 'system:bootstrappers:gantry:default-node-token' });
    expect(mine?.usages).to.deep.equal(['authentication']);
  });

  it('joins: a client certificate that authenticates as system:node:<name>, a serving certificate for its name and address', async () => {
    let node;
    try {
      node = await join('worker-1');
    } catch (e) {
      throw new Error(`${(e as Error).message}\ncontroller manager log:\n${tail(cmLog)}`);
    }
    const client = new X509Certificate(fs.readFileSync(node.clientCert.cert, 'utf8'));
    expect(client.subject).to.equal('O=system:nodes\nCN=system:node:worker-1');
    expect(client.verify(new X509Certificate(c.access.caPem).publicKey)).to.equal(true);
    const days = (new Date(client.validTo).getTime() - Date.now()) / 86_400_000;
    expect(days).to.be.within(364, 366);
    const serving = new X509Certificate(fs.readFileSync(node.serving.cert, 'utf8'));
    expect(serving.subjectAltName).to.equal('DNS:worker-1, IP Address:10.0.0.11');

    // The node's kubeconfig carries only the certificate: the API server knows it as the node.
    const access = readKubeconfig(node.kubeconfig);
    expect(access.token).to.equal('');
    const asNode = new RestClient(access);
    try {
      const who = await asNode.request<{ status: { userInfo: { username: string; groups: string[] } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
      expect(who.body.status.userInfo.username).to.equal('system:node:worker-1');
      expect(who.body.status.userInfo.groups).to.include('system:nodes');
      expect((await asNode.request('GET', '/api/v1/nodes/worker-1')).status).to.equal(200);
      // NodeRestriction: its own Node only.
      expect((await asNode.request('PATCH', '/api/v1/nodes/other/status', { body: { status: {} }, contentType: 'application/merge-patch+json' })).status).to.equal(403);
    } finally {
      asNode.close();
    }
    // The Node was registered with its address (the serving approval checked it).
    const n = await c.client.request<{ status: { addresses: { type: string; address: string }[] } }>('GET', '/api/v1/nodes/worker-1');
    expect(n.body.status.addresses).to.deep.include({ type: 'InternalIP', address: '10.0.0.11' });
    // Both requests were approved by the approver and recorded who asked.
    const csrs = await c.client.request<{ items: { spec: { username: string; signerName: string }; status: { conditions: { type: string; reason: string }[] } }[] }>('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests');
    const bySigner = new Map(csrs.body.items.map((i) => [i.spec.signerName, i]));
    expect(bySigner.get('kubernetes.io/kube-apiserver-client-kubelet')?.spec.username).to.equal(`system:bootstrap:${token.split('.')[0]}`);
    expect(bySigner.get('kubernetes.io/kubelet-serving')?.spec.username).to.equal('system:node:worker-1');
    for (const i of csrs.body.items) expect(i.status.conditions.map((x) => `${x.type}/${x.reason}`)).to.deep.equal(['Approved/AutoApproved']);
  });

  it('a second join with valid credentials keeps them (no token needed)', async () => {
    const again = await join('worker-1', { token: 'not-a-token' });
    expect(again.reused).to.equal(true);
    const withoutToken = await joinCluster({ server: c.access.server, caHash, nodeName: 'worker-1', address: '10.0.0.11', dir: path.join(work, 'worker-1') });
    expect(withoutToken.reused).to.equal(true);
  });

  it('without a token and without valid credentials it says a token is needed', async () => {
    const cases = [
      { name: 'a new node', node: 'worker-9', address: '10.0.0.19' },
      // worker-1's certificates name 10.0.0.11: a new address needs new ones.
      { name: 'a known node at another address', node: 'worker-1', address: '10.0.0.99' },
    ];
    for (const tc of cases) {
      const dir = path.join(work, tc.node);
      const err = await joinCluster({ server: c.access.server, caHash, nodeName: tc.node, address: tc.address, dir }).then(() => undefined, (e: unknown) => e);
      expect(err, tc.name).to.be.instanceOf(JoinError);
      expect(String(err), tc.name).to.contain(`a bootstrap token is needed: ${dir} holds no valid credentials of node ${tc.node} at ${tc.address}`);
    }
  });

  it('refuses a wrong CA hash, and to go without one unless told to', async () => {
    const other = caPublicKeyHash(makeCA('someone-else').certPem);
    let err: unknown;
    await join('worker-2', { caHash: other }).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/does not match --ca-hash/);
    expect(fs.existsSync(path.join(work, 'worker-2', 'client.crt'))).to.equal(false);
    err = undefined;
    await join('worker-2', { caHash: undefined }).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/refusing to join without --ca-hash/);
  });

  it('an expired or deleted token gets 401', async () => {
    const t = generateBootstrapToken();
    await api.create(resourceFor('Secret'), 'kube-system', bootstrapTokenSecret(t, { ttlMs: 1_000, now: Date.now() - 10_000 }));
    const expired = new RestClient({ ...c.access, token: formatBootstrapToken(t) });
    const body = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { generateName: 'x-' }, spec: { request: Buffer.from(makeCsr({ commonName: 'system:node:x', organizations: ['system:nodes'] }).csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['client auth'] } };
    try {
      expect((await expired.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { body })).status).to.equal(401);
    } finally {
      expired.close();
    }
    const made = await createBootstrapToken(api, { ttlMs: 0, server: c.access.server, caPem: c.access.caPem });
    const live = new RestClient({ ...c.access, token: made.token });
    try {
      expect((await live.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { body })).status).to.equal(201);
      expect(await deleteBootstrapToken(api, made.token)).to.equal(true);
      let status = 0;
      for (let i = 0; i < 40 && status !== 401; i++) {
        status = (await live.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { body })).status;
        if (status !== 401) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).to.equal(401);
    } finally {
      live.close();
    }
    let err: unknown;
    await join('worker-3', { token: made.token }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(JoinError);
    expect(String(err)).to.match(/401 Unauthorized/);
  });

  it('a bootstrapper cannot read secrets, approve its own request, or read requests of others', async () => {
    const boot = new RestClient({ ...c.access, token });
    try {
      expect((await boot.request('GET', '/api/v1/namespaces/kube-system/secrets')).status).to.equal(403);
      expect((await boot.request('GET', '/api/v1/nodes')).status).to.equal(403);
      const body = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'sneaky' }, spec: { request: Buffer.from(makeCsr({ commonName: 'admin', organizations: ['system:masters'] }).csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], username: 'admin', groups: ['system:masters'] } };
      const created = await boot.request<{ spec: { username: string; groups: string[] } }>('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { body });
      expect(created.status).to.equal(201);
      // Who asked is the server's to say.
      expect(created.body.spec.username).to.equal(`system:bootstrap:${token.split('.')[0]}`);
      expect(created.body.spec.groups).to.not.include('system:masters');
      const approve = { ...body, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Me', message: 'me' }] } };
      expect((await boot.request('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/sneaky/approval', { body: approve })).status).to.equal(403);
      expect((await boot.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/sneaky')).status).to.equal(200);
      expect((await boot.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests')).status).to.equal(403);
      const serving = (await c.client.request<{ items: { metadata: { name: string }; spec: { signerName: string } }[] }>('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests')).body.items.find((i) => i.spec.signerName === 'kubernetes.io/kubelet-serving')!;
      expect((await boot.request('GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${serving.metadata.name}`)).status).to.equal(403);
    } finally {
      boot.close();
    }
  });

  it('denies a serving request whose IP is not the node\'s', async () => {
    const access = readKubeconfig(path.join(work, 'worker-1', 'kubeconfig'));
    const asNode = new RestClient(access);
    try {
      const csr = makeCsr({ commonName: 'system:node:worker-1', organizations: ['system:nodes'], dnsNames: ['worker-1'], ips: ['10.0.0.11', '10.9.9.9'] });
      const body = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'foreign-ip' }, spec: { request: Buffer.from(csr.csrPem).toString('base64'), signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] } };
      expect((await asNode.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { body })).status).to.equal(201);
      let conditions: { type: string; message: string }[] = [];
      for (let i = 0; i < 100 && conditions.length === 0; i++) {
        const got = await asNode.request<{ status?: { conditions?: { type: string; message: string }[]; certificate?: string } }>('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/foreign-ip');
        conditions = got.body.status?.conditions ?? [];
        if (!conditions.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(conditions[0]?.type).to.equal('Denied');
      expect(conditions[0]?.message).to.match(/10\.9\.9\.9.*not addresses of node "worker-1"/);
    } finally {
      asNode.close();
    }
  });

  it("kubectl get csr shows Kubernetes' columns; kubectl certificate approve approves, and the signer issues", async () => {
    const cache = path.join(work, 'kubectl-cache');
    const get = await kubectl(c.kubeconfig, cache, ['get', 'csr']);
    expect(get.code, get.stderr).to.equal(0);
    expect(get.stdout.split('\n')[0]).to.match(/^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/);
    expect(get.stdout).to.match(/kubernetes\.io\/kubelet-serving\s+system:node:worker-1\s+<none>\s+Approved,Issued/);
    expect(get.stdout).to.match(/sneaky\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+system:bootstrap:\w+\s+<none>\s+Pending/);
    const approve = await kubectl(c.kubeconfig, cache, ['certificate', 'approve', 'sneaky']);
    expect(approve.code, approve.stderr).to.equal(0);
    let line = '';
    for (let i = 0; i < 50 && !/Issued/.test(line); i++) {
      line = (await kubectl(c.kubeconfig, cache, ['get', 'csr', 'sneaky', '--no-headers'])).stdout;
      if (!/Issued/.test(line)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(line).to.match(/Approved,Issued/);
  });

  it('the API server refuses a malformed request with 422 naming spec.request', async () => {
    const body = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'bad' }, spec: { request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['client auth', 'flying'] } };
    const res = await c.client.request<{ reason: string; details: { causes: { field: string }[] } }>('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { body });
    expect(res.status).to.equal(422);
    expect(res.body.details.causes.map((x) => x.field)).to.include.members(['spec.request', 'spec.usages[1]']);
  });
});
