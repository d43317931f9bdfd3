// Hostile and broken input through HTTPS against a real API server (hardening.md, "API
// input"): every case must get a clear 4xx Status quickly, never a 500, and the server
// must stay healthy afterwards. Watches that clients abandon must leave nothing behind.

import { expect } from 'chai';
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Status } from '../common/api/meta.js';
import type { RestResponse } from '../common/client/restClient.js';
import { startTestCluster, type TestCluster } from './testing/harness.js';

const ns = 'hardening';
const cmPath = (name?: string): string => `/api/v1/namespaces/${ns}/configmaps${name ? '/' + name : ''}`;
const podPath = `/api/v1/namespaces/${ns}/pods`;
const deployPath = (name?: string): string => `/apis/apps/v1/namespaces/${ns}/deployments${name ? '/' + name : ''}`;

/** `[[[...]]]`, n deep. */
const nestedArrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);
/** `{"a":{"a":...1}}`, n deep. */
const nestedObjects = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const configMapWith = (name: string, field: string, raw: string): string => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"${field}":${raw}}`;

/** A "billion laughs" YAML document: nine levels of nine aliases, ~387 million nodes when expanded. */
function aliasBomb(prefix: string): string {
  const names = 'abcdefghi';
  const lines = [`${prefix}`, `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1]!;
    lines.push(`${names[i]!}: &${names[i]!} [${Array(9).fill('*' + prev).join(',')}]`);
  }
  return lines.join('\n') + '\n';
}

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  query?: Record<string, string>;
  code: number;
  reason: string;
  /** Field paths that must each appear in details.causes. */
  fields?: string[];
}

const cases: Case[] = [
  // Deep nesting: JSON.parse copes with any depth, so every later recursive step
  // (copying, validation, serialisation) must be protected by a depth limit at decode time.
  { name: 'a body of 100,000 nested JSON arrays', method: 'POST', path: cmPath(), body: nestedArrays(100_000), code: 400, reason: 'BadRequest' },
  { name: '100,000 nested JSON arrays in a ConfigMap\'s data', method: 'POST', path: cmPath(), body: configMapWith('deep-data', 'data', nestedArrays(100_000)), code: 400, reason: 'BadRequest' },
  { name: '100,000 nested JSON objects in an unknown field', method: 'POST', path: cmPath(), body: configMapWith('deep-unknown', 'bogus', nestedObjects(100_000)), code: 400, reason: 'BadRequest' },
  { name: '100,000 nested JSON objects in metadata.annotations', method: 'POST', path: cmPath(), body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep-ann","annotations":${nestedObjects(100_000)}}}`, code: 400, reason: 'BadRequest' },
  { name: '100,000 nested JSON objects in a PUT body', method: 'PUT', path: cmPath('target'), body: configMapWith('target', 'data', nestedObjects(100_000)), code: 400, reason: 'BadRequest' },
  // A DELETE whose options cannot be decoded must not delete anything.
  { name: '100,000 nested JSON objects in DeleteOptions', method: 'DELETE', path: cmPath('keep-me'), body: `{"preconditions":${nestedObjects(100_000)}}`, code: 400, reason: 'BadRequest' },
  { name: 'a body of 100,000 nested YAML flow sequences', method: 'POST', path: cmPath(), body: nestedArrays(100_000), contentType: 'application/yaml', code: 400, reason: 'BadRequest' },
  { name: '100,000 nested YAML flow sequences in a field', method: 'POST', path: cmPath(), body: configMapWith('deep-yaml', 'data', nestedArrays(100_000)), contentType: 'application/yaml', code: 400, reason: 'BadRequest' },

  // Alias bombs (CVE-2019-11253): cheap to parse, explosive to walk.
  { name: 'a YAML alias bomb as a create body', method: 'POST', path: cmPath(), body: aliasBomb('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}'), contentType: 'application/yaml', code: 400, reason: 'BadRequest' },
  { name: 'a YAML alias bomb as a server-side apply body', method: 'PATCH', path: cmPath('target'), body: aliasBomb('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: target}'), contentType: 'application/apply-patch+yaml', query: { fieldManager: 'bomber' }, code: 400, reason: 'BadRequest' },

  // Patches (CVE-2019-1002100): bounded operation counts and nesting.
  {
    name: 'a JSON patch with 20,000 operations',
    method: 'PATCH',
    path: cmPath('target'),
    body: JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ op: 'add', path: `/data/k${i}`, value: 'v' }))),
    contentType: 'application/json-patch+json',
    code: 413,
    reason: 'RequestEntityTooLarge',
  },
  { name: 'a JSON patch whose value is nested 100,000 deep', method: 'PATCH', path: cmPath('target'), body: `[{"op":"add","path":"/data/x","value":${nestedObjects(100_000)}}]`, contentType: 'application/json-patch+json', code: 400, reason: 'BadRequest' },
  { name: 'a strategic merge patch nested 10,000 deep', method: 'PATCH', path: deployPath('target'), body: `{"spec":{"template":{"metadata":{"labels":${nestedObjects(10_000)}}}}}`, contentType: 'application/strategic-merge-patch+json', code: 400, reason: 'BadRequest' },
  { name: 'a strategic merge patch with lists nested 10,000 deep', method: 'PATCH', path: deployPath('target'), body: `{"spec":{"template":{"spec":{"containers":[{"name":"c","args":${nestedArrays(10_000)}}]}}}}`, contentType: 'application/strategic-merge-patch+json', code: 400, reason: 'BadRequest' },
  { name: 'a merge patch nested 10,000 deep', method: 'PATCH', path: cmPath('target'), body: `{"metadata":{"labels":${nestedObjects(10_000)}}}`, contentType: 'application/merge-patch+json', code: 400, reason: 'BadRequest' },

  // Wrong types and invalid values: 422 Invalid naming every field.
  {
    name: 'a pod with wrong types everywhere',
    method: 'POST',
    path: podPath,
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'typed', labels: 'x', annotations: { a: 1 } },
      spec: {
        containers: [{ name: 5, image: true, ports: [{ containerPort: '80' }], env: 'A=1' }],
        restartPolicy: 7,
        terminationGracePeriodSeconds: 'soon',
        nodeSelector: [],
      },
    }),
    code: 422,
    reason: 'Invalid',
    fields: [
      'metadata.labels',
      'metadata.annotations[a]',
      'spec.containers[0].name',
      'spec.containers[0].image',
      'spec.containers[0].ports[0].containerPort',
      'spec.containers[0].env',
      'spec.restartPolicy',
      'spec.terminationGracePeriodSeconds',
      'spec.nodeSelector',
    ],
  },
  { name: 'an invalid metadata.name', method: 'POST', path: cmPath(), body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid!' } }), code: 422, reason: 'Invalid', fields: ['metadata.name'] },
  { name: 'a metadata.name over 253 characters', method: 'POST', path: cmPath(), body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a'.repeat(254) } }), code: 422, reason: 'Invalid', fields: ['metadata.name'] },

  // Query parameters.
  { name: 'an unterminated set in a label selector', method: 'GET', path: cmPath(), query: { labelSelector: 'a in (b' }, code: 400, reason: 'BadRequest' },
  { name: 'a label selector with two operators', method: 'GET', path: cmPath(), query: { labelSelector: 'a=b=c' }, code: 400, reason: 'BadRequest' },
  { name: 'a label selector with an empty key', method: 'GET', path: cmPath(), query: { labelSelector: '=x' }, code: 400, reason: 'BadRequest' },
  { name: 'a field selector without an operator', method: 'GET', path: cmPath(), query: { fieldSelector: 'metadata.name' }, code: 400, reason: 'BadRequest' },
  { name: 'a non-numeric resourceVersion on a list', method: 'GET', path: cmPath(), query: { resourceVersion: 'abc' }, code: 400, reason: 'BadRequest' },
  { name: 'a negative resourceVersion on a list', method: 'GET', path: cmPath(), query: { resourceVersion: '-1' }, code: 400, reason: 'BadRequest' },
  // Kubernetes validates ListOptions and answers 422 Invalid (kind ListOptions) naming the field.
  { name: 'an unknown resourceVersionMatch on a list', method: 'GET', path: cmPath(), query: { resourceVersion: '0', resourceVersionMatch: 'Bogus' }, code: 422, reason: 'Invalid', fields: ['resourceVersionMatch'] },
  { name: 'a non-numeric limit', method: 'GET', path: cmPath(), query: { limit: 'ten' }, code: 400, reason: 'BadRequest' },

  // Paths that do not exist.
  { name: 'an unknown resource in a known group version', method: 'GET', path: `/api/v1/namespaces/${ns}/widgets`, code: 404, reason: 'NotFound' },
  { name: 'an unknown group', method: 'GET', path: '/apis/nope.example.com/v1/things', code: 404, reason: 'NotFound' },
  { name: 'an unknown version of a known group', method: 'GET', path: '/apis/apps/v9/deployments', code: 404, reason: 'NotFound' },
  { name: 'a path outside the API', method: 'GET', path: '/totally/unknown', code: 404, reason: 'NotFound' },
];

function expectStatus(r: RestResponse<Status>, code: number, reason: string): void {
  expect(r.status, r.text.slice(0, 500)).to.equal(code);
  expect(r.headers['content-type']).to.contain('application/json');
  expect(r.body, r.text.slice(0, 500)).to.include({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  expect(r.body.message).to.be.a('string').and.not.equal('');
}

interface RawAnswer {
  status: number;
  body: Status | undefined;
  text: string;
}

describe('API server hardening: bad input through HTTPS', function () {
  this.timeout(60_000);
  let c: TestCluster;

  const expectHealthy = async (): Promise<void> => {
    const ready = await c.client.get('/readyz', { timeoutMs: 2_000 });
    expect(ready.status).to.equal(200);
    const list = await c.client.get(cmPath(), { timeoutMs: 2_000 });
    expect(list.status).to.equal(200);
  };

  /** One request on its own connection, with headers we choose (including lying ones). */
  const rawRequest = (opts: { method: string; path: string; headers: Record<string, string>; write?: string; destroyAfterMs?: number }): Promise<RawAnswer | 'destroyed'> =>
    new Promise((resolve, reject) => {
      const url = new URL(opts.path, c.access.server);
      const req = https.request(url, { method: opts.method, ca: c.access.caPem, agent: false, headers: { Authorization: `Bearer ${c.access.token}`, Accept: 'application/json', ...opts.headers } }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        const done = (): void => {
          const text = Buffer.concat(chunks).toString();
          let body: Status | undefined;
          try {
            body = JSON.parse(text) as Status;
          } catch {
            body = undefined;
          }
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body, text });
        };
        res.on('end', done);
        res.on('error', done);
      });
      req.on('error', (e) => (opts.destroyAfterMs !== undefined ? resolve('destroyed') : reject(e)));
      // The body is never ended: the declared length stays a lie.
      req.flushHeaders();
      if (opts.write) req.write(opts.write);
      if (opts.destroyAfterMs !== undefined) setTimeout(() => req.destroy(), opts.destroyAfterMs);
    });

  before(async () => {
    c = await startTestCluster();
    const mk = async (path: string, body: unknown): Promise<void> => {
      const r = await c.client.request('POST', path, { body });
      expect(r.status, r.text).to.equal(201);
    };
    await mk('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await mk(cmPath(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target' }, data: { a: '1' } });
    await mk(cmPath(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep-me' }, data: { a: '1' } });
    await mk(deployPath(), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'target' },
      spec: { replicas: 1, selector: { matchLabels: { app: 't' } }, template: { metadata: { labels: { app: 't' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
  });
  after(async () => {
    await c?.close();
  });

  describe('requests answered with a 4xx Status', () => {
    for (const tc of cases) {
      it(`${tc.name} -> ${tc.code} ${tc.reason}`, async () => {
        const started = Date.now();
        const r = await c.client.request<Status>(tc.method, tc.path, {
          ...(tc.body !== undefined ? { body: tc.body } : {}),
          ...(tc.contentType ? { contentType: tc.contentType } : {}),
          ...(tc.query ? { query: tc.query } : {}),
          timeoutMs: 10_000,
        });
        const elapsed = Date.now() - started;
        expectStatus(r, tc.code, tc.reason);
        expect(elapsed, 'milliseconds to answer').to.be.below(2_000);
        if (tc.fields) {
          const fields = (r.body.details?.causes ?? []).map((x) => x.field);
          for (const f of tc.fields) expect(fields, `causes name ${f}`).to.include(f);
        }
        await expectHealthy();
      });
    }

    it('nothing those requests sent was stored or changed', async () => {
      const list = await c.client.get<{ items: { metadata: { name: string } }[] }>(cmPath());
      expect(list.body.items.map((i) => i.metadata.name)).to.deep.equal(['keep-me', 'target']);
      const target = await c.client.get<{ data: Record<string, string>; metadata: { labels?: unknown } }>(cmPath('target'));
      expect(target.body.data).to.deep.equal({ a: '1' });
      expect(target.body.metadata.labels).to.equal(undefined);
      expect((await c.client.get(`${podPath}/typed`)).status).to.equal(404);
    });
  });

  describe('Content-Length lies', () => {
    it('a declared length over 3 MiB with a small body -> 413 at once, before the body arrives', async () => {
      const started = Date.now();
      const r = await rawRequest({ method: 'POST', path: cmPath(), headers: { 'Content-Type': 'application/json', 'Content-Length': String(4 * 1024 * 1024) }, write: '{"apiVersion":"v1"' });
      expect(r).to.not.equal('destroyed');
      const a = r as RawAnswer;
      expect(a.status, a.text).to.equal(413);
      expect(a.body).to.include({ kind: 'Status', code: 413, reason: 'RequestEntityTooLarge' });
      expect(Date.now() - started).to.be.below(2_000);
      await expectHealthy();
    });

    it('a declared length shorter than the body -> only the declared bytes are decoded (400), the rest is not run as a request', async () => {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'short-length' }, data: { a: '1' } });
      const u = new URL(c.access.server);
      const socket = tls.connect({ host: u.hostname, port: Number(u.port), ca: c.access.caPem, servername: 'localhost' });
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString()));
      const closed = new Promise<void>((r) => socket.on('close', () => r()));
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('secureConnect', r));
      // Headers and the declared 20 bytes first; the rest only after the answer, so it can only
      // be read as the start of a next request.
      socket.write(`POST ${cmPath()} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${c.access.token}\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n${body.slice(0, 20)}`);
      const deadline = Date.now() + 2_000;
      const complete = (): boolean => {
        const head = received.indexOf('\r\n\r\n');
        const len = /content-length: (\d+)/i.exec(received);
        return head >= 0 && !!len && received.length - head - 4 >= Number(len[1]);
      };
      while (!complete()) {
        if (Date.now() > deadline) throw new Error(`no complete answer to the truncated body: ${JSON.stringify(received)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(received).to.match(/^HTTP\/1\.1 400 /);
      const status = JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)) as Status;
      expect(status).to.include({ kind: 'Status', code: 400, reason: 'BadRequest' });
      socket.write(body.slice(20));
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
      socket.destroy();
      expect((await c.client.get(cmPath('short-length'))).status).to.equal(404);
      await expectHealthy();
    });

    it('a declared length longer than the body, then a hang-up -> nothing stored, server healthy', async () => {
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'long-length' }, data: { a: '1' } });
      const r = await rawRequest({ method: 'POST', path: cmPath(), headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length + 100) }, write: body, destroyAfterMs: 200 });
      expect(r).to.equal('destroyed');
      await new Promise((res) => setTimeout(res, 100));
      expect((await c.client.get(cmPath('long-length'))).status).to.equal(404);
      await expectHealthy();
    });
  });

  describe('invalid resourceVersion on a watch', () => {
    it('is refused with a 400 Status (as the response or as an ERROR event), and no watcher stays', async () => {
      const before = c.server.cache.watcherCount();
      const events: { type: string; object: Record<string, unknown> }[] = [];
      const started = Date.now();
      const w = c.client.watch(cmPath(), { resourceVersion: 'abc', timeoutSeconds: 10 }, (ev) => events.push(ev));
      const status = await w.done;
      expect(Date.now() - started).to.be.below(2_000);
      if (status === 200) {
        expect(events).to.have.length(1);
        expect(events[0]!.type).to.equal('ERROR');
        expect(events[0]!.object).to.include({ kind: 'Status', code: 400, reason: 'BadRequest' });
      } else {
        expect(status).to.equal(400);
      }
      expect(c.server.cache.watcherCount()).to.equal(before);
    });
  });

  describe('abandoned watches', () => {
    const waitForWatchers = async (n: number, timeoutMs = 5_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (c.server.cache.watcherCount() !== n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} watchers, have ${c.server.cache.watcherCount()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    const disconnects = [
      { name: 'sends the request and hangs up at once', query: '', afterHeaders: false },
      { name: 'hangs up right after the response headers', query: '', afterHeaders: true },
      { name: 'hangs up after the headers of a watch from a resourceVersion with a selector', query: '&resourceVersion=1&labelSelector=a%3Db', afterHeaders: true, fromCurrent: true },
      { name: 'hangs up after the headers of a Table watch', query: '', afterHeaders: true, table: true },
    ];
    for (const tc of disconnects) {
      it(`a client that ${tc.name} leaves no watcher behind`, async () => {
        const before = c.server.cache.watcherCount();
        let query = tc.query;
        if (tc.fromCurrent) {
          const list = await c.client.get<{ metadata: { resourceVersion: string } }>(cmPath());
          query = query.replace('resourceVersion=1', `resourceVersion=${list.body.metadata.resourceVersion}`);
        }
        const url = new URL(`${cmPath()}?watch=true${query}`, c.access.server);
        const accept = tc.table ? 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' : 'application/json';
        if (!tc.afterHeaders) {
          // The request bytes and the hang-up leave together: the server sees both at once.
          const socket = tls.connect({ host: url.hostname, port: Number(url.port), ca: c.access.caPem, servername: 'localhost' });
          socket.on('error', () => undefined);
          await new Promise((r) => socket.once('secureConnect', r));
          const request = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${c.access.token}\r\nAccept: ${accept}\r\n\r\n`;
          await new Promise<void>((r) => socket.write(request, () => r()));
          socket.destroy();
        } else {
          await new Promise<void>((resolve, reject) => {
            const req = https.request(url, { ca: c.access.caPem, agent: false, headers: { Authorization: `Bearer ${c.access.token}`, Accept: accept } });
            req.on('error', () => resolve());
            req.on('response', (res: IncomingMessage) => {
              req.destroy();
              if (res.statusCode === 200) resolve();
              else reject(new Error(`watch answered ${res.statusCode ?? 0}`));
            });
            req.end();
          });
        }
        await waitForWatchers(before);
        await expectHealthy();
      });
    }

    it('1,000 concurrent watches opened and closed leave no watcher behind', async function () {
      this.timeout(40_000);
      const before = c.server.cache.watcherCount();
      const agent = new https.Agent({ ca: c.access.caPem, keepAlive: false, maxSockets: Infinity });
      const reqs: ReturnType<typeof https.request>[] = [];
      const opened = await Promise.allSettled(
        Array.from({ length: 1_000 }, (_, i) =>
          new Promise<void>((resolve, reject) => {
            const path = i % 2 ? `${cmPath()}?watch=true` : `/api/v1/namespaces?watch=true&labelSelector=n%3D${i}`;
            const req = https.request(new URL(path, c.access.server), { agent, headers: { Authorization: `Bearer ${c.access.token}` } }, (res) => {
              res.resume();
              if (res.statusCode === 200) resolve();
              else reject(new Error(`watch ${i}: HTTP ${res.statusCode ?? 0}`));
            });
            req.on('error', reject);
            reqs.push(req);
            req.end();
          }),
        ),
      );
      const failed = opened.filter((o) => o.status === 'rejected');
      expect(failed, String((failed[0] as PromiseRejectedResult | undefined)?.reason)).to.have.length(0);
      await waitForWatchers(before + 1_000);
      for (const r of reqs) r.destroy();
      agent.destroy();
      await waitForWatchers(before, 10_000);
      await expectHealthy();
      // Watches still work after the storm.
      const seen: string[] = [];
      const w = c.client.watch(cmPath(), { timeoutSeconds: 5 }, (ev) => {
        seen.push(`${ev.type}:${(ev.object.metadata as { name: string }).name}`);
        if (seen.includes('ADDED:after-storm')) w.stop();
      });
      await waitForWatchers(before + 1);
      const created = await c.client.request('POST', cmPath(), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-storm' } } });
      expect(created.status).to.equal(201);
      await w.done;
      expect(seen).to.include('ADDED:after-storm');
      await waitForWatchers(before);
    });
  });
});
