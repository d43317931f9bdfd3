// etcd stopped under a running API server: requests that need the store are answered 503
// with Retry-After (clients retry), never 500; once etcd is back, the same requests succeed.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { kubectlBinary, runKubectl } from '../../common/testing/kubectl.js';
import { StorageUnavailableError } from '../storage/errors.js';
import { call, startLimitsTestServer, type CallResult, type LimitsTestServer } from './limitsTestServer.js';
import { statusFromError } from './status.js';

const cms = '/api/v1/namespaces/default/configmaps';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Timings for the reader of the test run; not asserted beyond the limits. */
const print = (line: string): void => void process.stdout.write(`${line}\n`);

describe('storage failures at the HTTP edge', () => {
  const cases = [
    { name: 'etcd unreachable', cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), { name: 'GRPCUnavailableError' }), code: 503, reason: 'ServiceUnavailable' },
    { name: 'circuit breaker open', cause: Object.assign(new Error('Execution prevented because the circuit breaker is open'), { name: 'BrokenCircuitError' }), code: 503, reason: 'ServiceUnavailable' },
    { name: 'deadline exceeded', cause: Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { name: 'GRPCDeadlineExceededError' }), code: 504, reason: 'Timeout' },
  ];
  for (const tc of cases) {
    it(`maps ${tc.name} to ${tc.code} ${tc.reason} with retryAfterSeconds`, () => {
      const { status, internal } = statusFromError(new StorageUnavailableError(`etcd request failed: ${tc.cause.message}`, { cause: tc.cause }));
      expect(internal).to.equal(false);
      expect(status.code).to.equal(tc.code);
      expect(status.reason).to.equal(tc.reason);
      expect(status.details?.retryAfterSeconds).to.equal(1);
    });
  }
});

describe('API server while etcd is stopped', function () {
  this.timeout(120_000);
  let t: LimitsTestServer;
  let token: string;

  before(async () => {
    t = await startLimitsTestServer({ users: [{ name: 'admin', uid: '1', groups: ['system:masters'] }] });
    token = t.tokens.get('admin')!;
  });
  after(async () => {
    await t?.close();
  });

  const expectRetryable = (r: CallResult, what: string): void => {
    expect(r.status, `${what}: ${r.body}`).to.be.oneOf([503, 504]);
    expect(r.headers['retry-after'], `${what} Retry-After`).to.match(/^\d+$/);
    const st = JSON.parse(r.body) as { kind: string; reason: string };
    expect(st.kind).to.equal('Status');
    expect(st.reason).to.be.oneOf(['ServiceUnavailable', 'Timeout']);
  };

  it('answers 503 with Retry-After while etcd is away, and 200/201 once it is back', async () => {
    expect((await call(t, 'POST', cms, { token, body: { metadata: { name: 'before' } } })).status).to.equal(201);

    await t.stopEtcd();
    const get = await call(t, 'GET', `${cms}/before`, { token });
    const create = await call(t, 'POST', cms, { token, body: { metadata: { name: 'during' } } });
    const update = await call(t, 'PUT', `${cms}/before`, { token, body: { metadata: { name: 'before' }, data: { a: 'b' } } });
    const del = await call(t, 'DELETE', `${cms}/before`, { token });
    print(`      etcd stopped: GET ${get.status} in ${get.ms} ms, POST ${create.status} in ${create.ms} ms, PUT ${update.status} in ${update.ms} ms, DELETE ${del.status} in ${del.ms} ms`);
    expectRetryable(get, 'GET');
    expectRetryable(create, 'POST');
    expectRetryable(update, 'PUT');
    expectRetryable(del, 'DELETE');

    await t.startEtcd();
    const back = Date.now();
    let again = await call(t, 'GET', `${cms}/before`, { token });
    while (again.status !== 200 && Date.now() - back < 30_000) {
      expect(again.status, again.body).to.not.equal(500);
      await sleep(250);
      again = await call(t, 'GET', `${cms}/before`, { token });
    }
    print(`      etcd started again: GET 200 after ${Date.now() - back} ms`);
    expect(again.status).to.equal(200);
    expect((await call(t, 'POST', cms, { token, body: { metadata: { name: 'after' } } })).status).to.equal(201);
    // The watch cache follows again: a cached read sees the new object.
    const deadline = Date.now() + 10_000;
    let cached = await call(t, 'GET', `${cms}/after?resourceVersion=0`, { token });
    while (cached.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      cached = await call(t, 'GET', `${cms}/after?resourceVersion=0`, { token });
    }
    expect(cached.status, cached.body).to.equal(200);
  });

  it('lets the real kubectl ride out an etcd restart: it retries on 503 + Retry-After and succeeds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-kubectl-'));
    try {
      const kubeconfig = path.join(dir, 'kubeconfig');
      fs.writeFileSync(kubeconfig, renderKubeconfig({ server: t.server.url, caPem: t.caPem, token }));
      const bad = path.join(dir, 'bad-kubeconfig');
      fs.writeFileSync(bad, renderKubeconfig({ server: t.server.url, caPem: t.caPem, token: 'not-a-token' }));
      const kubectl = (cfg: string, args: string[]) => runKubectl(cfg, path.join(dir, 'cache'), args, { binary: kubectlBinary(33) });

      const refused = await kubectl(bad, ['get', 'configmaps']).done;
      expect(refused.code).to.not.equal(0);
      expect(refused.stderr, refused.stderr).to.include('You must be logged in to the server');

      expect((await call(t, 'POST', cms, { token, body: { metadata: { name: 'for-kubectl' } } })).status).to.equal(201);
      expect((await kubectl(kubeconfig, ['get', 'configmap', 'for-kubectl', '-o', 'name']).done).stdout.trim()).to.equal('configmap/for-kubectl');
      await t.stopEtcd();
      const started = Date.now();
      const run = kubectl(kubeconfig, ['get', 'configmap', 'for-kubectl', '-o', 'name']);
      await sleep(2_000);
      await t.startEtcd();
      const r = await run.done;
      print(`      kubectl get during an etcd restart (etcd away 2 s): exit ${r.code} after ${Date.now() - started} ms`);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.equal('configmap/for-kubectl');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('API server while etcd hangs (SIGSTOP)', function () {
  this.timeout(60_000);
  const requestTimeoutMs = 3_000;
  let t: LimitsTestServer;
  let token: string;

  before(async () => {
    t = await startLimitsTestServer({ users: [{ name: 'admin', uid: '1', groups: ['system:masters'] }], limits: { requestTimeoutMs } });
    token = t.tokens.get('admin')!;
  });
  after(async () => {
    await t?.close();
  });

  it('answers 504 with Retry-After within the request timeout, and 200 once etcd runs again', async () => {
    expect((await call(t, 'POST', cms, { token, body: { metadata: { name: 'hung' } } })).status).to.equal(201);
    process.kill(t.etcd.pid, 'SIGSTOP');
    let r: CallResult;
    try {
      r = await call(t, 'GET', `${cms}/hung`, { token });
    } finally {
      process.kill(t.etcd.pid, 'SIGCONT');
    }
    print(`      etcd stopped by SIGSTOP: GET ${r.status} after ${r.ms} ms (request timeout ${requestTimeoutMs} ms)`);
    expect(r.status, r.body).to.equal(504);
    expect(r.headers['retry-after']).to.equal('1');
    expect((JSON.parse(r.body) as { reason: string }).reason).to.equal('Timeout');
    expect(r.ms).to.be.below(requestTimeoutMs + 2_000);
    const deadline = Date.now() + 20_000;
    let again = await call(t, 'GET', `${cms}/hung`, { token });
    while (again.status !== 200 && Date.now() < deadline) {
      await sleep(250);
      again = await call(t, 'GET', `${cms}/hung`, { token });
    }
    expect(again.status, again.body).to.equal(200);
  });
});
