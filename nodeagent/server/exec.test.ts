import { expect } from 'chai';
import { Readable } from 'node:stream';
import { Channel } from './execProtocol.js';
import { openExec, startTestServer, waitFor, type OpenExec, type TestServer } from './serverTestKit.js';

const success = { metadata: {}, status: 'Success' };

async function open(t: TestServer, query: string, opts: Parameters<typeof openExec>[2] = {}): Promise<OpenExec> {
  const got = await openExec(t.port, `/exec/default/web/app?${query}`, opts);
  if (got.kind !== 'open') throw new Error(`refused: ${got.status} ${got.body}`);
  return got.exec;
}

function statusOf(exec: OpenExec): unknown {
  const msgs = exec.messages.filter((m) => m.channel === Channel.error);
  expect(msgs, 'one Status on the error channel').to.have.length(1);
  return JSON.parse(msgs[0]!.data.toString());
}

async function readAll(stream: Readable): Promise<string> {
  let s = '';
  for await (const c of stream) s += String(c);
  return s;
}

describe('agent server: exec over websockets', () => {
  let t: TestServer;
  const start = async (pingIntervalMs?: number): Promise<void> => {
    t = await startTestServer(pingIntervalMs ? { pingIntervalMs } : {});
    t.locator.set('default', 'web', 'app', { containerId: 'ce', logPath: '/nonexistent', running: true });
    t.locator.set('default', 'web', 'done', { containerId: 'cd', logPath: '/nonexistent', running: false });
  };
  beforeEach(() => start());
  afterEach(() => t.close());

  it('streams stdout and stderr, then a Success Status and a normal close', async () => {
    t.runtime.program = async (p) => {
      p.stdout.write('out 1\n');
      p.stderr.write('err 1\n');
      p.stdout.write('out 2\n');
      return 0;
    };
    const exec = await open(t, 'command=sh&command=-c&command=echo&stdout=true&stderr=true');
    expect(exec.protocol).to.equal('v5.channel.k8s.io');
    expect(await exec.closed).to.equal(1000);
    expect(exec.text(Channel.stdout)).to.equal('out 1\nout 2\n');
    expect(exec.text(Channel.stderr)).to.equal('err 1\n');
    expect(statusOf(exec)).to.deep.equal(success);
    // The Status comes after all the output.
    expect(exec.messages.at(-1)!.channel).to.equal(Channel.error);
    expect(t.runtime.processes[0]!.req).to.deep.equal({ cmd: ['sh', '-c', 'echo'], tty: false, stdin: false, stdout: true, stderr: true });
    expect(t.runtime.processes[0]!.containerId).to.equal('ce');
  });

  it('passes stdin through and closes it on [255, 0] (v5)', async () => {
    t.runtime.program = async (p) => {
      p.stdout.write((await readAll(p.stdin)).toUpperCase());
      return 0;
    };
    const exec = await open(t, 'command=cat&stdin=1&stdout=1');
    exec.send(Channel.stdin, 'hello ');
    exec.send(Channel.stdin, 'world');
    exec.ws.send(Buffer.from([Channel.close, Channel.stdin]));
    expect(await exec.closed).to.equal(1000);
    expect(exec.text(Channel.stdout)).to.equal('HELLO WORLD');
    expect(statusOf(exec)).to.deep.equal(success);
  });

  it('reports a non-zero exit as a Failure Status with an ExitCode cause', async () => {
    t.runtime.program = async (p) => {
      p.stderr.write('boom\n');
      return 3;
    };
    const exec = await open(t, 'command=sh&command=-c&command=exit+3&stdout=1&stderr=1');
    expect(await exec.closed).to.equal(1000);
    expect(exec.text(Channel.stderr)).to.equal('boom\n');
    expect(statusOf(exec)).to.deep.equal({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('forwards resizes to the session', async () => {
    t.runtime.program = async (p) => {
      await waitFor('two resizes', () => p.resizes.length === 2);
      p.stdout.write(JSON.stringify(p.resizes));
      return 0;
    };
    const exec = await open(t, 'command=sh&stdin=1&stdout=1&tty=1');
    exec.send(Channel.resize, JSON.stringify({ Width: 80, Height: 24 }));
    exec.send(Channel.resize, 'garbage');
    exec.send(Channel.resize, JSON.stringify({ Width: 132, Height: 50 }));
    await exec.closed;
    expect(JSON.parse(exec.text(Channel.stdout))).to.deep.equal([
      { width: 80, height: 24 },
      { width: 132, height: 50 },
    ]);
    expect(t.runtime.processes[0]!.req.tty).to.equal(true);
  });

  it('kills the session when the client disconnects', async () => {
    t.runtime.program = (p) => p.killed.then(() => 137);
    const exec = await open(t, 'command=sleep&command=1000&stdout=1');
    await waitFor('the session', () => t.runtime.processes.length === 1);
    exec.ws.terminate();
    await t.runtime.processes[0]!.killed;
    expect(t.runtime.kills).to.deep.equal(['ce']);
  });

  it('kills the session when the client stops answering pings', async () => {
    await t.close();
    await start(50);
    t.runtime.program = (p) => p.killed.then(() => 137);
    const exec = await open(t, 'command=sleep&command=1000&stdout=1', { autoPong: false });
    let pings = 0;
    exec.ws.on('ping', () => pings++);
    await waitFor('the session', () => t.runtime.processes.length === 1);
    await t.runtime.processes[0]!.killed;
    expect(pings).to.be.greaterThan(3);
    expect(await exec.closed).to.equal(1006);
  });

  it('speaks v4 when that is all the client offers; there [255, 0] is not a close', async () => {
    let sawEnd = false;
    t.runtime.program = async (p) => {
      p.stdin.on('data', (c: Buffer) => p.stdout.write(c));
      p.stdin.on('end', () => (sawEnd = true));
      await p.killed;
      return 137;
    };
    const exec = await open(t, 'command=cat&stdin=1&stdout=1', { protocols: ['v4.channel.k8s.io'] });
    expect(exec.protocol).to.equal('v4.channel.k8s.io');
    exec.send(Channel.stdin, 'x');
    exec.ws.send(Buffer.from([Channel.close, Channel.stdin]));
    exec.send(Channel.stdin, 'y');
    await waitFor('the echo', () => exec.text(Channel.stdout) === 'xy');
    expect(sawEnd).to.equal(false);
    exec.ws.close();
    await t.runtime.processes[0]!.killed;
  });

  it('reports a runtime that cannot start the command on the error channel', async () => {
    t.runtime.execFailure = new Error('runc exec failed: no such file');
    const exec = await open(t, 'command=nope&stdout=1');
    expect(await exec.closed).to.equal(1000);
    const status = statusOf(exec) as { status: string; reason: string; message: string };
    expect(status).to.include({ status: 'Failure', reason: 'InternalError' });
    expect(status.message).to.equal('error executing command in container: runc exec failed: no such file');
  });

  it('reports a session that fails as an InternalError Status', async () => {
    t.runtime.program = () => Promise.reject(new Error('the shim died'));
    const exec = await open(t, 'command=ls&stdout=1');
    expect(await exec.closed).to.equal(1000);
    const status = statusOf(exec) as { status: string; reason: string; message: string };
    expect(status).to.include({ status: 'Failure', reason: 'InternalError' });
    expect(status.message).to.contain('the shim died');
  });

  it('pauses the process output while the client does not read', async function () {
    this.timeout(20_000);
    const total = 48 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let produced = 0;
    t.runtime.program = async (p) => {
      while (produced < total) {
        produced += chunk.length;
        if (!p.stdout.write(chunk)) await new Promise((r) => p.stdout.once('drain', r));
      }
      return 0;
    };
    const got = await openExec(t.port, '/exec/default/web/app?command=yes&stdout=1');
    if (got.kind !== 'open') throw new Error('refused');
    const exec = got.exec;
    // Count instead of keeping 48 MiB around.
    let receivedBytes = 0;
    exec.ws.removeAllListeners('message');
    exec.ws.on('message', (raw: Buffer) => {
      if (raw[0] === Channel.stdout) receivedBytes += raw.length - 1;
      else exec.messages.push({ channel: raw[0]!, data: raw.subarray(1) });
    });
    // Not reading also means not answering pings; the default interval leaves a minute for that.
    exec.ws.pause();
    await new Promise((r) => setTimeout(r, 1000));
    // Kernel socket buffers plus our high-water mark, far from everything.
    expect(produced).to.be.lessThan(total / 2);
    exec.ws.resume();
    expect(await exec.closed).to.equal(1000);
    expect(receivedBytes).to.equal(total);
    expect(statusOf(exec)).to.deep.equal(success);
  });

  it('stops reading the socket while the process does not take its stdin', async function () {
    this.timeout(20_000);
    const total = 16 * 1024 * 1024;
    let bufferedWhileIdle = -1;
    t.runtime.program = async (p) => {
      await new Promise((r) => setTimeout(r, 500));
      const pipe = p.stdin as Readable & { writableLength: number };
      bufferedWhileIdle = pipe.readableLength + pipe.writableLength;
      let n = 0;
      for await (const c of p.stdin) n += (c as Buffer).length;
      p.stdout.write(String(n));
      return 0;
    };
    const exec = await open(t, 'command=wc&command=-c&stdin=1&stdout=1');
    const chunk = Buffer.alloc(64 * 1024, 'y');
    for (let sent = 0; sent < total; sent += chunk.length) exec.send(Channel.stdin, chunk);
    exec.ws.send(Buffer.from([Channel.close, Channel.stdin]));
    expect(await exec.closed).to.equal(1000);
    expect(exec.text(Channel.stdout)).to.equal(String(total));
    expect(bufferedWhileIdle).to.be.within(0, 1024 * 1024);
  });

  const refusals: { name: string; path: string; protocols?: string[]; code: number; reason: string; message: RegExp }[] = [
    { name: 'no command', path: '/exec/default/web/app?stdout=1', code: 400, reason: 'BadRequest', message: /you must specify at least 1 command/ },
    { name: 'no stream', path: '/exec/default/web/app?command=ls', code: 400, reason: 'BadRequest', message: /at least 1 of stdin, stdout, stderr/ },
    { name: 'a missing container', path: '/exec/default/web/sidecar?command=ls&stdout=1', code: 404, reason: 'NotFound', message: /not found/ },
    { name: 'a container that is not running', path: '/exec/default/web/done?command=ls&stdout=1', code: 400, reason: 'BadRequest', message: /container "done" in pod "default\/web" is not running/ },
    { name: 'only older subprotocols', path: '/exec/default/web/app?command=ls&stdout=1', protocols: ['v3.channel.k8s.io', 'channel.k8s.io'], code: 400, reason: 'BadRequest', message: /supported: v5.channel.k8s.io, v4.channel.k8s.io/ },
    { name: 'an upgrade of the logs path', path: '/containerLogs/default/web/app', code: 400, reason: 'BadRequest', message: /cannot be upgraded/ },
  ];
  for (const tc of refusals) {
    it(`refuses ${tc.name} with ${tc.code} before upgrading`, async () => {
      const got = await openExec(t.port, tc.path, tc.protocols ? { protocols: tc.protocols } : {});
      expect(got.kind).to.equal('refused');
      if (got.kind !== 'refused') return;
      expect(got.status).to.equal(tc.code);
      const status = JSON.parse(got.body) as Record<string, unknown>;
      expect(status).to.include({ kind: 'Status', reason: tc.reason, code: tc.code });
      expect(status.message).to.match(tc.message);
      expect(t.runtime.processes).to.have.length(0);
    });
  }
});
