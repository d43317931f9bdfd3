// The serving limits' flags: kube-apiserver's names, defaults and duration syntax; what
// they cannot mean stops the API server process with exit 2 and the flag named; what they
// ask for is what the running process enforces.

import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { componentCommand } from '../common/proc/components.js';
import { startProcessCluster, type ProcessCluster } from '../common/testing/cluster.js';
import { call, postHead, slowClient, type SlowClient, type Target } from './http/limitsTestServer.js';
import { servingLimits } from './http/servingLimits.js';
import { parseRequestTimeout, servingFlagDefaults, servingLimitsFromFlags, withFlagNames } from './servingFlags.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const print = (line: string): void => void process.stdout.write(`${line}\n`);

describe('serving limit flags', () => {
  describe('--request-timeout', () => {
    const good = [
      { text: '1m0s', ms: 60_000 },
      { text: '60s', ms: 60_000 },
      { text: '90s', ms: 90_000 },
      { text: '2m30s', ms: 150_000 },
      { text: '1.5s', ms: 1_500 },
      { text: '500ms', ms: 500 },
      { text: '1500us', ms: 2 },
      { text: '24h', ms: 86_400_000 },
    ];
    for (const tc of good) it(`reads ${tc.text} as ${tc.ms} ms`, () => expect(parseRequestTimeout(tc.text)).to.equal(tc.ms));

    const bad = [
      { text: '60', says: /invalid duration "60"/ },
      { text: 'abc', says: /invalid duration "abc"/ },
      { text: '1 m', says: /invalid duration/ },
      { text: '', says: /invalid duration/ },
      { text: '0', says: /must be greater than 0/ },
      { text: '0s', says: /must be greater than 0/ },
      { text: '-5s', says: /must be greater than 0/ },
      { text: '25h', says: /must be at most 24h0m0s/ },
    ];
    for (const tc of bad) {
      it(`refuses ${JSON.stringify(tc.text)}, naming the flag`, () => {
        expect(() => parseRequestTimeout(tc.text)).to.throw(/^--request-timeout/);
        expect(() => parseRequestTimeout(tc.text)).to.throw(tc.says);
      });
    }
  });

  it("defaults to kube-apiserver's values, which give the default limits", () => {
    expect(servingFlagDefaults).to.deep.equal({ maxRequestsInflight: 400, maxMutatingRequestsInflight: 200, requestTimeout: '1m0s', maxConnectionsPerSource: 2048 });
    expect(servingLimits(servingLimitsFromFlags(servingFlagDefaults))).to.deep.equal(servingLimits());
  });

  it('sizes both classes from the in-flight flags; 0 stays unlimited', () => {
    const l = servingLimits(servingLimitsFromFlags({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 7, requestTimeout: '5s', maxConnectionsPerSource: 10 }));
    expect(l.inflight).to.deep.equal({ workload: { readonly: 0, mutating: 7 }, system: { readonly: 0, mutating: 7 } });
    expect(l.requestTimeoutMs).to.equal(5_000);
    expect(l.headersTimeoutMs, 'headers arrive within the request timeout').to.equal(5_000);
    expect(l.maxConnectionsPerSource).to.equal(10);
  });

  const renames = [
    { in: 'invalid configuration: maxRequestsInflight must be >= 0', out: 'invalid configuration: --max-requests-inflight must be >= 0' },
    { in: 'maxMutatingRequestsInflight must be integer; maxRequestsInflight must be integer', out: '--max-mutating-requests-inflight must be integer; --max-requests-inflight must be integer' },
    { in: 'unknown setting "maxRequestsInFlight"', out: 'unknown setting "maxRequestsInFlight"' },
  ];
  for (const tc of renames) {
    it(`names flags in "${tc.in}"`, () => expect(withFlagNames(tc.in, ['maxRequestsInflight', 'maxMutatingRequestsInflight'])).to.equal(tc.out));
  }
});

describe('apiserver/main: serving limit flags', function () {
  this.timeout(60_000);
  const base = ['--etcd-endpoints', 'http://127.0.0.1:1', '--tls-cert-file', 'x', '--tls-key-file', 'x', '--token-file', 'x'];
  const cases = [
    { flags: ['--max-requests-inflight', '-1'], says: /--max-requests-inflight must be >= 0/ },
    { flags: ['--max-requests-inflight=many'], says: /--max-requests-inflight must be integer/ },
    { flags: ['--max-mutating-requests-inflight', '2.5'], says: /--max-mutating-requests-inflight must be integer/ },
    { flags: ['--request-timeout', '60'], says: /--request-timeout: invalid duration "60"/ },
    { flags: ['--request-timeout=0s'], says: /--request-timeout must be greater than 0/ },
    { flags: ['--max-connections-per-source', '-3'], says: /--max-connections-per-source must be >= 0/ },
  ];
  for (const tc of cases) {
    it(`refuses ${tc.flags.join(' ')} (exit 2, the flag named)`, async () => {
      const { command, args } = componentCommand('apiserver/main');
      const child = spawn(command, [...args, ...base, ...tc.flags], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).to.equal(2);
      expect(stderr).to.match(/^gantry-apiserver: /);
      expect(stderr).to.match(tc.says);
    });
  }
});

describe('apiserver/main: the running process enforces --request-timeout and --max-mutating-requests-inflight', function () {
  this.timeout(120_000);
  let c: ProcessCluster;
  let target: Target;
  const clients: SlowClient[] = [];
  const cms = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    c = await startProcessCluster({ apiServerFlags: ['--request-timeout', '3s', '--max-mutating-requests-inflight', '1'] });
    target = { port: Number(new URL(c.access.server).port), caPem: c.access.caPem };
  });
  after(async () => {
    for (const s of clients) s.stop();
    await c?.close();
  });

  it('one trickled create holds the only mutating seat (429 for the next), and is cut with 504 after 3 s', async () => {
    const token = c.access.token!;
    const trickler = slowClient(target, postHead(cms, 1_000_000, token), { everyMs: 200 });
    clients.push(trickler);
    let refused = await call(target, 'POST', cms, { token, body: { metadata: { name: 'second' } } });
    const deadline = Date.now() + 2_000;
    while (refused.status !== 429 && Date.now() < deadline) {
      await sleep(50);
      refused = await call(target, 'POST', cms, { token, body: { metadata: { name: `second-${Date.now()}` } } });
    }
    expect(refused.status, refused.body).to.equal(429);
    // Reads have their own budget.
    expect((await call(target, 'GET', cms, { token })).status).to.equal(200);
    const ms = await trickler.closed;
    print(`      trickled create: "${trickler.answer.split('\r\n')[0]}" after ${ms} ms (--request-timeout 3s)`);
    expect(trickler.answer).to.match(/^HTTP\/1\.1 504 /);
    expect(ms).to.be.within(2_800, 6_000);
    const created = await call(target, 'POST', cms, { token, body: { metadata: { name: 'after' } } });
    expect(created.status, created.body).to.equal(201);
  });
});
