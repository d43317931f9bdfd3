// Queries for names outside the cluster zone go to upstream servers (by default the
// machine's /etc/resolv.conf nameservers), the raw query passed on as it came (EDNS and
// flags included) under a fresh random ID from a fresh random source port, over the
// client's own transport. An answer must come from the server asked, carry our ID and
// echo our question, else it is ignored. Upstreams are tried in turn within one deadline;
// none answering means the caller answers SERVFAIL. In-flight forwards are bounded.

import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import type { Logger } from '../common/logging.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** The whole forward, every upstream tried included. */
  timeoutMs: number;
  /** Forwards at once; more get no answer (SERVFAIL) rather than growing memory. Default 1024. */
  maxInFlight?: number;
  logger: Logger;
}

export type Transport = 'udp' | 'tcp';

/** Where the question section ends (header + one question), or undefined if it does not parse. */
export function questionEnd(msg: Buffer): number | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  let i = 12;
  while (i < msg.length) {
    const len = msg[i]!;
    if (len === 0) return i + 5 <= msg.length ? i + 5 : undefined;
    if (len > 63) return undefined;
    i += len + 1;
  }
  return undefined;
}

/** Case-insensitive (resolvers may randomize case, RFC draft 0x20) comparison of the question sections. */
function sameQuestion(a: Buffer, b: Buffer): boolean {
  const ea = questionEnd(a);
  const eb = questionEnd(b);
  if (ea === undefined || ea !== eb) return false;
  return a.subarray(12, ea).toString('latin1').toLowerCase() === b.subarray(12, eb).toString('latin1').toLowerCase();
}

export class Forwarder {
  private inFlight = 0;
  readonly stats = { forwarded: 0, failed: 0, rejected: 0 };

  constructor(private readonly opts: ForwarderOptions) {}

  get upstreams(): readonly Upstream[] {
    return this.opts.upstreams;
  }

  /** The upstream's raw answer with the client's ID, or undefined (no upstream, timeout, too busy). */
  async exchange(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    if (this.opts.upstreams.length === 0) return undefined;
    if (this.inFlight >= (this.opts.maxInFlight ?? 1024)) {
      this.stats.rejected++;
      return undefined;
    }
    this.inFlight++;
    try {
      const deadline = Date.now() + this.opts.timeoutMs;
      const ups = this.opts.upstreams;
      for (let i = 0; i < ups.length; i++) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        // Each remaining upstream gets an equal share of the time left.
        const budget = Math.max(1, Math.floor(left / (ups.length - i)));
        const id = randomInt(0, 65536);
        const out = Buffer.from(query);
        out.writeUInt16BE(id, 0);
        try {
          const answer = transport === 'udp' ? await this.udp(ups[i]!, out, budget) : await this.tcp(ups[i]!, out, budget);
          if (answer) {
            this.stats.forwarded++;
            answer.writeUInt16BE(query.readUInt16BE(0), 0);
            return answer;
          }
        } catch (e) {
          this.opts.logger.debug('upstream failed', { upstream: `${ups[i]!.host}:${ups[i]!.port}`, error: e instanceof Error ? e.message : String(e) });
        }
      }
      this.stats.failed++;
      return undefined;
    } finally {
      this.inFlight--;
    }
  }

  private udp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = dgram.createSocket(net.isIPv6(up.host) ? 'udp6' : 'udp4');
      let done = false;
      const finish = (v: Buffer | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.close();
        resolve(v);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      sock.on('error', () => finish(undefined));
      sock.on('message', (msg, rinfo) => {
        // Anyone may send to our port: only the server asked, with our ID and question, counts.
        if (rinfo.address !== up.host || rinfo.port !== up.port) return;
        if (msg.length < 12 || msg.readUInt16BE(0) !== query.readUInt16BE(0) || (msg[2]! & 0x80) === 0 || !sameQuestion(msg, query)) return;
        finish(Buffer.from(msg));
      });
      sock.send(query, up.port, up.host, (err) => {
        if (err) finish(undefined);
      });
    });
  }

  private tcp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let buf = Buffer.alloc(0);
      let done = false;
      const sock = net.connect({ host: up.host, port: up.port });
      const finish = (v: Buffer | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.destroy();
        resolve(v);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      sock.on('error', () => finish(undefined));
      sock.on('close', () => finish(undefined));
      sock.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        sock.write(Buffer.concat([len, query]));
      });
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2) return;
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) return;
        const msg = buf.subarray(2, 2 + n);
        finish(msg.length >= 12 && msg.readUInt16BE(0) === query.readUInt16BE(0) && sameQuestion(msg, query) ? Buffer.from(msg) : undefined);
      });
    });
  }
}

/** `nameserver` lines of a resolv.conf, as upstreams on port 53. */
export function resolvConfUpstreams(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1]!.replace(/%.*$/, '');
    if (net.isIP(host)) out.push({ host, port: 53 });
  }
  return out;
}

/** `1.1.1.1`, `1.1.1.1:5353`, `[::1]:53`, `::1`. Throws for anything else. */
export function parseUpstream(text: string): Upstream {
  const t = text.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  let host: string;
  let port = 53;
  if (v6) {
    host = v6[1]!;
    if (v6[2]) port = Number(v6[2]);
  } else if (net.isIPv6(t)) {
    host = t;
  } else {
    const m = /^([^:]+)(?::(\d+))?$/.exec(t);
    if (!m) throw new Error(`upstream ${JSON.stringify(text)} is not IP[:port]`);
    host = m[1]!;
    if (m[2]) port = Number(m[2]);
  }
  if (!net.isIP(host)) throw new Error(`upstream ${JSON.stringify(text)}: ${JSON.stringify(host)} is not an IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`upstream ${JSON.stringify(text)}: port must be 1-65535`);
  return { host, port };
}
