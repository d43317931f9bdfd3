// SPDY/3.1 framing (the wire kubectl's moby/spdystream speaks): an incremental reader that
// cuts the byte stream into frames within fixed size limits, and the encoders of the frames a
// server sends. Header blocks stay compressed here; headerBlock.ts owns their zlib contexts.

export const spdyVersion = 3;

export const FrameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** Flag bit of DATA, SYN_STREAM, SYN_REPLY and HEADERS frames: the sender's half is closed. */
export const flagFin = 0x01;
/** SYN_STREAM: the receiver may not send on this stream. */
export const flagUnidirectional = 0x02;

export const RstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
  frameTooLarge: 11,
} as const;

export const GoAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;

const headerBytes = 8;
const streamIdMask = 0x7fffffff;

export type Frame =
  | { control: true; version: number; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; payload: Buffer };

export interface FrameLimits {
  /** Largest control frame payload accepted (SYN_STREAM header blocks, SETTINGS, ...). */
  maxControlPayload: number;
  /** Largest DATA frame payload accepted. */
  maxDataPayload: number;
}

/** The peer broke the framing; the session cannot continue. */
export class SpdyProtocolError extends Error {
  constructor(
    message: string,
    readonly status: number = GoAwayStatus.protocolError,
  ) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

/** Cuts a byte stream into frames. Holds at most one frame's bytes plus one chunk. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly limits: FrameLimits) {}

  /** The complete frames that `chunk` finishes; throws SpdyProtocolError on a frame over the limits. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length === 0) return [];
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.pendingBytes < headerBytes) break;
      const head = this.peek(headerBytes);
      const control = (head[0]! & 0x80) !== 0;
      const flags = head[4]!;
      const length = head.readUIntBE(5, 3);
      const limit = control ? this.limits.maxControlPayload : this.limits.maxDataPayload;
      if (length > limit) throw new SpdyProtocolError(`${control ? 'control' : 'data'} frame of ${length} bytes exceeds the limit of ${limit}`);
      if (this.pendingBytes < headerBytes + length) break;
      const whole = this.take(headerBytes + length);
      const payload = whole.subarray(headerBytes);
      if (control) frames.push({ control, version: head.readUInt16BE(0) & 0x7fff, type: head.readUInt16BE(2), flags, payload });
      else frames.push({ control, streamId: head.readUInt32BE(0) & streamIdMask, flags, payload });
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.pending[0]!.length >= n) return this.pending[0]!;
    this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!;
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    // Copy out so a small frame never pins a large chunk.
    return Buffer.from(all.subarray(0, n));
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(headerBytes + payload.length);
  out.writeUInt16BE(0x8000 | spdyVersion, 0);
  out.writeUInt16BE(type, 2);
  out.writeUInt8(flags, 4);
  out.writeUIntBE(payload.length, 5, 3);
  payload.copy(out, headerBytes);
  return out;
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

export function encodeData(streamId: number, data: Buffer, fin: boolean): Buffer {
  const out = Buffer.allocUnsafe(headerBytes + data.length);
  out.writeUInt32BE(streamId & streamIdMask, 0);
  out.writeUInt8(fin ? flagFin : 0, 4);
  out.writeUIntBE(data.length, 5, 3);
  data.copy(out, headerBytes);
  return out;
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, fin: boolean): Buffer {
  return controlFrame(FrameType.synReply, fin ? flagFin : 0, Buffer.concat([u32s(streamId & streamIdMask), headerBlock]));
}

/** SYN_STREAM, for tests that play kubectl's part. */
export function encodeSynStream(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  return controlFrame(FrameType.synStream, flags, Buffer.concat([u32s(streamId & streamIdMask, 0), Buffer.from([0, 0]), headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return controlFrame(FrameType.rstStream, 0, u32s(streamId & streamIdMask, status));
}

export function encodePing(id: number): Buffer {
  return controlFrame(FrameType.ping, 0, u32s(id));
}

export function encodeGoAway(lastGoodStreamId: number, status: number): Buffer {
  return controlFrame(FrameType.goAway, 0, u32s(lastGoodStreamId & streamIdMask, status));
}

/** The fixed fields in front of a control frame's header block, or of its whole payload. */
export function readStreamId(payload: Buffer, what: string): number {
  if (payload.length < 4) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
  return payload.readUInt32BE(0) & streamIdMask;
}

export function readU32(payload: Buffer, offset: number, what: string): number {
  if (payload.length < offset + 4) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
  return payload.readUInt32BE(offset);
}
