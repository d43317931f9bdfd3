// /readyz checks etcd, against a real etcd stopped, hung (SIGSTOP) and started again, read
// by the real kubectl as `get --raw /readyz?verbose`; /livez stays ok throughout, since
// restarting the API server would not bring etcd back.

import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderKubeconfig } from '../../common/kubeconfig.js';
import { kubectlBinary, runKubectl, type KubectlResult } from '../../common/testing/kubectl.js';
import { call, startLimitsTestServer, type CallResult, type LimitsTestServer } from './limitsTestServer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const print = (line: string): void => void process.stdout.write(`${line}\n`);

describe('/readyz, /livez and /healthz with etcd up, stopped, hung and back (real etcd, real kubectl)', function () {
  this.timeout(120_000);
  let t: LimitsTestServer;
  let admin: string;
  let alice: string;
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    t = await startLimitsTestServer({ users: [{ name: 'admin', uid: '1', groups: ['system:masters'] }, { name: 'alice', uid: '2', groups: ['system:authenticated'] }] });
    admin = t.tokens.get('admin')!;
    alice = t.tokens.get('alice')!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-readyz-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, renderKubeconfig({ server: t.server.url, caPem: t.caPem, token: admin }));
  });
  after(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (args: string[]): Promise<KubectlResult> => runKubectl(kubeconfig, path.join(dir, 'cache'), args, { binary: kubectlBinary(33) }).done;
  const get = (p: string, token = admin): Promise<CallResult> => call(t, 'GET', p, { token });
  /** Polls until `p` answers `code`; returns that answer and how long it took. */
  const until = async (p: string, code: number, timeoutMs: number): Promise<{ r: CallResult; ms: number }> => {
    const started = Date.now();
    let r = await get(p);
    while (r.status !== code && Date.now() - started < timeoutMs) {
      await sleep(100);
      r = await get(p);
    }
    expect(r.status, `${p} after ${Date.now() - started} ms: ${r.body}`).to.equal(code);
    return { r, ms: Date.now() - started };
  };

  it('with etcd up: ok, and ?verbose lists the checks as kube-apiserver does', async () => {
    const plain = await kubectl(['get', '--raw', '/readyz']);
    expect(plain.code, plain.stderr).to.equal(0);
    expect(plain.stdout).to.equal('ok');
    const verbose = await kubectl(['get', '--raw', '/readyz?verbose']);
    expect(verbose.stdout).to.equal('[+]ping ok\n[+]etcd ok\nreadyz check passed\n');
    expect((await kubectl(['get', '--raw', '/livez?verbose'])).stdout).to.equal('[+]ping ok\nlivez check passed\n');
    expect((await kubectl(['get', '--raw', '/healthz?verbose'])).stdout).to.equal('[+]ping ok\n[+]etcd ok\nhealthz check passed\n');
    expect((await kubectl(['get', '--raw', '/readyz/etcd'])).stdout).to.equal('ok');
    const r = await get('/readyz?verbose');
    expect(r.headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(r.headers['x-content-type-options']).to.equal('nosniff');
    expect((await get('/readyz/nope')).status).to.equal(404);
  });

  it('any authenticated user reads /readyz; only those allowed every path read the reasons at /readyz/etcd', async () => {
    expect((await get('/readyz?verbose', alice)).status).to.equal(200);
    expect((await get('/readyz/etcd', alice)).status).to.equal(403);
  });

  it('with etcd stopped: /readyz 500 naming etcd (kubectl fails), /readyz/etcd tells why, /livez stays ok; ready again once etcd is back', async () => {
    await t.stopEtcd();
    try {
      const { r, ms } = await until('/readyz', 500, 10_000);
      print(`      etcd stopped: /readyz 500 after ${ms} ms (this answer in ${r.ms} ms)`);
      expect(r.body).to.equal('[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n');
      expect(r.ms, 'the check is bounded').to.be.below(3_000);
      expect((await get('/readyz?verbose')).body).to.include('[-]etcd failed: reason withheld');
      const one = await get('/readyz/etcd');
      expect(one.status).to.equal(500);
      expect(one.body).to.match(/^internal server error: (etcd did not answer within 2s|etcd request failed: .+)\n$/);
      expect((await get('/healthz')).status).to.equal(500);
      const live = await get('/livez');
      expect(live.status).to.equal(200);
      expect(live.body).to.equal('ok');

      const k = await kubectl(['get', '--raw', '/readyz?verbose']);
      print(`      kubectl get --raw /readyz?verbose: exit ${k.code}, ${k.stderr.trim().split('\n').pop()}`);
      expect(k.code).to.not.equal(0);
      expect(k.stderr).to.include('[-]etcd failed: reason withheld');
      expect(k.stderr).to.include('readyz check failed');
      const kl = await kubectl(['get', '--raw', '/livez']);
      expect(kl.code, kl.stderr).to.equal(0);
      expect(kl.stdout).to.equal('ok');
      expect((await kubectl(['get', '--raw', '/readyz?exclude=etcd'])).stdout, 'an excluded check does not count').to.equal('ok');
    } finally {
      await t.startEtcd();
    }
    const { ms } = await until('/readyz', 200, 30_000);
    print(`      etcd started again: /readyz 200 after ${ms} ms`);
    expect((await kubectl(['get', '--raw', '/readyz?verbose'])).stdout).to.equal('[+]ping ok\n[+]etcd ok\nreadyz check passed\n');
  });

  it('with etcd hung (SIGSTOP): /readyz answers 500 within the 2 s bound, /livez at once', async () => {
    await until('/readyz', 200, 30_000);
    process.kill(t.etcd.pid, 'SIGSTOP');
    let ready: CallResult;
    let live: CallResult;
    let one: CallResult;
    try {
      [ready, live, one] = await Promise.all([get('/readyz'), get('/livez'), get('/readyz/etcd')]);
    } finally {
      process.kill(t.etcd.pid, 'SIGCONT');
    }
    print(`      etcd hung: /readyz ${ready.status} in ${ready.ms} ms, /readyz/etcd ${one.status} in ${one.ms} ms, /livez ${live.status} in ${live.ms} ms`);
    expect(ready.status).to.equal(500);
    expect(ready.body).to.include('[-]etcd failed: reason withheld');
    expect(ready.ms).to.be.within(1_800, 3_500);
    expect(one.body).to.equal('internal server error: etcd did not answer within 2s\n');
    expect(live.status).to.equal(200);
    expect(live.ms).to.be.below(1_000);
    await until('/readyz', 200, 30_000);
  });
});
