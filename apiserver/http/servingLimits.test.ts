// Slow and greedy clients against a real API server (real etcd): tricklers are cut off
// within the limits while others are answered promptly; a flood from one identity gets
// 429 while a node's Lease still renews; one source cannot hold every connection.
// Timings are printed; the behaviour is asserted.

import { expect } from 'chai';
import https from 'node:https';
import net from 'node:net';
import { defaultRules } from '../auth/authorizer.js';
import type { UserInfo } from '../auth/tokens.js';
import { call, postHead, slowClient, startLimitsTestServer, type LimitsTestServer, type SlowClient } from './limitsTestServer.js';

const users: UserInfo[] = [
  { name: 'admin', uid: '1', groups: ['system:masters'] },
  { name: 'flooder', uid: '2', groups: ['system:authenticated'] },
  { name: 'system:node:n1', uid: '3', groups: ['system:nodes', 'system:authenticated'] },
];
const rules = [...defaultRules, { subject: 'flooder', verbs: '*' as const, resources: ['/configmaps'] }];
const cms = '/api/v1/namespaces/default/configmaps';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Timings for the reader of the test run; not asserted beyond the limits. */
const print = (line: string): void => void process.stdout.write(`${line}\n`);

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `min ${s[0]} ms, median ${s[Math.floor(s.length / 2)]} ms, max ${s[s.length - 1]} ms`;
}

describe('serving limits: slow and greedy clients', function () {
  this.timeout(120_000);

  describe('timeouts and refusing strangers', () => {
    const limits = { requestTimeoutMs: 2_000, headersTimeoutMs: 2_000, handshakeTimeoutMs: 2_000, connectionsCheckIntervalMs: 250, maxConnectionsPerSource: 300 };
    let t: LimitsTestServer;
    let token: string;
    const clients: SlowClient[] = [];

    before(async () => {
      t = await startLimitsTestServer({ users, rules, limits });
      token = t.tokens.get('admin')!;
    });
    afterEach(() => {
      for (const c of clients.splice(0)) c.stop();
    });
    after(async () => {
      await t?.close();
    });

    it('answers 200 unauthenticated tricklers 401 and closes them all, while an authenticated client is answered promptly', async () => {
      const started = Date.now();
      // Their own source address, so the per-source cap (300) is not what stops them.
      const tricklers = Array.from({ length: 200 }, () => slowClient(t, postHead(cms, 1_000_000), { localAddress: '127.0.0.2' }));
      // And some that never finish their headers: the header timeout closes them.
      const headerTricklers = Array.from({ length: 20 }, () => slowClient(t, 'GET /api/v1/namespaces HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', { localAddress: '127.0.0.2' }));
      clients.push(...tricklers, ...headerTricklers);

      await sleep(300);
      const list = await call(t, 'GET', cms, { token });
      const create = await call(t, 'POST', cms, { token, body: { metadata: { name: 'while-trickled' }, data: { a: 'b' } } });
      print(`      authenticated client meanwhile: list ${list.status} in ${list.ms} ms, create ${create.status} in ${create.ms} ms`);
      expect(list.status).to.equal(200);
      expect(create.status).to.equal(201);
      expect(list.ms + create.ms, 'the authenticated client waited').to.be.below(3_000);

      const closed = await Promise.all(tricklers.map((c) => c.closed));
      print(`      200 unauthenticated body tricklers closed ${Date.now() - started} ms after the first connect; per client from connect: ${summary(closed)}`);
      for (const c of tricklers) expect(c.answer).to.match(/^HTTP\/1\.1 401 /);
      expect(Math.max(...closed), 'slowest trickler closed after').to.be.below(8_000);

      const headerClosed = await Promise.all(headerTricklers.map((c) => c.closed));
      print(`      20 header tricklers closed (header timeout ${limits.headersTimeoutMs} ms): ${summary(headerClosed)}`);
      expect(Math.min(...headerClosed), 'a header trickler cut before the header timeout').to.be.at.least(limits.headersTimeoutMs - 500);
      expect(Math.max(...headerClosed)).to.be.below(limits.headersTimeoutMs + 4_000);
    });

    it('cuts an authenticated client trickling its body with a timeout and closes its connection', async () => {
      const c = slowClient(t, postHead(cms, 1_000_000, token));
      clients.push(c);
      const ms = await c.closed;
      print(`      authenticated body trickler: "${c.answer.split('\r\n')[0]}" and closed after ${ms} ms (request timeout ${limits.requestTimeoutMs} ms)`);
      expect(c.answer).to.match(/^HTTP\/1\.1 (504|408) /);
      if (c.answer.startsWith('HTTP/1.1 504')) expect(c.answer).to.include('Connection: close');
      expect(ms).to.be.at.least(limits.requestTimeoutMs - 200);
      expect(ms).to.be.below(limits.requestTimeoutMs + 3_000);
    });

    it('does not cut a watch that outlives the request timeout', async () => {
      const events: string[] = [];
      let ended = false;
      const req = https.get({ host: '127.0.0.1', port: t.port, path: `${cms}?watch=true&resourceVersion=0`, ca: t.caPem, agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        expect(res.statusCode).to.equal(200);
        res.setEncoding('utf8');
        res.on('data', (d: string) => events.push(...d.split('\n').filter((l) => l.includes('"ADDED"')).map((l) => (JSON.parse(l) as { object: { metadata: { name: string } } }).object.metadata.name)));
        res.on('close', () => (ended = true));
      });
      req.on('error', () => undefined);
      try {
        await sleep(limits.requestTimeoutMs + 1_500);
        const created = await call(t, 'POST', cms, { token, body: { metadata: { name: 'after-timeout' } } });
        expect(created.status).to.equal(201);
        const deadline = Date.now() + 5_000;
        while (!events.includes('after-timeout') && Date.now() < deadline) await sleep(50);
        expect(ended, 'watch ended').to.equal(false);
        expect(events).to.include('after-timeout');
      } finally {
        req.destroy();
      }
    });

    it('closes connections beyond the per-source cap at once, and unfinished handshakes after the handshake timeout', async () => {
      const sockets = Array.from({ length: 310 }, () => net.connect({ host: '127.0.0.1', port: t.port, localAddress: '127.0.0.3' }));
      const started = Date.now();
      const closedAt = sockets.map((s) => new Promise<number>((r) => {
        s.on('error', () => undefined);
        s.once('close', () => r(Date.now() - started));
      }));
      try {
        await sleep(700);
        const early = (await Promise.all(closedAt.map((p) => Promise.race([p, sleep(0).then(() => -1)])))).filter((ms) => ms >= 0);
        // Another source is not affected.
        const other = await call(t, 'GET', '/api/v1/namespaces', { token });
        print(`      310 silent connections from 127.0.0.3 (cap 300): ${early.length} closed within 700 ms; another source answered ${other.status} in ${other.ms} ms`);
        expect(early.length).to.equal(10);
        expect(other.status).to.equal(200);
        const all = await Promise.all(closedAt);
        print(`      the other 300 (no TLS handshake) closed after ${summary(all.filter((ms) => ms >= 700))}`);
        expect(Math.max(...all)).to.be.below(limits.handshakeTimeoutMs + 4_000);
      } finally {
        for (const s of sockets) s.destroy();
      }
    });
  });

  describe('in-flight budgets', () => {
    // Three mutating requests in flight for ordinary clients; the system's budget is the default.
    const limits = { requestTimeoutMs: 20_000, inflight: { workload: { readonly: 3, mutating: 3 } } };
    let t: LimitsTestServer;
    const holders: SlowClient[] = [];

    before(async () => {
      t = await startLimitsTestServer({ users, rules, limits });
    });
    after(async () => {
      for (const c of holders) c.stop();
      await t?.close();
    });

    it('answers a flood from one identity beyond its budget 429 with Retry-After, while a node renews its Lease', async () => {
      const flooder = t.tokens.get('flooder')!;
      const node = t.tokens.get('system:node:n1')!;
      // Requests whose bodies never finish hold the flooder's class budget.
      for (let i = 0; i < 3; i++) holders.push(slowClient(t, postHead(cms, 1_000_000, flooder), { everyMs: 200 }));
      const deadline = Date.now() + 10_000;
      let probe = await call(t, 'GET', '/version', { token: flooder });
      // Wait until all three are admitted: a fourth mutating request is refused.
      let refused = await call(t, 'POST', cms, { token: flooder, body: { metadata: { name: 'probe' } } });
      while (refused.status !== 429 && Date.now() < deadline) {
        await sleep(100);
        refused = await call(t, 'POST', cms, { token: flooder, body: { metadata: { name: `probe-${Date.now()}` } } });
      }
      expect(refused.status).to.equal(429);

      const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => call(t, 'POST', cms, { token: flooder, body: { metadata: { name: `flood-${i}` } } })));
      const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace(/\.\d+Z$/, '.000000Z') } };
      const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
      const created = await call(t, 'POST', leases, { token: node, body: lease });
      const renewed = await call(t, 'PUT', `${leases}/n1`, { token: node, body: { ...lease, metadata: { ...lease.metadata, resourceVersion: (JSON.parse(created.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion } } });
      probe = await call(t, 'GET', cms, { token: t.tokens.get('admin')! });
      const codes = flood.map((r) => r.status);
      print(`      flood of 30 creates: ${codes.filter((c) => c === 429).length}x 429; node Lease create ${created.status} in ${created.ms} ms, renew ${renewed.status} in ${renewed.ms} ms; admin list ${probe.status}`);
      expect(codes.every((c) => c === 429), `codes ${codes.join(',')}`).to.equal(true);
      const st = JSON.parse(flood[0]!.body) as { reason: string; code: number; details?: { retryAfterSeconds?: number } };
      expect(st.reason).to.equal('TooManyRequests');
      expect(st.details?.retryAfterSeconds).to.equal(1);
      expect(flood[0]!.headers['retry-after']).to.equal('1');
      expect(created.status, created.body).to.equal(201);
      expect(renewed.status, renewed.body).to.equal(200);
      expect(probe.status).to.equal(200);

      // Reads have their own budget: the flooder can still read.
      expect((await call(t, 'GET', cms, { token: flooder })).status).to.equal(200);

      // The holders gone, their slots come back.
      for (const c of holders.splice(0)) c.stop();
      let after = await call(t, 'POST', cms, { token: flooder, body: { metadata: { name: 'after-flood' } } });
      const until = Date.now() + 5_000;
      while (after.status === 429 && Date.now() < until) {
        await sleep(100);
        after = await call(t, 'POST', cms, { token: flooder, body: { metadata: { name: 'after-flood' } } });
      }
      expect(after.status, after.body).to.equal(201);
    });
  });
});
