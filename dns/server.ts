// The DNS server's sockets: UDP and TCP on one address and port (RFC 7766: TCP is not a
// fallback for the truncated alone). TCP connections carry any number of length-prefixed
// queries, answered as they complete (possibly out of order, which RFC 7766 allows), with
// an idle timeout and bounds on connections and queries in flight per connection, so a
// slow or hostile client holds little.

import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../common/logging.js';
import type { DnsHandler } from './handler.js';

export interface DnsServerOptions {
  handler: DnsHandler;
  listenAddress: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  port: number;
  logger: Logger;
  maxTcpConnections?: number;
  /** A TCP connection with no query for this long is closed. Default 10 s. */
  tcpIdleMs?: number;
  /** Queries answered at once on one TCP connection; reading pauses beyond. Default 16. */
  maxTcpPipeline?: number;
}

export class DnsServer {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();
  private boundPort = 0;

  constructor(private readonly opts: DnsServerOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    // Port 0: let UDP pick, then take the same port for TCP; retry if TCP's is taken.
    for (let attempt = 0; ; attempt++) {
      const udp = await this.bindUdp(this.opts.port);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp(port);
        this.udp = udp;
        this.boundPort = port;
        return;
      } catch (e) {
        udp.close();
        if (this.opts.port !== 0 || attempt >= 5) throw e;
      }
    }
  }

  async stop(): Promise<void> {
    this.udp?.close();
    this.udp = undefined;
    for (const c of this.connections) c.destroy();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private bindUdp(port: number): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket({ type: net.isIPv6(this.opts.listenAddress) ? 'udp6' : 'udp4' });
      sock.once('error', reject);
      sock.bind(port, this.opts.listenAddress, () => {
        sock.off('error', reject);
        sock.on('error', (e) => this.opts.logger.warn('UDP socket error', { error: e.message }));
        sock.on('message', (msg, rinfo) => {
          void this.opts.handler.handle(msg, 'udp').then((answer) => {
            if (answer && this.udp === sock) sock.send(answer, rinfo.port, rinfo.address, () => undefined);
          });
        });
        resolve(sock);
      });
    });
  }

  private bindTcp(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((c) => this.serveConnection(c));
      server.maxConnections = this.opts.maxTcpConnections ?? 256;
      server.once('error', reject);
      server.listen(port, this.opts.listenAddress, () => {
        server.off('error', reject);
        server.on('error', (e) => this.opts.logger.warn('TCP server error', { error: e.message }));
        resolve(server);
      });
    });
  }

  private serveConnection(c: net.Socket): void {
    this.connections.add(c);
    c.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => c.destroy());
    c.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    const maxPipeline = this.opts.maxTcpPipeline ?? 16;
    const pump = (): void => {
      while (buf.length >= 2 && inFlight < maxPipeline) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const msg = Buffer.from(buf.subarray(2, 2 + n));
        buf = buf.subarray(2 + n);
        inFlight++;
        void this.opts.handler.handle(msg, 'tcp').then((answer) => {
          inFlight--;
          if (c.destroyed) return;
          // Nothing to say to a message that is not a query: the connection is not DNS.
          if (!answer) return void c.destroy();
          const len = Buffer.alloc(2);
          len.writeUInt16BE(answer.length);
          c.write(Buffer.concat([len, answer]));
          if (c.isPaused()) c.resume();
          pump();
        });
      }
      // A full pipeline stops reading: TCP's own flow control slows the client down.
      if (inFlight >= maxPipeline) c.pause();
    };
    c.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      pump();
    });
    c.on('error', () => undefined);
    c.on('close', () => this.connections.delete(c));
  }
}
