// Content-addressed blobs. A blob is streamed into ingest/ while being hashed and
// counted, and renamed to blobs/<alg>/<hex> only when its digest and size match its
// descriptor; a failed or interrupted download leaves nothing under blobs/.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashingStream, isDigest, parseDigest } from '../digest.js';
import { ApiError } from '../../../common/errors.js';
import { ContentVerificationError, RegistryError } from '../errors.js';
import { emptyDir } from '../../../common/atomicFile.js';
import type { StoreLayout } from './layout.js';

export interface BlobDescriptor {
  digest: string;
  size: number;
}

export class BlobStore {
  private readonly layout: StoreLayout;
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(layout: StoreLayout) {
    this.layout = layout;
  }

  async init(): Promise<void> {
    await fs.mkdir(this.layout.blobs, { recursive: true, mode: 0o700 });
    await emptyDir(this.layout.ingest);
  }

  path(digest: string): string {
    return this.layout.blob(digest);
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await fs.stat(this.path(digest))).isFile();
    } catch {
      return false;
    }
  }

  async read(digest: string): Promise<Buffer> {
    return fs.readFile(this.path(digest));
  }

  /**
   * Stores a blob from `open()` unless it is already present; returns its path.
   * Concurrent calls for one digest share the download.
   */
  async ingest(desc: BlobDescriptor, open: () => Promise<{ body: Readable; length?: number }>): Promise<string> {
    const final = this.path(desc.digest);
    if (await this.has(desc.digest)) return final;
    let p = this.inflight.get(desc.digest);
    if (!p) {
      p = this.download(desc, open, final).finally(() => this.inflight.delete(desc.digest));
      this.inflight.set(desc.digest, p);
    }
    return p;
  }

  /** Stores bytes already in memory (a manifest) after checking them. */
  async put(desc: BlobDescriptor, bytes: Buffer): Promise<string> {
    return this.ingest(desc, async () => ({ body: Readable.from([bytes]), length: bytes.length }));
  }

  async remove(digest: string): Promise<void> {
    await fs.rm(this.path(digest), { force: true });
  }

  /** Digests of every stored blob. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const alg of ['sha256', 'sha512']) {
      let names: string[] = [];
      try {
        names = await fs.readdir(path.join(this.layout.blobs, alg));
      } catch {
        continue;
      }
      out.push(...names.map((n) => `${alg}:${n}`).filter(isDigest));
    }
    return out;
  }

  private async download(desc: BlobDescriptor, open: () => Promise<{ body: Readable; length?: number }>, final: string): Promise<string> {
    const { algorithm } = parseDigest(desc.digest);
    const src = await open();
    if (src.length !== undefined && src.length !== desc.size) {
      src.body.destroy();
      throw new ContentVerificationError(desc.digest, `the registry sent ${src.length} bytes, the descriptor says ${desc.size}`);
    }
    const tmp = path.join(this.layout.ingest, `${parseDigest(desc.digest).hex.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    const hasher = new HashingStream(algorithm, { maxBytes: desc.size, label: desc.digest });
    try {
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      await pipeline(src.body, hasher, out);
      if (hasher.bytes !== desc.size) throw new ContentVerificationError(desc.digest, `got ${hasher.bytes} bytes, the descriptor says ${desc.size}`);
      const got = hasher.digest();
      if (got !== desc.digest) throw new ContentVerificationError(desc.digest, `the bytes received hash to ${got}`);
      const fh = await fs.open(tmp, 'r');
      await fh.sync();
      await fh.close();
      await fs.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      await fs.rename(tmp, final);
      return final;
    } catch (e) {
      await fs.rm(tmp, { force: true });
      if (e instanceof ApiError) throw e;
      throw new RegistryError(`download of ${desc.digest} failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
    }
  }
}
