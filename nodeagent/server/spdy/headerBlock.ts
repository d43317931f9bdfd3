// SPDY/3 header blocks: a count and length-prefixed name/value pairs, zlib-compressed with
// the SPDY/3 dictionary through ONE compression context per direction for the whole session
// (every block continues the previous one's stream, ended with a sync flush). Losing a block
// desynchronises the context, so a block that fails to decode is a session error.

import { Deflate, Inflate, Z_SYNC_FLUSH } from 'pako';
import { spdy3Dictionary } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

/** Header names are lower case on the wire; a name may carry several values joined by NUL. */
export type SpdyHeaders = Map<string, string[]>;

export interface HeaderLimits {
  /** Bytes of one decompressed block (a zlib bomb stops here). */
  maxBlockBytes: number;
  maxPairs: number;
}

export class HeaderDecoder {
  private readonly inflate = new Inflate({ dictionary: spdy3Dictionary, chunkSize: 16 * 1024 });
  private out: Uint8Array[] = [];
  private outBytes = 0;
  private overflow = false;

  constructor(private readonly limits: HeaderLimits) {
    this.inflate.onData = (chunk) => {
      this.outBytes += chunk.length;
      if (this.outBytes > this.limits.maxBlockBytes) this.overflow = true;
      else this.out.push(chunk);
    };
  }

  decode(block: Buffer): SpdyHeaders {
    this.out = [];
    this.outBytes = 0;
    this.overflow = false;
    const ok = this.inflate.push(block, Z_SYNC_FLUSH);
    if (!ok || this.inflate.err) throw new SpdyProtocolError(`header block does not decompress: ${this.inflate.msg || 'zlib error ' + String(this.inflate.err)}`);
    if (this.overflow) throw new SpdyProtocolError(`header block larger than ${this.limits.maxBlockBytes} bytes`);
    return parsePairs(Buffer.concat(this.out), this.limits.maxPairs);
  }
}

function parsePairs(raw: Buffer, maxPairs: number): SpdyHeaders {
  let at = 0;
  const u32 = (): number => {
    if (at + 4 > raw.length) throw new SpdyProtocolError('truncated header block');
    const v = raw.readUInt32BE(at);
    at += 4;
    return v;
  };
  const bytes = (): string => {
    const n = u32();
    if (at + n > raw.length) throw new SpdyProtocolError('truncated header block');
    const s = raw.toString('latin1', at, at + n);
    at += n;
    return s;
  };
  const count = u32();
  if (count > maxPairs) throw new SpdyProtocolError(`header block with ${count} pairs (limit ${maxPairs})`);
  const headers: SpdyHeaders = new Map();
  for (let i = 0; i < count; i++) {
    const name = bytes();
    const value = bytes();
    if (name === '') throw new SpdyProtocolError('empty header name');
    // kubectl's Go framer lowercases names; be lenient about anyone else's case.
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), ...value.split('\0')]);
  }
  if (at !== raw.length) throw new SpdyProtocolError('trailing bytes after the header pairs');
  return headers;
}

export class HeaderEncoder {
  private readonly deflate = new Deflate({ dictionary: spdy3Dictionary, level: 6 });
  private out: Uint8Array[] = [];

  constructor() {
    this.deflate.onData = (chunk) => void this.out.push(chunk);
  }

  encode(pairs: readonly (readonly [string, string])[]): Buffer {
    const parts: Buffer[] = [u32(pairs.length)];
    for (const [name, value] of pairs) {
      const n = Buffer.from(name.toLowerCase(), 'latin1');
      const v = Buffer.from(value, 'latin1');
      parts.push(u32(n.length), n, u32(v.length), v);
    }
    this.out = [];
    if (!this.deflate.push(Buffer.concat(parts), Z_SYNC_FLUSH)) throw new Error(`header compression failed: ${this.deflate.msg}`);
    return Buffer.concat(this.out);
  }
}

function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v);
  return b;
}

/** The first value of a header, or undefined. */
export function headerValue(h: SpdyHeaders, name: string): string | undefined {
  return h.get(name)?.[0];
}
