// The DNS server on real sockets (127.0.0.1, a free port) over a hand-filled cluster view:
// node's own resolver (c-ares) as the client, raw packets for the wire's edge cases
// (truncation and TC, TCP framing and pipelining, EDNS sizes, malformed input), and a
// small upstream server of the test's own for forwarding and its failures.

import { expect } from 'chai';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { IndexedStore } from '../common/client/informer.js';
import { silentLogger } from '../common/logging.js';
import { StoreView } from './clusterView.js';
import { Forwarder } from './forwarder.js';
import { DnsHandler } from './handler.js';
import { ZoneResolver } from './records.js';
import { DnsServer } from './server.js';
import type { EndpointSlice, Service } from './types.js';

const logger = silentLogger();

/** Sends one UDP datagram and waits for at most one answer. */
export function udpExchange(port: number, msg: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m);
    });
    s.send(msg, port, '127.0.0.1');
  });
}

/** Writes `chunks` to one TCP connection and collects `count` framed answers. */
export function tcpExchange(port: number, chunks: Buffer[], count: number, timeoutMs = 2000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: Buffer[] = [];
    const t = setTimeout(() => {
      c.destroy();
      reject(new Error(`got ${out.length} of ${count} TCP answers`));
    }, timeoutMs);
    c.on('connect', () => {
      void (async () => {
        for (const ch of chunks) {
          c.write(ch);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
    });
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length >= count) {
        clearTimeout(t);
        c.destroy();
        resolve(out);
      }
    });
    c.on('error', reject);
  });
}

const frame = (m: Buffer): Buffer => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]);
const query = (name: string, type: string, extra: Partial<Packet> = {}): Buffer =>
  dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' } as Packet['questions'] extends (infer Q)[] | undefined ? Q : never], ...extra });
const rcodeOf = (p: DecodedPacket): string => (p as unknown as { rcode: string }).rcode;

/** A tiny upstream DNS server (UDP and TCP) answering example.org and friends; `silent` answers nothing. */
class FakeUpstream {
  udp = dgram.createSocket('udp4');
  tcp = net.createServer();
  port = 0;
  queries = 0;
  silent = false;
  async start(): Promise<void> {
    // UDP picks a port, TCP takes the same number; another process may hold it for TCP: try again.
    for (let attempt = 0; ; attempt++) {
      await new Promise<void>((r) => this.udp.bind(0, '127.0.0.1', () => r()));
      this.port = this.udp.address().port;
      try {
        await new Promise<void>((r, j) => {
          this.tcp.once('error', j);
          this.tcp.listen(this.port, '127.0.0.1', () => {
            this.tcp.off('error', j);
            r();
          });
        });
        break;
      } catch (e) {
        this.udp.close();
        this.udp = dgram.createSocket('udp4');
        this.tcp = net.createServer();
        if (attempt >= 5) throw e;
      }
    }
    this.udp.on('message', (m, rinfo) => {
      const a = this.answer(m);
      if (a) this.udp.send(a, rinfo.port, rinfo.address);
    });
    this.tcp.on('connection', (c) => {
      c.on('data', (d: Buffer) => {
        const a = this.answer(d.subarray(2));
        if (a) c.write(frame(a));
      });
      c.on('error', () => undefined);
    });
  }
  private answer(m: Buffer): Buffer | undefined {
    this.queries++;
    if (this.silent) return undefined;
    const q = dnsPacket.decode(m);
    const question = q.questions![0]!;
    const name = question.name.toLowerCase();
    const found = name === 'example.org' || name === 'www.example.org';
    return dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.RECURSION_AVAILABLE | (found ? 0 : 3),
      questions: q.questions,
      answers: found && question.type === 'A' ? [{ name: question.name, type: 'A', ttl: 60, data: '192.0.2.1' }] : [],
    });
  }
  async stop(): Promise<void> {
    this.udp.close();
    await new Promise((r) => this.tcp.close(r));
  }
}

const manyIPs = Array.from({ length: 100 }, (_, i) => `10.244.${i >> 4}.${(i & 15) + 1}`);

describe('dns server on UDP and TCP (node resolver, raw packets, a fake upstream)', function () {
  this.timeout(30_000);
  let server: DnsServer;
  let handler: DnsHandler;
  let upstream: FakeUpstream;
  let resolver: dns.promises.Resolver;

  before(async () => {
    upstream = new FakeUpstream();
    await upstream.start();
    const services = new IndexedStore<Service>();
    const add = (s: Service): void => void services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    add({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    add({ metadata: { namespace: 'default', name: 'big' }, spec: { clusterIP: 'None' } });
    add({ metadata: { namespace: 'default', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'www.example.org' } });
    const slices = new IndexedStore<EndpointSlice>();
    slices.set('default/big-1', { metadata: { namespace: 'default', name: 'big-1', labels: { 'kubernetes.io/service-name': 'big' } }, addressType: 'IPv4', endpoints: manyIPs.map((ip) => ({ addresses: [ip], conditions: { ready: true } })) });
    const namespaces = new IndexedStore<{ metadata?: { name?: string } }>();
    namespaces.set('default', { metadata: { name: 'default' } });
    const view = new StoreView({ services, slices, namespaces });
    const forwarder = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: upstream.port }], timeoutMs: 500, logger });
    handler = new DnsHandler({ resolver: new ZoneResolver(view, { clusterDomain: 'cluster.local', ttl: 5, nameserverIP: '10.96.0.10' }), forwarder, logger });
    server = new DnsServer({ handler, listenAddress: '127.0.0.1', port: 0, logger, tcpIdleMs: 500 });
    await server.start();
    resolver = new dns.promises.Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
  });
  after(async () => {
    await server?.stop();
    await upstream?.stop();
  });

  it('node resolver: A, SRV, NXDOMAIN (ENOTFOUND) and NODATA (ENODATA)', async () => {
    expect(await resolver.resolve4('web.default.svc.cluster.local')).to.deep.equal(['10.96.0.20']);
    expect(await resolver.resolve4('web.default.svc.cluster.local', { ttl: true })).to.deep.equal([{ address: '10.96.0.20', ttl: 5 }]);
    expect(await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local')).to.deep.equal([{ name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    await resolver.resolve4('nope.default.svc.cluster.local').then(
      () => expect.fail('resolved'),
      (e: NodeJS.ErrnoException) => expect(e.code).to.equal('ENOTFOUND'),
    );
    await resolver.resolve6('web.default.svc.cluster.local').then(
      () => expect.fail('resolved'),
      (e: NodeJS.ErrnoException) => expect(e.code).to.equal('ENODATA'),
    );
  });

  it('a headless Service of 100 endpoints: UDP answer cut to 512 bytes with TC; node resolver retries over TCP and gets all 100', async () => {
    const raw = (await udpExchange(server.port, query('big.default.svc.cluster.local', 'A')))!;
    expect(raw.length).to.be.at.most(512);
    const p = dnsPacket.decode(raw);
    expect(p.flag_tc).to.equal(true);
    expect(p.answers!.length).to.be.within(1, 99);
    expect(p.id).to.equal(4242);
    const all = await resolver.resolve4('big.default.svc.cluster.local');
    expect([...all].sort()).to.deep.equal([...manyIPs].sort());
  });

  it('EDNS: the client size is honoured up to 1232 bytes, and the answer carries an OPT', async () => {
    const edns = query('big.default.svc.cluster.local', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as never] });
    const raw = (await udpExchange(server.port, edns))!;
    expect(raw.length).to.be.within(513, 1232);
    const p = dnsPacket.decode(raw);
    expect(p.flag_tc).to.equal(true);
    expect(p.additionals!.map((a) => a.type)).to.deep.equal(['OPT']);
    const badvers = dnsPacket.decode((await udpExchange(server.port, query('web.default.svc.cluster.local', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] } as never] })))!);
    expect((badvers.additionals![0] as { extendedRcode: number }).extendedRcode).to.equal(1);
  });

  it('TCP: whole answers without TC, pipelined queries on one connection, a query split across writes', async () => {
    const q1 = frame(query('big.default.svc.cluster.local', 'A'));
    const q2 = frame(query('web.default.svc.cluster.local', 'A', { id: 7 }));
    const both = Buffer.concat([q1, q2]);
    // Split in the middle of the first length prefix and again inside the second message.
    const answers = await tcpExchange(server.port, [both.subarray(0, 1), both.subarray(1, q1.length + 5), both.subarray(q1.length + 5)], 2);
    const decoded = answers.map((a) => dnsPacket.decode(a)).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    expect(decoded[0]!.id).to.equal(7);
    expect(decoded[0]!.answers!.map((a) => (a as { data: string }).data)).to.deep.equal(['10.96.0.20']);
    expect(decoded[1]!.flag_tc).to.equal(false);
    expect(decoded[1]!.answers).to.have.length(100);
  });

  const malformed: { name: string; msg: () => Buffer; want: 'nothing' | string }[] = [
    { name: 'shorter than a header', msg: () => Buffer.from([1, 2, 3]), want: 'nothing' },
    { name: 'a response (QR set) is never answered', msg: () => dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }] }), want: 'nothing' },
    { name: 'a header promising a question that is not there', msg: () => Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), want: 'FORMERR' },
    { name: 'a name running past the end', msg: () => Buffer.concat([Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([40, 97, 98])]), want: 'FORMERR' },
    { name: 'a compression pointer loop', msg: () => Buffer.concat([Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), want: 'FORMERR' },
    { name: 'two questions', msg: () => dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] }), want: 'FORMERR' },
    { name: 'no question', msg: () => dnsPacket.encode({ type: 'query', id: 9, questions: [] }), want: 'FORMERR' },
    { name: 'opcode NOTIFY', msg: () => { const m = query('web.default.svc.cluster.local', 'A'); m[2] = (m[2]! & 0x87) | (4 << 3); m.writeUInt16BE(9, 0); return m; }, want: 'NOTIMP' },
    { name: 'a zone transfer (AXFR)', msg: () => dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'cluster.local', type: 'AXFR' }] }), want: 'REFUSED' },
    { name: 'class CHAOS', msg: () => dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] }), want: 'NOTIMP' },
  ];
  for (const tc of malformed) {
    it(`malformed over UDP: ${tc.name} -> ${tc.want}`, async () => {
      const raw = await udpExchange(server.port, tc.msg(), tc.want === 'nothing' ? 300 : 1000);
      if (tc.want === 'nothing') return expect(raw).to.equal(undefined);
      expect(raw, 'an answer').to.not.equal(undefined);
      expect(raw!.readUInt16BE(0)).to.equal(9);
      expect(rcodeOf(dnsPacket.decode(raw!))).to.equal(tc.want);
      expect(dnsPacket.decode(raw!).flag_qr).to.equal(true);
    });
  }

  it('2,000 random packets over UDP and TCP: the server keeps answering', async () => {
    const s = dgram.createSocket('udp4');
    for (let i = 0; i < 2000; i++) {
      const junk = randomBytes(1 + (i % 300));
      // Half look like queries with a question count of 1, to reach the decoder.
      if (i % 2 === 0 && junk.length >= 12) {
        junk.writeUInt16BE(1, 4);
        junk[2]! &= 0x7f;
      }
      s.send(junk, server.port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 300));
    s.close();
    const c = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => c.on('connect', r));
    c.on('error', () => undefined);
    c.write(Buffer.concat([Buffer.from([0, 20]), randomBytes(20), Buffer.from([255, 255]), randomBytes(1000)]));
    c.destroy();
    expect(await resolver.resolve4('web.default.svc.cluster.local')).to.deep.equal(['10.96.0.20']);
    expect(handler.stats.formerr).to.be.greaterThan(0);
  });

  it('an idle TCP connection is closed', async () => {
    const c = net.connect(server.port, '127.0.0.1');
    c.on('error', () => undefined);
    const closed = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 3000);
      c.on('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    expect(closed).to.equal(true);
  });

  it('names outside the zone go upstream (UDP and TCP), NXDOMAIN passes through', async () => {
    expect(await resolver.resolve4('example.org')).to.deep.equal(['192.0.2.1']);
    const [tcpAnswer] = await tcpExchange(server.port, [frame(query('EXAMPLE.org', 'A'))], 1);
    const p = dnsPacket.decode(tcpAnswer!);
    expect(p.id).to.equal(4242);
    expect(p.answers!.map((a) => (a as { data: string }).data)).to.deep.equal(['192.0.2.1']);
    await resolver.resolve4('nope.example.net').then(
      () => expect.fail('resolved'),
      (e: NodeJS.ErrnoException) => expect(e.code).to.equal('ENOTFOUND'),
    );
  });

  it('ExternalName to an outside name: the CNAME, then the target\'s records from upstream', async () => {
    const p = dnsPacket.decode((await udpExchange(server.port, query('ext.default.svc.cluster.local', 'A')))!);
    expect(p.answers!.map((a) => `${a.type} ${String((a as { data: string }).data)}`)).to.deep.equal(['CNAME www.example.org', 'A 192.0.2.1']);
    expect(await resolver.resolve4('ext.default.svc.cluster.local')).to.deep.equal(['192.0.2.1']);
  });

  it('a silent upstream: SERVFAIL within the timeout', async () => {
    upstream.silent = true;
    try {
      const started = Date.now();
      const raw = await udpExchange(server.port, query('example.org', 'A'), 3000);
      expect(raw).to.not.equal(undefined);
      expect(rcodeOf(dnsPacket.decode(raw!))).to.equal('SERVFAIL');
      expect(Date.now() - started).to.be.within(400, 2000);
    } finally {
      upstream.silent = false;
    }
  });

  it('forged answers sprayed at the server while a forward is in flight are dropped; the upstream\'s answer wins', async () => {
    // Responses are never answered (no reflection); the forwarder itself listens on a fresh
    // random port and takes only the upstream's answer with its ID and question.
    const forged = dgram.createSocket('udp4');
    const pending = resolver.resolve4('www.example.org');
    for (let i = 0; i < 50; i++) forged.send(dnsPacket.encode({ type: 'response', id: i, questions: [{ name: 'www.example.org', type: 'A' }], answers: [{ name: 'www.example.org', type: 'A', data: '6.6.6.6' }] }), server.port, '127.0.0.1');
    expect(await pending).to.deep.equal(['192.0.2.1']);
    forged.close();
  });
});
