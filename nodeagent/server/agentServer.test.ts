import { expect } from 'chai';
import { get, openExec, request, startTestServer, testPki, type TestServer } from './serverTestKit.js';

describe('agent server: TLS, who may call, routing', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    t.locator.set('default', 'web', 'app', { containerId: 'c1', logPath: '/nonexistent/0.log', running: true });
  });
  after(() => t.close());

  const refusedAtTls: { name: string; identity: () => ReturnType<typeof testPki>['apiServer'] | undefined }[] = [
    { name: 'no client certificate', identity: () => undefined },
    { name: 'a certificate from a CA the agent does not trust', identity: () => testPki().stranger },
  ];
  for (const tc of refusedAtTls) {
    it(`refuses ${tc.name} at the TLS handshake`, async () => {
      let failure: unknown;
      try {
        const res = await request(t.port, '/healthz', { identity: tc.identity() });
        res.resume();
        throw new Error(`answered ${String(res.statusCode)}`);
      } catch (e) {
        failure = e;
      }
      expect(failure).to.be.instanceOf(Error);
      // An alert (certificate required / unknown CA) or the connection cut during the handshake.
      expect((failure as Error & { code?: string }).code).to.match(/^(ERR_SSL_|ECONNRESET|EPIPE)/);
    });
  }

  it('refuses a client certificate with another name: 403 Status', async () => {
    const res = await get(t.port, '/healthz', { identity: testPki().wrongName });
    expect(res.status).to.equal(403);
    expect(res.contentType).to.equal('application/json');
    const status = JSON.parse(res.body) as Record<string, unknown>;
    expect(status).to.include({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 });
    expect(status.message).to.contain('system:node:node-b');
  });

  it('refuses a websocket upgrade from another name: 403 Status', async () => {
    const got = await openExec(t.port, '/exec/default/web/app?command=ls&stdout=1', { identity: testPki().wrongName });
    expect(got.kind).to.equal('refused');
    if (got.kind !== 'refused') return;
    expect(got.status).to.equal(403);
    expect(JSON.parse(got.body)).to.include({ kind: 'Status', reason: 'Forbidden' });
  });

  it('answers /healthz', async () => {
    const res = await get(t.port, '/healthz');
    expect(res).to.include({ status: 200, body: 'ok' });
  });

  const statuses: { name: string; path: string; method?: string; code: number; reason: string; message?: RegExp }[] = [
    { name: 'an unknown path', path: '/metrics', code: 404, reason: 'NotFound' },
    { name: 'a logs path without a container', path: '/containerLogs/default/web', code: 404, reason: 'NotFound' },
    { name: 'another method', path: '/containerLogs/default/web/app', method: 'POST', code: 405, reason: 'MethodNotAllowed' },
    { name: 'exec without an upgrade', path: '/exec/default/web/app?command=ls&stdout=1', code: 400, reason: 'BadRequest', message: /Upgrade request required/ },
    { name: 'a malformed path segment', path: '/containerLogs/default/%E0%A4%A/app', code: 400, reason: 'BadRequest' },
  ];
  for (const tc of statuses) {
    it(`answers ${tc.name} with ${tc.code} ${tc.reason}`, async () => {
      const res = await get(t.port, tc.path, { method: tc.method ?? 'GET' });
      expect(res.status).to.equal(tc.code);
      const status = JSON.parse(res.body) as Record<string, unknown>;
      expect(status).to.include({ kind: 'Status', reason: tc.reason, code: tc.code });
      if (tc.message) expect(status.message).to.match(tc.message);
      expect(res.body).to.not.match(/\bat .*\.ts:\d+/);
    });
  }

  it('hides internal failures behind a 500 Status without details', async () => {
    const s = await startTestServer();
    try {
      s.locator.locate = () => Promise.reject(new Error('disk on fire at /var/lib/secret'));
      const res = await get(s.port, '/containerLogs/default/web/app');
      expect(res.status).to.equal(500);
      const status = JSON.parse(res.body) as Record<string, unknown>;
      expect(status).to.include({ kind: 'Status', reason: 'InternalError', code: 500 });
      expect(res.body).to.not.contain('disk on fire');
    } finally {
      await s.close();
    }
  });

  it('closes with requests in flight, and refuses connections afterwards', async () => {
    const s = await startTestServer();
    s.runtime.states.set('c1', 'CONTAINER_RUNNING');
    s.runtime.program = (p) => p.killed.then(() => 137);
    s.locator.set('default', 'web', 'app', { containerId: 'c1', logPath: '/nonexistent', running: true });
    const got = await openExec(s.port, '/exec/default/web/app?command=sleep&stdout=1');
    expect(got.kind).to.equal('open');
    await s.close();
    if (got.kind === 'open') await got.exec.closed;
    expect(s.runtime.kills).to.deep.equal(['c1']);
    let failed = false;
    await request(s.port, '/healthz').catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});
