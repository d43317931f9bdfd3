// Slow and greedy clients against a real API server (real etcd): tricklers are cut off
// within the limits while others are answered promptly; a flood from one identity gets
// 429 while a node's Lease still renews; one user flooding a class holds only its share,
// so another user of the class is still answered; one source cannot hold every connection.
// Timings are printed; the behaviour is asserted.

import { expect } from 'chai';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { defaultRules } from '../auth/authorizer.js';
import type { UserInfo } from '../auth/tokens.js';
import { call, postHead, slowClient, startLimitsTestServer, type LimitsTestServer, type SlowClient } from './limitsTestServer.js';

const users: UserInfo[] = [
  { name: 'admin', uid: '1', groups: ['system:masters'] },
  { name: 'flooder', uid: '2', groups: ['system:authenticated'] },
  { name: 'alice', uid: '4', groups: ['system:authenticated'] },
  { name: 'bob', uid: '5', groups: ['system:authenticated'] },
  { name: 'system:node:n1', uid: '3', groups: ['system:nodes', 'system:authenticated'] },
];
const rules = [...defaultRules, ...['flooder', 'alice', 'bob'].map((subject) => ({ subject, verbs: '*' as const, resources: ['/configmaps'] }))];
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
    // The budgets alone here: no per-user share, no waiting (the next describe has those).
    const limits = { requestTimeoutMs: 20_000, inflight: { workload: { readonly: 3, mutating: 3 } }, fairness: { maxSeatsPerUserPercent: 100, queueLengthPerUser: 0 } };
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
  describe('fairness among the users of one class', () => {
    // Four mutating seats for ordinary clients: one user may hold two, and have three waiting.
    const limits = { requestTimeoutMs: 12_000, inflight: { workload: { readonly: 4, mutating: 4 } }, fairness: { queueLengthPerUser: 3 } };
    let t: LimitsTestServer;
    const holders: SlowClient[] = [];

    before(async () => {
      t = await startLimitsTestServer({ users, rules, limits });
    });
    after(async () => {
      for (const c of holders) c.stop();
      await t?.close();
    });

    it('one user flooding with slow creates holds only its share; another user of the same class is answered at once, the flood gets 429', async () => {
      const flooder = t.tokens.get('flooder')!;
      const alice = t.tokens.get('alice')!;
      const started = Date.now();
      // Creates whose bodies never finish: each holds a seat until the request timeout.
      const flood = Array.from({ length: 10 }, () => slowClient(t, postHead(cms, 1_000_000, flooder), { everyMs: 200 }));
      holders.push(...flood);
      // The five beyond share and queue are refused at once.
      const deadline = Date.now() + 5_000;
      while (flood.filter((c) => c.answer.startsWith('HTTP/1.1 429')).length < 5 && Date.now() < deadline) await sleep(50);
      const refusedAtOnce = flood.filter((c) => c.answer.startsWith('HTTP/1.1 429'));
      expect(refusedAtOnce, 'refused at once (2 seats + 3 waiting of 10)').to.have.length(5);
      expect(refusedAtOnce[0]!.answer).to.match(/Retry-After: 1\r\n/i);

      const created = await call(t, 'POST', cms, { token: alice, body: { metadata: { name: 'alice-during-flood' } } });
      const listed = await call(t, 'GET', cms, { token: alice });
      print(`      flooder: 10 trickled creates, ${refusedAtOnce.length} refused 429 within ${Date.now() - started} ms; alice meanwhile: create ${created.status} in ${created.ms} ms, list ${listed.status} in ${listed.ms} ms`);
      expect(created.status, created.body).to.equal(201);
      expect(created.ms, 'alice did not wait for the flood').to.be.below(2_000);
      expect(listed.status).to.equal(200);

      // The three waiting get their 429 after a quarter of the request timeout; nobody else got their seats.
      const waited = Date.now();
      while (flood.filter((c) => c.answer.startsWith('HTTP/1.1 429')).length < 8 && Date.now() - waited < 8_000) await sleep(100);
      print(`      the flooder's 3 waiting creates refused ${Date.now() - started} ms after the flood began (wait limit ${limits.requestTimeoutMs / 4} ms)`);
      expect(flood.filter((c) => c.answer.startsWith('HTTP/1.1 429'))).to.have.length(8);
      expect(Date.now() - started).to.be.at.least(limits.requestTimeoutMs / 4 - 500);
    });

    it('with every seat held, a waiting user is served as soon as one frees, ahead of the flooder who queued first but holds its share', async () => {
      for (const c of holders.splice(0)) c.stop();
      const flooder = t.tokens.get('flooder')!;
      const bob = t.tokens.get('bob')!;
      const alice = t.tokens.get('alice')!;
      // Two users, two seats each: all four seats held, and the flooder has more waiting.
      const seats = [...Array.from({ length: 2 }, () => slowClient(t, postHead(cms, 1_000_000, flooder), { everyMs: 200 })), ...Array.from({ length: 2 }, () => slowClient(t, postHead(cms, 1_000_000, bob), { everyMs: 200 }))];
      holders.push(...seats);
      await sleep(500);
      const waiting = Array.from({ length: 3 }, (_, i) => call(t, 'POST', cms, { token: flooder, body: { metadata: { name: `flood-wait-${i}` } } }));
      await sleep(300);
      const aliceCreate = call(t, 'POST', cms, { token: alice, body: { metadata: { name: 'alice-waited' } } });
      await sleep(300);
      // One of bob's seats frees: alice's turn, though the flooder queued first (it holds its two already).
      const freedAt = Date.now();
      seats[2]!.stop();
      const a = await aliceCreate;
      print(`      all 4 seats held, flooder 3 waiting: alice's create ${a.status} ${Date.now() - freedAt} ms after a seat freed`);
      expect(a.status, a.body).to.equal(201);
      expect(Date.now() - freedAt).to.be.below(2_000);
      for (const c of holders.splice(0)) c.stop();
      const after = await Promise.all(waiting);
      expect(after.map((r) => r.status).every((code) => code === 201 || code === 429), after.map((r) => r.status).join(',')).to.equal(true);
    });
  });
  describe('fairness among the users of one class: slow readers of a large list', () => {
    const limits = { requestTimeoutMs: 15_000, inflight: { workload: { readonly: 4, mutating: 4 } }, fairness: { queueLengthPerUser: 3 } };
    const big = '/api/v1/namespaces/big/configmaps';
    let t: LimitsTestServer;
    const readers: tls.TLSSocket[] = [];

    before(async function () {
      this.timeout(120_000);
      t = await startLimitsTestServer({ users, rules, limits });
      const admin = t.tokens.get('admin')!;
      expect((await call(t, 'POST', '/api/v1/namespaces', { token: admin, body: { metadata: { name: 'big' } } })).status).to.equal(201);
      // 800 ConfigMaps of 24 KiB: a list of them is a 20 MB answer, more than loopback's socket buffers hold.
      const data = { blob: 'x'.repeat(24 * 1024) };
      for (let i = 0; i < 800; i += 20) {
        const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => call(t, 'POST', big, { token: admin, body: { metadata: { name: `big-${i + j}` }, data } })));
        expect(batch.every((r) => r.status === 201), batch.map((r) => r.status).join(',')).to.equal(true);
      }
    });
    after(async () => {
      for (const r of readers) r.destroy();
      await t?.close();
    });

    /** Asks for the whole list and never reads the answer: the response cannot finish, so the request holds its seat. */
    const slowReader = (token: string): tls.TLSSocket => {
      const s = tls.connect({ host: '127.0.0.1', port: t.port, ca: t.caPem, servername: 'localhost' });
      s.on('secureConnect', () => s.write(`GET ${big} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nAccept: application/json\r\n\r\n`));
      s.on('error', () => undefined);
      readers.push(s);
      return s;
    };

    it("one user's slow readers of a 20 MB list hold two seats and fill its queue; another user's list is answered meanwhile", async () => {
      const flooder = t.tokens.get('flooder')!;
      const alice = t.tokens.get('alice')!;
      for (let i = 0; i < 8; i++) slowReader(flooder);
      // Wait until the flooder's queue is full: its next list is refused at once.
      const deadline = Date.now() + 10_000;
      let probe = await call(t, 'GET', `${big}?limit=1`, { token: flooder });
      while (probe.status !== 429 && Date.now() < deadline) {
        await sleep(100);
        probe = await call(t, 'GET', `${big}?limit=1`, { token: flooder });
      }
      expect(probe.status, 'the flooder is refused').to.equal(429);
      expect(probe.headers['retry-after']).to.equal('1');
      const list = await call(t, 'GET', `${big}?limit=5`, { token: alice });
      print(`      8 slow readers of a 20 MB list from one user (budget 4): its next list ${probe.status}; alice's list meanwhile ${list.status} in ${list.ms} ms`);
      expect(list.status, list.body).to.equal(200);
      expect(list.ms).to.be.below(3_000);
    });
  });
});
