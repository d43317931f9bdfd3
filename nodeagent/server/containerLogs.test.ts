import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatCriLogLine } from '../runtime/logs/criLog.js';
import { get, readBody, request, startTestServer, waitFor, type TestServer } from './serverTestKit.js';

const t0 = Date.parse('2024-01-01T00:00:00Z');
const line = (sec: number, stream: 'stdout' | 'stderr', text: string, partial = false): Buffer => formatCriLogLine(new Date(t0 + sec * 1000), stream, text, partial);

describe('agent server: container logs', () => {
  let t: TestServer;
  let dir: string;
  let current: string;
  before(async () => {
    t = await startTestServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-agent-logs-'));
    current = path.join(dir, '1.log');
    fs.writeFileSync(current, Buffer.concat([line(1, 'stdout', 'one'), line(2, 'stderr', 'two'), line(3, 'stdout', 'thr', true), line(3, 'stdout', 'ee'), line(4, 'stdout', 'four')]));
    const previous = path.join(dir, '0.log');
    fs.writeFileSync(previous, Buffer.concat([line(0, 'stdout', 'before the restart'), line(0, 'stderr', 'crashed')]));
    t.locator.set('default', 'web', 'app', { containerId: 'c1', logPath: current, running: false });
    t.locator.set('default', 'web', 'app', { containerId: 'c0', logPath: previous, running: false }, { previous: true });
    t.locator.set('default', 'web', 'nolog', { containerId: 'c9', logPath: path.join(dir, 'missing.log'), running: true });
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const base = '/containerLogs/default/web/app';
  const cases: { name: string; query: string; want: string }[] = [
    { name: 'everything', query: '', want: 'one\ntwo\nthree\nfour\n' },
    // Lines of the file, as the kubelet counts them: a partial chunk counts as one.
    { name: 'tail', query: 'tailLines=3', want: 'three\nfour\n' },
    { name: 'tail into a partial line', query: 'tailLines=2', want: 'ee\nfour\n' },
    { name: 'tail 0', query: 'tailLines=0', want: '' },
    { name: 'timestamps', query: 'tailLines=1&timestamps=true', want: '2024-01-01T00:00:04.000000000Z four\n' },
    { name: 'limitBytes', query: 'limitBytes=6', want: 'one\ntw' },
    { name: 'sinceTime', query: 'sinceTime=2024-01-01T00:00:03Z', want: 'three\nfour\n' },
    { name: 'stream Stderr', query: 'stream=Stderr', want: 'two\n' },
    { name: 'previous instance', query: 'previous=true', want: 'before the restart\ncrashed\n' },
    { name: 'follow on an exited container returns what is there', query: 'follow=true&tailLines=1', want: 'four\n' },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const res = await get(t.port, `${base}?${tc.query}`);
      expect(res.status).to.equal(200);
      expect(res.contentType).to.match(/^text\/plain/);
      expect(res.body).to.equal(tc.want);
    });
  }

  const refusals: { name: string; path: string; code: number; reason: string; message: RegExp }[] = [
    { name: 'negative tailLines', path: `${base}?tailLines=-5`, code: 400, reason: 'BadRequest', message: /tailLines: Invalid value: "-5": must be greater than or equal to 0/ },
    { name: 'a bad sinceTime', path: `${base}?sinceTime=2024-13-45`, code: 400, reason: 'BadRequest', message: /sinceTime: .*RFC 3339/ },
    { name: 'both since parameters', path: `${base}?sinceSeconds=10&sinceTime=2024-01-01T00:00:00Z`, code: 400, reason: 'BadRequest', message: /at most one of `sinceTime` or `sinceSeconds`/ },
    { name: 'zero limitBytes', path: `${base}?limitBytes=0`, code: 400, reason: 'BadRequest', message: /limitBytes/ },
    { name: 'an unknown container', path: '/containerLogs/default/web/sidecar', code: 404, reason: 'NotFound', message: /not found/ },
    { name: 'no previous instance', path: '/containerLogs/default/web/nolog?previous=1', code: 404, reason: 'NotFound', message: /not found/ },
    { name: 'a missing log file', path: '/containerLogs/default/web/nolog', code: 404, reason: 'NotFound', message: /no log file for container "nolog" in pod "default\/web"/ },
  ];
  for (const tc of refusals) {
    it(`refuses ${tc.name} with ${tc.code}`, async () => {
      const res = await get(t.port, tc.path);
      expect(res.status).to.equal(tc.code);
      const status = JSON.parse(res.body) as Record<string, unknown>;
      expect(status).to.include({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: tc.reason, code: tc.code });
      expect(status.message).to.match(tc.message);
    });
  }

  it('sinceSeconds counts back from now', async () => {
    const file = path.join(dir, 'recent.log');
    fs.writeFileSync(file, Buffer.concat([formatCriLogLine(new Date(Date.now() - 120_000), 'stdout', 'old'), formatCriLogLine(new Date(Date.now() - 1000), 'stdout', 'new')]));
    t.locator.set('default', 'recent', 'app', { containerId: 'c2', logPath: file, running: false });
    const res = await get(t.port, '/containerLogs/default/recent/app?sinceSeconds=60');
    expect(res.body).to.equal('new\n');
  });

  describe('following', () => {
    let file: string;
    beforeEach(() => {
      file = path.join(dir, `follow-${Date.now()}.log`);
      fs.writeFileSync(file, line(1, 'stdout', 'first'));
      t.runtime.states.set('cf', 'CONTAINER_RUNNING');
      t.locator.set('default', 'follow', 'app', { containerId: 'cf', logPath: file, running: true });
    });

    it('streams a line appended later and ends when the container stops', async () => {
      const res = await request(t.port, '/containerLogs/default/follow/app?follow=true');
      expect(res.statusCode).to.equal(200);
      let received = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (received += c));
      const ended = new Promise<void>((resolve) => res.on('end', resolve));
      await waitFor('the first line', () => received === 'first\n');
      fs.appendFileSync(file, line(2, 'stdout', 'second'));
      await waitFor('the appended line', () => received === 'first\nsecond\n');
      // Written just before the container stops: the reader's last pass still picks it up.
      fs.appendFileSync(file, line(3, 'stderr', 'last words'));
      t.runtime.states.set('cf', 'CONTAINER_EXITED');
      await ended;
      expect(received).to.equal('first\nsecond\nlast words\n');
    });

    it('ends when the container is removed', async () => {
      const res = await request(t.port, '/containerLogs/default/follow/app?follow=1');
      const body = readBody(res);
      t.runtime.states.delete('cf');
      expect(await body).to.equal('first\n');
    });

    it('stops reading and asking the runtime once the client goes away', async () => {
      const res = await request(t.port, '/containerLogs/default/follow/app?follow=true');
      let received = '';
      res.on('data', (c: Buffer) => (received += c.toString()));
      await waitFor('the first line', () => received === 'first\n');
      const callsBefore = t.runtime.statusCalls;
      await waitFor('the follower to check on the container', () => t.runtime.statusCalls > callsBefore, 3000);
      res.destroy();
      // Let the server notice, then make sure nothing keeps polling.
      await new Promise((r) => setTimeout(r, 300));
      const callsAfterClose = t.runtime.statusCalls;
      await new Promise((r) => setTimeout(r, 1200));
      expect(t.runtime.statusCalls).to.equal(callsAfterClose);
    });

    it('honours limitBytes while following', async () => {
      const res = await request(t.port, '/containerLogs/default/follow/app?follow=true&limitBytes=9');
      const body = readBody(res);
      fs.appendFileSync(file, line(2, 'stdout', 'second'));
      expect(await body).to.equal('first\nsec');
    });
  });
});
