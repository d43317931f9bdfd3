// The server end of a SPDY/3.1 session over any byte duplex (an upgraded TLS socket, or the
// byte stream inside a websocket). Streams are opened by the client; each is answered with a
// SYN_REPLY at once (as the kubelet does) and handed out as a Duplex: DATA in, DATA out, FIN
// as end. PINGs are echoed. kubectl never sends WINDOW_UPDATE, so the server does not hold
// its output to windows; memory stays bounded by pausing the socket while a stream's reader
// lags (the only brake SPDY leaves without flow control, and the one spdystream uses).
// Framing errors end the session with GOAWAY; a bad stream is reset, never a crash.

import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  encodeData,
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  flagFin,
  FrameReader,
  FrameType,
  GoAwayStatus,
  readStreamId,
  readU32,
  RstStatus,
  spdyVersion,
  SpdyProtocolError,
  type Frame,
} from './frames.js';
import { HeaderDecoder, HeaderEncoder, type SpdyHeaders } from './headerBlock.js';

export interface SpdySessionLimits {
  maxControlPayload: number;
  maxDataPayload: number;
  maxHeaderBlockBytes: number;
  maxHeaderPairs: number;
  /** Streams open at once; more are refused with RST_STREAM REFUSED_STREAM. */
  maxStreams: number;
  /** Bytes a stream may queue for its reader before the socket is paused. */
  streamReadHighWater: number;
}

export const defaultSessionLimits: SpdySessionLimits = {
  maxControlPayload: 64 * 1024,
  maxDataPayload: 4 * 1024 * 1024,
  maxHeaderBlockBytes: 64 * 1024,
  maxHeaderPairs: 64,
  maxStreams: 512,
  streamReadHighWater: 256 * 1024,
};

/** DATA frames the server writes are cut at this size so one stream cannot hog the socket. */
const maxOutFrame = 32 * 1024;

/** One client-opened stream. Readable: the client's DATA; writable: ours; end() sends FIN. */
export class SpdyStream extends Duplex {
  /** Set when the peer reset the stream or the session ended under it. */
  reset = false;
  private finSent = false;

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly session: SpdySession,
    highWater: number,
  ) {
    super({ readableHighWaterMark: highWater, allowHalfOpen: true });
    // Done both ways (or destroyed): the session forgets it, so a long port-forward session
    // never fills up with finished streams. One destroyed half-way is reset for the peer.
    this.once('end', () => session.maybeForget(this));
    this.once('close', () => {
      if (!this.finished) {
        this.reset = true;
        session.sendReset(id, RstStatus.cancel);
      }
      session.forget(this);
    });
  }

  /** The first value of a request header (names are lower case). */
  header(name: string): string | undefined {
    return this.headers.get(name)?.[0];
  }

  override _read(): void {
    this.session.streamWantsData(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.reset || this.finSent) return cb();
    this.session.sendData(this.id, chunk, false, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.sendFin();
    cb();
  }

  /** Closes our half: an empty DATA frame with FIN. */
  sendFin(): void {
    if (this.reset || this.finSent) return;
    this.finSent = true;
    this.session.sendData(this.id, Buffer.alloc(0), true, () => this.session.maybeForget(this));
  }

  get finished(): boolean {
    return this.reset || (this.finSent && this.readableEnded);
  }

  /** Abandons the stream both ways with RST_STREAM. */
  resetStream(status: number = RstStatus.cancel): void {
    if (this.reset) return;
    this.reset = true;
    this.session.sendReset(this.id, status);
    this.session.forget(this);
    this.push(null);
    this.destroy();
  }
}

interface SessionEvents {
  stream: [stream: SpdyStream];
  close: [];
  protocolError: [error: Error];
}

export class SpdySession extends EventEmitter<SessionEvents> {
  private readonly reader: FrameReader;
  private readonly decoder: HeaderDecoder;
  private readonly encoder = new HeaderEncoder();
  private readonly streams = new Map<number, SpdyStream>();
  private lastClientStreamId = 0;
  private goneAway = false;
  private closed = false;
  private paused = false;
  /** Streams whose reader has more than it asked for; the socket reads again when none has. */
  private readonly stalled = new Set<SpdyStream>();

  constructor(
    private readonly socket: Duplex,
    private readonly limits: SpdySessionLimits = defaultSessionLimits,
  ) {
    super();
    this.reader = new FrameReader(limits);
    this.decoder = new HeaderDecoder({ maxBlockBytes: limits.maxHeaderBlockBytes, maxPairs: limits.maxHeaderPairs });
  }

  /** Starts reading; `head` is what the client sent right behind its upgrade request. Listen for 'stream' first. */
  start(head?: Buffer): void {
    const { socket } = this;
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
    socket.on('end', () => this.teardown());
    if (head && head.length > 0) this.onBytes(head);
    socket.resume();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Streams currently open. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Says goodbye (GOAWAY) and ends the byte stream once what was written is flushed. */
  close(): void {
    if (this.closed) return;
    this.write(encodeGoAway(this.lastClientStreamId, GoAwayStatus.ok));
    this.goneAway = true;
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
    this.teardown();
  }

  // ---- inbound ------------------------------------------------------------------------

  private onBytes(chunk: Buffer): void {
    if (this.closed) return;
    try {
      for (const f of this.reader.push(chunk)) this.onFrame(f);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.emit('protocolError', err);
      const status = e instanceof SpdyProtocolError ? e.status : GoAwayStatus.internalError;
      this.write(encodeGoAway(this.lastClientStreamId, status));
      this.socket.end();
      // A peer that never reads would keep the socket open; it gets a moment, not forever.
      setTimeout(() => this.destroy(), 2000).unref();
      this.teardown();
    }
  }

  private onFrame(f: Frame): void {
    if (!f.control) return this.onData(f.streamId, f.flags, f.payload);
    if (f.version !== spdyVersion) throw new SpdyProtocolError(`unsupported SPDY version ${f.version}`);
    switch (f.type) {
      case FrameType.synStream:
        return this.onSynStream(f.flags, f.payload);
      case FrameType.headers:
      case FrameType.synReply: {
        // Never expected from a client, but the block must still pass through the decoder
        // or the shared compression context falls out of step.
        const id = readStreamId(f.payload, 'HEADERS');
        this.decoder.decode(f.payload.subarray(4));
        if (f.flags & flagFin) this.streams.get(id)?.push(null);
        return;
      }
      case FrameType.rstStream: {
        const s = this.streams.get(readStreamId(f.payload, 'RST_STREAM'));
        readU32(f.payload, 4, 'RST_STREAM');
        if (s) this.peerReset(s);
        return;
      }
      case FrameType.ping: {
        const id = readU32(f.payload, 0, 'PING');
        // Odd ids are the client's own pings: echo them. Even ones would answer ours; we send none.
        if (id % 2 === 1) this.write(encodePing(id));
        return;
      }
      case FrameType.goAway:
        this.goneAway = true;
        return;
      case FrameType.settings:
      case FrameType.windowUpdate:
      default:
        // SETTINGS and WINDOW_UPDATE carry nothing this server acts on; unknown types are ignored as SPDY/3 asks.
        return;
    }
  }

  private onSynStream(flags: number, payload: Buffer): void {
    if (payload.length < 10) throw new SpdyProtocolError(`SYN_STREAM frame too short (${payload.length} bytes)`);
    const id = payload.readUInt32BE(0) & 0x7fffffff;
    // Decode first: the block belongs to the shared context even when the stream is refused.
    const headers = this.decoder.decode(payload.subarray(10));
    if (id === 0 || id % 2 === 0 || id <= this.lastClientStreamId) {
      this.sendReset(id, RstStatus.protocolError);
      return;
    }
    this.lastClientStreamId = id;
    if (this.goneAway || this.streams.size >= this.limits.maxStreams) {
      this.sendReset(id, RstStatus.refusedStream);
      return;
    }
    const stream = new SpdyStream(id, headers, this, this.limits.streamReadHighWater);
    this.streams.set(id, stream);
    stream.on('error', () => undefined);
    this.write(encodeSynReply(id, this.encoder.encode([]), false));
    if (flags & flagFin) stream.push(null);
    this.emit('stream', stream);
  }

  private onData(id: number, flags: number, payload: Buffer): void {
    const s = this.streams.get(id);
    if (!s) {
      // Data for a stream never opened is the peer's bug; for one we already closed it is a race.
      if (id > this.lastClientStreamId || id % 2 === 0) this.sendReset(id, RstStatus.invalidStream);
      return;
    }
    if (s.readableEnded || s.reset) {
      this.sendReset(id, RstStatus.streamAlreadyClosed);
      return;
    }
    if (payload.length > 0 && !s.push(payload)) {
      this.stalled.add(s);
      if (!this.paused) {
        this.paused = true;
        this.socket.pause();
      }
    }
    if (flags & flagFin) {
      s.push(null);
      this.maybeForget(s);
    }
  }

  private peerReset(s: SpdyStream): void {
    s.reset = true;
    this.forget(s);
    s.push(null);
    s.destroy();
  }

  // ---- called by streams -----------------------------------------------------------------

  /** A stream's reader asked for more (Readable._read), or the stream is gone. */
  streamWantsData(s: SpdyStream): void {
    this.stalled.delete(s);
    if (!this.paused || this.stalled.size > 0 || this.closed) return;
    this.paused = false;
    this.socket.resume();
  }

  sendData(id: number, data: Buffer, fin: boolean, cb: () => void): void {
    if (this.closed) return cb();
    if (data.length <= maxOutFrame) return this.write(encodeData(id, data, fin), cb);
    for (let at = 0; at < data.length; at += maxOutFrame) {
      const last = at + maxOutFrame >= data.length;
      this.write(encodeData(id, data.subarray(at, at + maxOutFrame), fin && last), last ? cb : undefined);
    }
  }

  sendReset(id: number, status: number): void {
    this.write(encodeRstStream(id, status));
  }

  maybeForget(s: SpdyStream): void {
    if (s.finished) this.forget(s);
  }

  forget(s: SpdyStream): void {
    this.streams.delete(s.id);
    this.streamWantsData(s);
  }

  private write(frame: Buffer, cb?: () => void): void {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) {
      cb?.();
      return;
    }
    this.socket.write(frame, cb ? () => cb() : undefined);
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      s.reset = true;
      s.push(null);
      s.destroy();
    }
    this.streams.clear();
    this.emit('close');
  }
}
