// One DNS message in, at most one out: the wire rules around ZoneResolver. Responses are
// never answered (no reflection loops); what does not parse gets FORMERR when its header
// can be read and nothing otherwise; one question per query; opcodes other than QUERY get
// NOTIMP. Answers over UDP fit the client's size (512 bytes, or its EDNS size up to 1232):
// what does not fit is cut and the TC bit tells the client to ask again over TCP.

import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question } from 'dns-packet';
import type { Logger } from '../common/logging.js';
import type { Forwarder, Transport } from './forwarder.js';
import type { ZoneResolver } from './records.js';

export const rcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof rcodes;

const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;

/** The largest UDP answer we send to EDNS clients (the DNS flag day 2020 figure: no fragmentation). */
export const maxUdpPayload = 1232;
const classicUdpPayload = 512;
const maxTcpMessage = 65535;

export interface HandlerOptions {
  resolver: ZoneResolver;
  forwarder: Forwarder;
  logger: Logger;
}

export class DnsHandler {
  readonly stats = { queries: 0, dropped: 0, formerr: 0, truncated: 0, servfail: 0 };

  constructor(private readonly opts: HandlerOptions) {}

  /** The answer to `msg`, or undefined to send nothing. Never throws. */
  async handle(msg: Buffer, transport: Transport): Promise<Buffer | undefined> {
    try {
      return await this.answer(msg, transport);
    } catch (e) {
      // A bug answering one query must not take the server down; the client gets SERVFAIL.
      this.opts.logger.error('answering a query failed', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
      return msg.length >= 12 && (msg[2]! & 0x80) === 0 ? headerOnly(msg, rcodes.SERVFAIL) : undefined;
    }
  }

  private async answer(msg: Buffer, transport: Transport): Promise<Buffer | undefined> {
    // Too short for a header, or a response: nothing to answer (answering responses loops).
    if (msg.length < 12 || (msg[2]! & 0x80) !== 0) {
      this.stats.dropped++;
      return undefined;
    }
    this.stats.queries++;
    const opcode = (msg[2]! >> 3) & 0x0f;
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      this.stats.formerr++;
      return headerOnly(msg, rcodes.FORMERR);
    }
    if (opcode !== 0) return headerOnly(msg, rcodes.NOTIMP);
    const questions = query.questions ?? [];
    const opts = (query.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
    if (questions.length !== 1 || opts.length > 1 || (query.answers ?? []).length > 0) {
      this.stats.formerr++;
      return headerOnly(msg, rcodes.FORMERR);
    }
    const q = questions[0]!;
    const opt = opts[0];
    const limit = transport === 'tcp' ? maxTcpMessage : opt ? Math.min(Math.max(opt.udpPayloadSize, classicUdpPayload), maxUdpPayload) : classicUdpPayload;
    const reply = (r: Omit<Reply, 'query' | 'question' | 'opt'>): Buffer => this.encode({ query, question: q, opt, ...r }, limit, transport);

    // Chaos and other classes are not served (their question could not even be echoed faithfully).
    if (q.class !== 'IN' && q.class !== 'ANY') return headerOnly(msg, rcodes.NOTIMP);
    if (opt && opt.ednsVersion > 0) return badVersion(query, q);
    // Zone transfers are not offered (the zone is the API's, read it there).
    if (q.type === 'AXFR' || q.type === 'IXFR') return reply({ rcode: 'REFUSED', authoritative: false });

    const res = this.opts.resolver.resolve(q.name, q.type);
    switch (res.kind) {
      case 'answer':
        return reply({ rcode: res.rcode, authoritative: true, answers: res.answers, authorities: res.authorities, additionals: res.additionals });
      case 'servfail':
        this.stats.servfail++;
        return reply({ rcode: 'SERVFAIL', authoritative: false });
      case 'forward': {
        const upstream = await this.opts.forwarder.exchange(msg, transport);
        if (upstream) return upstream;
        this.stats.servfail++;
        return reply({ rcode: 'SERVFAIL', authoritative: false });
      }
      case 'chase': {
        const chased = await this.chase(res.target, q, transport);
        if (!chased) {
          this.stats.servfail++;
          return reply({ rcode: 'SERVFAIL', authoritative: false, answers: res.answers });
        }
        return reply({ rcode: chased.rcode, authoritative: false, answers: [...res.answers, ...chased.answers] });
      }
    }
  }

  /** The records of an ExternalName's target, asked upstream (over TCP when UDP came back truncated). */
  private async chase(target: string, q: Question, transport: Transport): Promise<{ rcode: Rcode; answers: Answer[] } | undefined> {
    const ask = dnsPacket.encode({ type: 'query', id: 0, flags: RD, questions: [{ name: target, type: q.type, class: 'IN' }] });
    for (const t of transport === 'udp' ? (['udp', 'tcp'] as const) : (['tcp'] as const)) {
      const raw = await this.opts.forwarder.exchange(ask, t);
      if (!raw) return undefined;
      let p: DecodedPacket;
      try {
        p = dnsPacket.decode(raw);
      } catch {
        return undefined;
      }
      if (p.flag_tc && t === 'udp') continue;
      const rcode = (p as unknown as { rcode?: string }).rcode;
      if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return undefined;
      return { rcode, answers: (p.answers ?? []).filter((a) => a.type !== 'OPT') };
    }
    return undefined;
  }

  /** Encodes, cutting additionals and then answers until it fits `limit` (TC set over UDP). */
  private encode(r: Reply, limit: number, transport: Transport): Buffer {
    const flags = (r.query.flags ?? 0) & RD;
    const base = flags | RA | (r.authoritative ? AA : 0) | (rcodes[r.rcode] ?? rcodes.SERVFAIL);
    const ednsOpt: Answer[] = r.opt ? [{ type: 'OPT', name: '.', udpPayloadSize: maxUdpPayload, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as OptAnswer] : [];
    const answers = r.answers ?? [];
    const packet = (n: number, extra: Answer[], tc: boolean): Packet => ({
      type: 'response',
      id: r.query.id,
      flags: base | (tc ? TC : 0),
      questions: [r.question],
      answers: answers.slice(0, n),
      authorities: tc ? [] : (r.authorities ?? []),
      additionals: [...extra, ...ednsOpt],
    });
    const full = packet(answers.length, r.additionals ?? [], false);
    if (dnsPacket.encodingLength(full) <= limit) return dnsPacket.encode(full);
    // Additionals are a courtesy: drop them before cutting answers (no TC needed for that).
    const noExtra = packet(answers.length, [], false);
    if (dnsPacket.encodingLength(noExtra) <= limit) return dnsPacket.encode(noExtra);
    this.stats.truncated++;
    let lo = 0;
    let hi = answers.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (dnsPacket.encodingLength(packet(mid, [], true)) <= limit) lo = mid;
      else hi = mid - 1;
    }
    // Over TCP nothing larger can be sent at all: what fits is the answer.
    return dnsPacket.encode(packet(lo, [], transport === 'udp'));
  }
}

interface Reply {
  query: DecodedPacket;
  question: Question;
  opt: OptAnswer | undefined;
  rcode: Rcode;
  authoritative: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

/** A header-only answer (FORMERR, NOTIMP, SERVFAIL) for a query we could not or would not read further. */
function headerOnly(msg: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(msg.readUInt16BE(0), 0);
  // Keep the opcode and RD; set QR and the rcode.
  out.writeUInt16BE(QR | (msg.readUInt16BE(2) & (0x7800 | RD)) | RA | rcode, 2);
  return out;
}

/** EDNS version > 0: BADVERS (extended rcode 16 = OPT's 1 with a header rcode of 0). */
function badVersion(query: DecodedPacket, q: Question): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: ((query.flags ?? 0) & RD) | RA,
    questions: [q],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: maxUdpPayload, extendedRcode: 1, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as OptAnswer],
  });
}
