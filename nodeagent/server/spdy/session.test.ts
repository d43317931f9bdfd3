import { expect } from 'chai';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { encodeData, encodeSynStream, RstStatus } from './frames.js';
import { SpdySession, defaultSessionLimits, type SpdySessionLimits, type SpdyStream } from './session.js';
import { SpdyTestClient } from './spdyTestClient.js';

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Pair {
  session: SpdySession;
  client: SpdyTestClient;
  streams: SpdyStream[];
  errors: Error[];
  close(): void;
}

/** A session over a real loopback TCP connection, with the test client on the other end. */
async function pair(limits: SpdySessionLimits = defaultSessionLimits): Promise<Pair> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const serverSide = await accepted;
  server.close();
  const session = new SpdySession(serverSide, limits);
  const streams: SpdyStream[] = [];
  const errors: Error[] = [];
  session.on('stream', (s) => streams.push(s));
  session.on('protocolError', (e) => errors.push(e));
  session.start();
  return {
    session,
    client: new SpdyTestClient(socket),
    streams,
    errors,
    close: () => {
      socket.destroy();
      serverSide.destroy();
    },
  };
}

describe('SpdySession', () => {
  let p: Pair;
  afterEach(() => p?.close());

  it('answers each stream with SYN_REPLY and carries data and FIN both ways', async () => {
    p = await pair();
    const a = p.client.open({ streamType: 'stdin' });
    const b = p.client.open({ streamType: 'stdout' });
    await until('two streams', () => p.streams.length === 2);
    await until('replies', () => a.replied && b.replied);
    expect(p.streams.map((s) => [s.id, s.header('streamtype')])).to.deep.equal([
      [1, 'stdin'],
      [3, 'stdout'],
    ]);
    const got: string[] = [];
    p.streams[0]!.on('data', (c: Buffer) => got.push(c.toString()));
    let ended = false;
    p.streams[0]!.on('end', () => (ended = true));
    p.client.send(a.id, 'hello ');
    p.client.send(a.id, 'world', true);
    await until('the FIN', () => ended);
    expect(got.join('')).to.equal('hello world');
    p.streams[1]!.end(Buffer.alloc(100_000, 'z'));
    await until('our FIN', () => b.fin);
    expect(b.text()).to.equal('z'.repeat(100_000));
    // Cut into frames no larger than 32 KiB.
    expect(p.client.frames.filter((f) => !f.control && f.streamId === b.id).every((f) => f.payload.length <= 32 * 1024)).to.equal(true);
  });

  for (const order of ['ours first', 'the client\'s first'] as const) {
    it(`forgets a stream once both FINs were sent (${order})`, async () => {
      p = await pair();
      const a = p.client.open({ n: '1' });
      await until('the stream', () => p.streams.length === 1);
      const s = p.streams[0]!;
      s.resume();
      if (order === 'ours first') {
        s.end();
        await until('our FIN', () => a.fin);
        expect(p.session.streamCount).to.equal(1);
        p.client.fin(a.id);
      } else {
        p.client.fin(a.id);
        await until('their FIN', () => s.readableEnded);
        expect(p.session.streamCount).to.equal(1);
        s.end();
      }
      await until('the stream to be forgotten', () => p.session.streamCount === 0);
    });
  }

  it('resets a stream destroyed before both sides finished', async () => {
    p = await pair();
    const a = p.client.open({ n: '1' });
    await until('the stream', () => p.streams.length === 1);
    p.streams[0]!.destroy();
    await until('the reset', () => a.reset !== undefined);
    expect(a.reset).to.equal(RstStatus.cancel);
    expect(p.session.streamCount).to.equal(0);
  });

  it('echoes the client\'s (odd) pings and ignores even ones', async () => {
    p = await pair();
    p.client.ping(1);
    p.client.ping(2);
    p.client.ping(3);
    await until('pings', () => p.client.pings.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(p.client.pings).to.deep.equal([1, 3]);
  });

  it('ends the stream when the client resets it', async () => {
    p = await pair();
    const a = p.client.open({ streamType: 'data' });
    await until('the stream', () => p.streams.length === 1);
    let closed = false;
    p.streams[0]!.on('close', () => (closed = true));
    p.client.reset(a.id, RstStatus.cancel);
    await until('close', () => closed);
    expect(p.streams[0]!.reset).to.equal(true);
    expect(p.session.streamCount).to.equal(0);
  });

  const streamErrors: { name: string; send: (c: SpdyTestClient) => number; status: number }[] = [
    { name: 'an even (server-side) stream id', send: (c) => (c.synStream(2, { a: 'b' }), 2), status: RstStatus.protocolError },
    {
      name: 'a stream id that does not increase',
      send: (c) => {
        c.open({ a: 'b' });
        c.open({ a: 'b' });
        c.synStream(1, { a: 'b' });
        return 1;
      },
      status: RstStatus.protocolError,
    },
    { name: 'data for a stream never opened', send: (c) => (c.raw(encodeData(99, Buffer.from('x'), false)), 99), status: RstStatus.invalidStream },
    {
      name: 'data after the client\'s FIN',
      send: (c) => {
        const s = c.open({ a: 'b' }, 1);
        setTimeout(() => c.send(s.id, 'late'), 50);
        return s.id;
      },
      status: RstStatus.streamAlreadyClosed,
    },
  ];
  for (const tc of streamErrors) {
    it(`resets the stream on ${tc.name}, and the session lives on`, async () => {
      p = await pair();
      // Consume what valid streams there are, so FINs are seen.
      p.session.on('stream', (s) => s.resume());
      const id = tc.send(p.client);
      await until('the reset', () => p.client.frames.some((f) => f.control && f.type === 3 && f.payload.readUInt32BE(0) === id));
      const rst = p.client.frames.find((f) => f.control && f.type === 3 && f.payload.readUInt32BE(0) === id)!;
      expect(rst.payload.readUInt32BE(4)).to.equal(tc.status);
      // Still serving: a new stream gets its reply.
      const next = p.client.open({ still: 'here' });
      await until('a reply after the error', () => next.replied);
      expect(p.errors).to.deep.equal([]);
    });
  }

  it('refuses streams over the limit with REFUSED_STREAM', async () => {
    p = await pair({ ...defaultSessionLimits, maxStreams: 2 });
    const s = [p.client.open({ n: '1' }), p.client.open({ n: '2' }), p.client.open({ n: '3' })];
    await until('the refusal', () => s[2]!.reset !== undefined);
    expect(s[2]!.reset).to.equal(RstStatus.refusedStream);
    expect(s[0]!.replied && s[1]!.replied).to.equal(true);
  });

  const sessionErrors: { name: string; bytes: Buffer; error: RegExp }[] = [
    { name: 'a frame over the size limit', bytes: Buffer.from([0, 0, 0, 1, 0, 0xff, 0xff, 0xff]), error: /exceeds the limit/ },
    { name: 'a header block that is not zlib', bytes: encodeSynStream(1, Buffer.from('garbage!')), error: /does not decompress/ },
    { name: 'another SPDY version', bytes: Buffer.from([0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]), error: /unsupported SPDY version 2/ },
    { name: 'a truncated SYN_STREAM', bytes: Buffer.from([0x80, 3, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1]), error: /too short/ },
  ];
  for (const tc of sessionErrors) {
    it(`ends the session with GOAWAY on ${tc.name}`, async () => {
      p = await pair();
      let closed = false;
      p.session.on('close', () => (closed = true));
      p.client.raw(tc.bytes);
      await until('GOAWAY', () => p.client.goAways.length === 1);
      expect(p.client.goAways[0]!.status).to.equal(1);
      await until('the session to close', () => closed);
      expect(p.errors.map((e) => e.message).join()).to.match(tc.error);
    });
  }

  it('pauses the socket while a stream is not read, and resumes when it is', async function () {
    this.timeout(10_000);
    p = await pair();
    const a = p.client.open({ streamType: 'stdin' });
    await until('the stream', () => p.streams.length === 1);
    const chunk = Buffer.alloc(64 * 1024, 'q');
    const total = 16 * 1024 * 1024;
    for (let sent = 0; sent < total; sent += chunk.length) p.client.send(a.id, chunk);
    p.client.fin(a.id);
    await new Promise((r) => setTimeout(r, 300));
    // The stream's buffer stays near its high-water mark; the rest waits in the kernel.
    expect(p.streams[0]!.readableLength).to.be.below(defaultSessionLimits.streamReadHighWater + 2 * chunk.length);
    let n = 0;
    for await (const c of p.streams[0]!) n += (c as Buffer).length;
    expect(n).to.equal(total);
  });
});

describe('SpdySession against garbage', () => {
  /** A deterministic PRNG so a failure can be replayed. */
  function prng(seed: number): () => number {
    let x = seed;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x100000000;
    };
  }

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`survives random frames (seed ${seed}): every outcome is a reset or a GOAWAY, never a throw`, async () => {
      const rand = prng(seed);
      const written: Buffer[] = [];
      const wire = new Duplex({
        read() {},
        write(c: Buffer, _e, cb) {
          written.push(c);
          cb();
        },
      });
      const session = new SpdySession(wire);
      const errors: Error[] = [];
      session.on('protocolError', (e) => errors.push(e));
      session.on('stream', (st) => st.resume());
      session.start();
      const client = new SpdyTestClient(new Duplex({ read() {}, write: (c: Buffer, _e, cb) => (wire.push(c), cb()) }));
      for (let i = 0; i < 300 && !session.isClosed; i++) {
        const r = rand();
        const id = 1 + 2 * Math.floor(rand() * 8);
        if (r < 0.3) client.open({ streamType: ['stdin', 'data', 'error'][Math.floor(rand() * 3)]!, port: String(Math.floor(rand() * 70000)) });
        else if (r < 0.6) client.send(id, Buffer.alloc(Math.floor(rand() * 100), 'x'), rand() < 0.3);
        else if (r < 0.7) client.reset(id);
        else if (r < 0.8) client.ping(Math.floor(rand() * 10));
        else if (r < 0.97) {
          // A control frame of a random type with a random, length-consistent payload.
          const payload = Buffer.from(Array.from({ length: Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)));
          const head = Buffer.from([0x80, 3, 0, Math.floor(rand() * 12), 0, 0, 0, payload.length]);
          client.raw(Buffer.concat([head, payload]));
        } else client.raw(Buffer.from(Array.from({ length: 12 }, () => Math.floor(rand() * 256))));
        await new Promise((res) => setImmediate(res));
      }
      // Whatever happened, the session answered in frames and is either alive or said GOAWAY.
      const answers = new SpdyTestClient(new Duplex({ read() {}, write: (_c, _e, cb) => cb() }));
      answers.socket.emit('data', Buffer.concat(written));
      if (errors.length > 0) expect(answers.goAways).to.have.length.greaterThan(0);
      session.destroy();
    });
  }
});
