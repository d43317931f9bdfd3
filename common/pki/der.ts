// A minimal DER reader and writer: enough ASN.1 to read PKCS#10 requests and X.509
// certificates of any key type (RSA, ECDSA, Ed25519) and to write the certificates a signer
// issues. node-forge's ASN.1 layer only knows RSA keys, and Node's crypto reads keys and
// certificates but neither CSRs nor the raw bytes a signature covers.

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** One TLV: its tag byte, where its content starts and ends, and its whole encoding. */
export interface Tlv {
  tag: number;
  /** The content octets. */
  content: Buffer;
  /** The whole element (tag, length and content), as it appeared. */
  raw: Buffer;
}

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Reads the element at `offset`; multi-byte tags and indefinite lengths (BER) are refused. */
export function readTlv(buf: Buffer, offset = 0): Tlv & { end: number } {
  if (offset + 2 > buf.length) throw new DerError('truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let len = buf[offset + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite lengths are not DER');
    if (n > 4) throw new DerError('element too long');
    if (offset + 2 + n > buf.length) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i]!;
    header += n;
  }
  const start = offset + header;
  const end = start + len;
  if (end > buf.length) throw new DerError('truncated element');
  return { tag, content: buf.subarray(start, end), raw: buf.subarray(offset, end), end };
}

/** The children of a constructed element. */
export function children(el: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < el.content.length) {
    const c = readTlv(el.content, off);
    out.push(c);
    off = c.end;
  }
  return out;
}

/** The single element a buffer holds; trailing bytes are an error. */
export function readOne(buf: Buffer): Tlv {
  const el = readTlv(buf, 0);
  if (el.end !== buf.length) throw new DerError('trailing bytes after the element');
  return el;
}

export function expectTag(el: Tlv | undefined, tag: number, what: string): Tlv {
  if (!el || el.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found ${el ? '0x' + el.tag.toString(16) : 'nothing'}`);
  return el;
}

export function decodeOid(content: Buffer): string {
  if (content.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** The text of a directory string (UTF8, Printable, IA5, T61, BMP). */
export function decodeString(el: Tlv): string {
  switch (el.tag) {
    case Tag.utf8String:
    case Tag.printableString:
    case Tag.ia5String:
      return el.content.toString('utf8');
    case Tag.t61String:
      return el.content.toString('latin1');
    case Tag.bmpString: {
      const swapped = Buffer.from(el.content);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    default:
      throw new DerError(`unsupported string type 0x${el.tag.toString(16)}`);
  }
}

// ---- writing ---------------------------------------------------------------------

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer | Buffer[]): Buffer {
  const body = Array.isArray(content) ? Buffer.concat(content) : content;
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(Tag.sequence, items);

export function oid(dotted: string): Buffer {
  const p = dotted.split('.').map(Number);
  const out: number[] = [p[0]! * 40 + p[1]!];
  for (const n of p.slice(2)) {
    const bytes: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(Tag.oid, Buffer.from(out));
}

/** A non-negative INTEGER from big-endian bytes (a leading 0 added when the high bit is set). */
export function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(Tag.integer, b);
}

export const bitString = (bytes: Buffer, unusedBits = 0): Buffer => tlv(Tag.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]));
export const octetString = (bytes: Buffer): Buffer => tlv(Tag.octetString, bytes);
export const derNull = (): Buffer => Buffer.from([Tag.null, 0]);
export const derBoolean = (v: boolean): Buffer => Buffer.from([Tag.boolean, 1, v ? 0xff : 0]);
/** [n] EXPLICIT: a constructed context tag around one element. */
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function time(d: Date): Buffer {
  const iso = d.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  if (d.getUTCFullYear() < 2050) return tlv(Tag.utcTime, Buffer.from(`${digits.slice(2)}Z`));
  return tlv(Tag.generalizedTime, Buffer.from(`${digits}Z`));
}

// ---- PEM -------------------------------------------------------------------------

/** The DER inside the first PEM block of one of `labels`; throws when there is none. */
export function pemBlock(pem: string, labels: string[]): { label: string; der: Buffer } {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (!labels.includes(m[1]!)) continue;
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new DerError(`the ${m[1]} PEM block is not base64`);
    return { label: m[1]!, der: Buffer.from(body, 'base64') };
  }
  throw new DerError(`no PEM block of type ${labels.map((l) => JSON.stringify(l)).join(' or ')}`);
}

export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
