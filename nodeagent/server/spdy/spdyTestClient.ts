// Test support: the client's end of a SPDY/3.1 session, as kubectl's spdystream plays it
// (odd stream ids, SYN_STREAM with a compressed header block, DATA, FIN, PING), built on the
// same framing code so tests can speak to the server over any duplex.

import type { Duplex } from 'node:stream';
import { encodeData, encodePing, encodeRstStream, encodeSynStream, FrameReader, FrameType, type Frame } from './frames.js';
import { HeaderDecoder, HeaderEncoder, type SpdyHeaders } from './headerBlock.js';

export interface ClientStream {
  id: number;
  replied: boolean;
  data: Buffer[];
  fin: boolean;
  reset?: number;
  text(): string;
}

export class SpdyTestClient {
  private nextId = 1;
  private readonly encoder = new HeaderEncoder();
  private readonly decoder = new HeaderDecoder({ maxBlockBytes: 1 << 20, maxPairs: 1000 });
  private readonly reader = new FrameReader({ maxControlPayload: 1 << 24, maxDataPayload: 1 << 24 });
  readonly streams = new Map<number, ClientStream>();
  readonly pings: number[] = [];
  readonly goAways: { lastStreamId: number; status: number }[] = [];
  readonly frames: Frame[] = [];
  closed = false;

  constructor(readonly socket: Duplex) {
    socket.on('data', (c: Buffer) => {
      for (const f of this.reader.push(c)) this.onFrame(f);
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  private onFrame(f: Frame): void {
    this.frames.push(f);
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      if (!s) return;
      if (f.payload.length) s.data.push(f.payload);
      if (f.flags & 1) s.fin = true;
      return;
    }
    const id = f.payload.length >= 4 ? f.payload.readUInt32BE(0) & 0x7fffffff : 0;
    switch (f.type) {
      case FrameType.synReply: {
        this.decoder.decode(f.payload.subarray(4));
        const s = this.streams.get(id);
        if (s) s.replied = true;
        return;
      }
      case FrameType.rstStream: {
        const s = this.streams.get(id);
        if (s) s.reset = f.payload.readUInt32BE(4);
        return;
      }
      case FrameType.ping:
        this.pings.push(f.payload.readUInt32BE(0));
        return;
      case FrameType.goAway:
        this.goAways.push({ lastStreamId: id, status: f.payload.readUInt32BE(4) });
        return;
    }
  }

  /** Opens a stream with these headers; returns its id. */
  open(headers: Record<string, string>, flags = 0): ClientStream {
    const id = this.nextId;
    this.nextId += 2;
    const s: ClientStream = { id, replied: false, data: [], fin: false, text: () => Buffer.concat(s.data).toString() };
    this.streams.set(id, s);
    this.socket.write(encodeSynStream(id, this.encoder.encode(Object.entries(headers)), flags));
    return s;
  }

  /** A SYN_STREAM with any id (valid or not), its block from this client's own context. */
  synStream(id: number, headers: Record<string, string>, flags = 0): void {
    this.socket.write(encodeSynStream(id, this.encoder.encode(Object.entries(headers)), flags));
  }

  send(id: number, data: Buffer | string, fin = false): void {
    this.socket.write(encodeData(id, Buffer.from(data), fin));
  }

  fin(id: number): void {
    this.send(id, Buffer.alloc(0), true);
  }

  reset(id: number, status = 5): void {
    this.socket.write(encodeRstStream(id, status));
  }

  ping(id: number): void {
    this.socket.write(encodePing(id));
  }

  raw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  headersOf(block: Buffer): SpdyHeaders {
    return this.decoder.decode(block);
  }
}
