// exec and attach over SPDY, attach over websockets, and port-forward over SPDY, through the
// agent server to the fake runtime (real TCP for port-forward), with a client that speaks
// SPDY as kubectl's spdystream does. kubectl itself drives these in e2e/streams.test.ts.

import { expect } from 'chai';
import net from 'node:net';
import { Readable } from 'node:stream';
import { Channel } from './execProtocol.js';
import type { ClientStream, SpdyTestClient } from './spdy/spdyTestClient.js';
import { openExec, openSpdy, startTestServer, waitFor, type TestServer } from './serverTestKit.js';

async function readAll(stream: Readable): Promise<string> {
  let s = '';
  for await (const c of stream) s += String(c);
  return s;
}

async function spdy(t: TestServer, path: string, protocols: string[]): Promise<{ client: SpdyTestClient; protocol: string | undefined }> {
  const got = await openSpdy(t.port, path, protocols);
  if (got.kind !== 'open') throw new Error(`refused: ${got.status} ${got.body}`);
  return got;
}

const allFinished = (streams: ClientStream[]): boolean => streams.every((s) => s.fin || s.reset !== undefined);

describe('agent server: exec and attach over SPDY/3.1', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ streamCreationTimeoutMs: 500 });
    t.locator.set('default', 'web', 'app', { containerId: 'ce', logPath: '/nonexistent', running: true });
  });
  afterEach(() => t.close());

  it('v4: stdin in, stdout and stderr out, the exit code as a Status on the error stream, then GOAWAY', async () => {
    t.runtime.program = async (p) => {
      const input = await readAll(p.stdin);
      p.stdout.write(input.toUpperCase());
      p.stderr.write('warned\n');
      return 3;
    };
    const { client, protocol } = await spdy(t, '/exec/default/web/app?command=sh&command=-c&command=x&stdin=1&stdout=1&stderr=1', ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']);
    expect(protocol).to.equal('v4.channel.k8s.io');
    const error = client.open({ streamType: 'error' });
    client.fin(error.id);
    const stdin = client.open({ streamType: 'stdin' });
    const stdout = client.open({ streamType: 'stdout' });
    client.fin(stdout.id);
    const stderr = client.open({ streamType: 'stderr' });
    client.fin(stderr.id);
    client.send(stdin.id, 'hello ');
    client.send(stdin.id, 'spdy', true);
    await waitFor('every stream to end', () => allFinished([error, stdout, stderr]));
    expect(stdout.text()).to.equal('HELLO SPDY');
    expect(stderr.text()).to.equal('warned\n');
    expect(JSON.parse(error.text())).to.deep.equal({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c x], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    await waitFor('GOAWAY', () => client.goAways.length === 1);
    expect([error, stdin, stdout, stderr].every((s) => s.replied)).to.equal(true);
  });

  it('v2: only a failure\'s message on the error stream, nothing on success', async () => {
    for (const code of [0, 2]) {
      t.runtime.program = async () => code;
      const { client, protocol } = await spdy(t, '/exec/default/web/app?command=false&stdout=1', ['v2.channel.k8s.io', 'channel.k8s.io']);
      expect(protocol).to.equal('v2.channel.k8s.io');
      const error = client.open({ streamType: 'error' });
      const stdout = client.open({ streamType: 'stdout' });
      await waitFor('the end', () => allFinished([error, stdout]));
      expect(error.text()).to.equal(code === 0 ? '' : 'command terminated with non-zero exit code: error executing command [false], exit code 2');
    }
  });

  it('tty: resizes arrive as JSON lines on the resize stream, even split across frames', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    t.runtime.program = async () => {
      await released;
      return 0;
    };
    const { client } = await spdy(t, '/exec/default/web/app?command=sh&stdin=1&stdout=1&stderr=1&tty=1', ['v4.channel.k8s.io']);
    const error = client.open({ streamType: 'error' });
    client.open({ streamType: 'stdin' });
    const stdout = client.open({ streamType: 'stdout' });
    const resize = client.open({ streamType: 'resize' });
    client.send(resize.id, '{"Width":80,"Height":24}\n{"Width":1');
    client.send(resize.id, '00,"Height":40}\nnot json\n');
    await waitFor('two resizes', () => (t.runtime.processes[0]?.resizes.length ?? 0) === 2);
    expect(t.runtime.processes[0]!.resizes).to.deep.equal([
      { width: 80, height: 24 },
      { width: 100, height: 40 },
    ]);
    // tty merges stderr into stdout: no stderr stream was expected.
    expect(t.runtime.processes[0]!.req.stderr).to.equal(false);
    release();
    await waitFor('the end', () => allFinished([error, stdout]));
    expect(JSON.parse(error.text())).to.deep.equal({ metadata: {}, status: 'Success' });
  });

  it('refuses streams nobody asked for and goes on with the rest', async () => {
    t.runtime.program = async (p) => {
      p.stdout.write('ok');
      return 0;
    };
    const { client } = await spdy(t, '/exec/default/web/app?command=ls&stdout=1', ['v4.channel.k8s.io']);
    const error = client.open({ streamType: 'error' });
    const bogus = client.open({ streamType: 'stdin' });
    const unnamed = client.open({});
    const stdout = client.open({ streamType: 'stdout' });
    await waitFor('the end', () => allFinished([error, stdout]));
    expect(bogus.reset).to.equal(3);
    expect(unnamed.reset).to.equal(3);
    expect(stdout.text()).to.equal('ok');
  });

  it('gives up on a client that never opens its streams, without starting anything', async () => {
    const { client } = await spdy(t, '/exec/default/web/app?command=ls&stdout=1', ['v4.channel.k8s.io']);
    client.open({ streamType: 'error' });
    await waitFor('the connection to close', () => client.closed, 3000);
    expect(t.runtime.processes).to.have.length(0);
  });

  it('kills the command when the client goes away', async () => {
    t.runtime.program = async (p) => {
      await p.killed;
      return 137;
    };
    const { client } = await spdy(t, '/exec/default/web/app?command=sleep&stdout=1', ['v4.channel.k8s.io']);
    client.open({ streamType: 'error' });
    client.open({ streamType: 'stdout' });
    await waitFor('the process', () => t.runtime.processes.length === 1);
    client.socket.destroy();
    await waitFor('the kill', () => t.runtime.kills.length === 1);
  });

  it('attach over SPDY joins the container\'s stdio and reports Success when it ends', async () => {
    t.runtime.attachProgram = async (p) => {
      p.stdout.write(`got:${await readAll(p.stdin)}`);
      return 0;
    };
    const { client } = await spdy(t, '/attach/default/web/app?stdin=1&stdout=1', ['v4.channel.k8s.io']);
    const error = client.open({ streamType: 'error' });
    const stdin = client.open({ streamType: 'stdin' });
    const stdout = client.open({ streamType: 'stdout' });
    client.send(stdin.id, 'line\n', true);
    await waitFor('the end', () => allFinished([error, stdout]));
    expect(stdout.text()).to.equal('got:line\n');
    expect(JSON.parse(error.text())).to.deep.equal({ metadata: {}, status: 'Success' });
    expect(t.runtime.attachments[0]!.req).to.include({ stdin: true, stdout: true, stderr: false, tty: false });
    expect(t.runtime.processes).to.have.length(0);
  });

  it('attach over a websocket (v5), and a client that leaves detaches rather than kills', async () => {
    t.runtime.attachProgram = async (p) => {
      p.stdout.write('attached\n');
      await p.killed;
      return 0;
    };
    const got = await openExec(t.port, '/attach/default/web/app?stdout=1&stderr=1');
    if (got.kind !== 'open') throw new Error(`refused: ${got.body}`);
    await waitFor('output', () => got.exec.text(Channel.stdout) === 'attached\n');
    got.exec.ws.close();
    await waitFor('the detach', () => t.runtime.detaches.length === 1);
    expect(t.runtime.detaches).to.deep.equal(['ce']);
  });

  const refusals: { name: string; path: string; protocols: string[]; code: number; message: RegExp }[] = [
    { name: 'only stream protocols we do not speak', path: '/exec/default/web/app?command=ls&stdout=1', protocols: ['channel.k8s.io'], code: 400, message: /supported: v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io/ },
    { name: 'port-forward protocols for exec', path: '/exec/default/web/app?command=ls&stdout=1', protocols: ['portforward.k8s.io'], code: 400, message: /none of the requested stream protocols/ },
    { name: 'attach without a stream', path: '/attach/default/web/app', protocols: ['v4.channel.k8s.io'], code: 400, message: /at least 1 of stdin, stdout, stderr/ },
    { name: 'attach to an unknown container', path: '/attach/default/web/nope?stdout=1', protocols: ['v4.channel.k8s.io'], code: 404, message: /not found/ },
  ];
  for (const tc of refusals) {
    it(`refuses ${tc.name} with ${tc.code} before upgrading`, async () => {
      const got = await openSpdy(t.port, tc.path, tc.protocols);
      expect(got.kind).to.equal('refused');
      if (got.kind !== 'refused') return;
      expect(got.status).to.equal(tc.code);
      expect((JSON.parse(got.body) as { message: string }).message).to.match(tc.message);
    });
  }
});

describe('agent server: port-forward over SPDY/3.1', () => {
  let t: TestServer;
  let echo: net.Server;
  let echoPort: number;
  beforeEach(async () => {
    t = await startTestServer();
    t.runtime.sandboxes.push(
      { id: 'old', metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 }, state: 'SANDBOX_NOTREADY', createdAt: 1, labels: { 'io.kubernetes.pod.uid': 'u1', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default' }, annotations: {} },
      { id: 'sb1', metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 1 }, state: 'SANDBOX_READY', createdAt: 2, labels: { 'io.kubernetes.pod.uid': 'u1', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default' }, annotations: {} },
    );
    // An echo server that answers "echo:" + what it got, then closes when the client does.
    echo = net.createServer((c) => {
      c.write('echo:');
      c.pipe(c);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as net.AddressInfo).port;
    t.runtime.forwardedPorts.set(8080, echoPort);
  });
  afterEach(async () => {
    await t.close();
    await new Promise((r) => echo.close(r));
  });

  it('carries many connections at once, each a pair of streams, into the ready sandbox', async () => {
    const { client, protocol } = await spdy(t, '/portForward/default/web/u1', ['portforward.k8s.io']);
    expect(protocol).to.equal('portforward.k8s.io');
    const conns = [0, 1, 2, 3, 4].map((i) => {
      const error = client.open({ streamType: 'error', port: '8080', requestID: String(i) });
      client.fin(error.id);
      const data = client.open({ streamType: 'data', port: '8080', requestID: String(i) });
      return { i, error, data };
    });
    for (const c of conns) client.send(c.data.id, `hello ${c.i}`, true);
    await waitFor('every connection to end', () => conns.every((c) => c.data.fin && c.error.fin));
    for (const c of conns) {
      expect(c.data.text()).to.equal(`echo:hello ${c.i}`);
      expect(c.error.text()).to.equal('');
    }
    expect(t.runtime.dials).to.deep.equal(conns.map(() => ({ sandboxId: 'sb1', port: 8080 })));
  });

  it('serves more connections over one session than it may hold open at once', async function () {
    this.timeout(20_000);
    const { client } = await spdy(t, '/portForward/default/web', ['portforward.k8s.io']);
    // 260 pairs are 520 streams, over the session's limit of 512 open ones: finished pairs must be let go.
    for (let i = 0; i < 260; i++) {
      const error = client.open({ streamType: 'error', port: '8080', requestID: String(i) });
      client.fin(error.id);
      const data = client.open({ streamType: 'data', port: '8080', requestID: String(i) });
      client.send(data.id, `n${i}`, true);
      await waitFor(`connection ${i}`, () => data.fin && error.fin);
      expect(data.text()).to.equal(`echo:n${i}`);
      expect(data.reset).to.equal(undefined);
    }
  });

  it('writes why a connection failed on its error stream, as the kubelet words it', async () => {
    const { client } = await spdy(t, '/portForward/default/web', ['portforward.k8s.io']);
    const error = client.open({ streamType: 'error', port: '9', requestID: '0' });
    const data = client.open({ streamType: 'data', port: '9', requestID: '0' });
    await waitFor('the end', () => error.fin && data.fin);
    expect(error.text()).to.equal('error forwarding port 9 to pod default/web, uid : failed to connect to localhost:9 inside namespace "sb1", IPv4: dial tcp4 127.0.0.1:9: connect: connection refused');
    // The session goes on: another connection works.
    const e2 = client.open({ streamType: 'error', port: '8080', requestID: '1' });
    const d2 = client.open({ streamType: 'data', port: '8080', requestID: '1' });
    client.send(d2.id, 'again', true);
    await waitFor('the second', () => d2.fin && e2.fin);
    expect(d2.text()).to.equal('echo:again');
  });

  it('closes the TCP connection when the client resets the data stream', async () => {
    const closed: Promise<void> = new Promise((resolve) => echo.once('connection', (c) => c.on('close', () => resolve())));
    const { client } = await spdy(t, '/portForward/default/web', ['portforward.k8s.io']);
    client.open({ streamType: 'error', port: '8080', requestID: '7' });
    const data = client.open({ streamType: 'data', port: '8080', requestID: '7' });
    await waitFor('the greeting', () => data.text() === 'echo:');
    client.reset(data.id);
    await closed;
  });

  const badStreams: { name: string; headers: Record<string, string> }[] = [
    { name: 'no port', headers: { streamType: 'data', requestID: '1' } },
    { name: 'port 0', headers: { streamType: 'data', port: '0', requestID: '1' } },
    { name: 'port 70000', headers: { streamType: 'data', port: '70000', requestID: '1' } },
    { name: 'a port that is not a number', headers: { streamType: 'data', port: '80a', requestID: '1' } },
    { name: 'no requestID', headers: { streamType: 'error', port: '80' } },
    { name: 'an unknown streamType', headers: { streamType: 'stdin', port: '80', requestID: '1' } },
  ];
  for (const tc of badStreams) {
    it(`resets a stream with ${tc.name}`, async () => {
      const { client } = await spdy(t, '/portForward/default/web', ['portforward.k8s.io']);
      const s = client.open(tc.headers);
      await waitFor('the reset', () => s.reset !== undefined);
      expect(s.reset).to.equal(1);
      expect(t.runtime.dials).to.have.length(0);
    });
  }

  const refusals: { name: string; path: string; protocols: string[]; code: number; message: RegExp }[] = [
    { name: 'a pod without a sandbox', path: '/portForward/default/other', protocols: ['portforward.k8s.io'], code: 404, message: /not found/ },
    { name: 'exec protocols', path: '/portForward/default/web', protocols: ['v4.channel.k8s.io'], code: 400, message: /supported: portforward.k8s.io/ },
  ];
  for (const tc of refusals) {
    it(`refuses ${tc.name} with ${tc.code} before upgrading`, async () => {
      const got = await openSpdy(t.port, tc.path, tc.protocols);
      expect(got.kind).to.equal('refused');
      if (got.kind !== 'refused') return;
      expect(got.status).to.equal(tc.code);
      expect((JSON.parse(got.body) as { message: string }).message).to.match(tc.message);
    });
  }
});
