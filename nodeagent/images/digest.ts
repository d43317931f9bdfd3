// Digests name content. A digest string is checked against a strict grammar before it
// is used for anything else, above all before it becomes part of a file path.

import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ContentVerificationError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const digestPattern = /^(sha256|sha512):([a-f0-9]+)$/;

/** The parsed digest, or undefined when `s` is not exactly `sha256:<64 hex>` or `sha512:<128 hex>`. */
export function tryParseDigest(s: unknown): ParsedDigest | undefined {
  if (typeof s !== 'string') return undefined;
  const m = digestPattern.exec(s);
  if (!m) return undefined;
  const algorithm = m[1] as DigestAlgorithm;
  const hex = m[2]!;
  return hex.length === hexLength[algorithm] ? { algorithm, hex } : undefined;
}

export function isDigest(s: unknown): s is string {
  return tryParseDigest(s) !== undefined;
}

export function parseDigest(s: unknown, what = 'digest'): ParsedDigest {
  const d = tryParseDigest(s);
  if (!d) throw new ContentVerificationError(String(s).slice(0, 200), `${what} is not a valid sha256 or sha512 digest`);
  return d;
}

export function digestOf(data: Buffer | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/**
 * A pass-through stream that hashes what flows through it and refuses more than
 * `maxBytes`. After it ends, `digest()` tells what went through and `bytes` how much.
 */
export class HashingStream extends Transform {
  private readonly hash: Hash;
  private readonly algorithm: DigestAlgorithm;
  private readonly maxBytes: number;
  private readonly label: string;
  bytes = 0;

  constructor(algorithm: DigestAlgorithm, opts: { maxBytes?: number; label?: string } = {}) {
    super();
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
    this.maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    this.label = opts.label ?? 'stream';
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      cb(new ContentVerificationError(this.label, `more than the ${this.maxBytes} bytes its descriptor announced`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}
