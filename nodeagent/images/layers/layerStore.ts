// Unpacked layers, each in its own directory keyed by diffID (the digest of the
// uncompressed tar), shared by every image that has the layer. A layer is unpacked
// into tmp/ and renamed into place only after the whole tar was extracted safely and
// hashed to its diffID, so a present layer directory is always complete.

import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../../common/logging.js';
import { HashingStream, parseDigest } from '../digest.js';
import { ContentVerificationError } from '../errors.js';
import type { LayerCompression } from '../mediaTypes.js';
import { emptyDir, writeFileAtomic } from '../../../common/atomicFile.js';
import type { StoreLayout } from '../store/layout.js';
import { decompressor } from './decompress.js';
import type { OverlayMarkOptions } from './overlayMarks.js';
import { extractLayer } from './safeExtract.js';

export interface LayerInfo {
  diffId: string;
  /** Bytes of file content. */
  size: number;
  /** Entries in the tarball (about the inodes it uses). */
  entries: number;
  createdAt: number;
}

export interface LayerStoreOptions {
  log: Logger;
  now?: () => number;
  overlay?: OverlayMarkOptions;
  preserveOwnership?: boolean;
}

export class LayerStore {
  private readonly layout: StoreLayout;
  private readonly opts: LayerStoreOptions;
  private readonly known = new Map<string, LayerInfo>();
  private readonly inflight = new Map<string, Promise<LayerInfo>>();

  constructor(layout: StoreLayout, opts: LayerStoreOptions) {
    this.layout = layout;
    this.opts = opts;
  }

  /** Empties tmp/ and reads every complete layer's record. */
  async init(): Promise<void> {
    await emptyDir(this.layout.tmp);
    for (const alg of ['sha256', 'sha512']) {
      const dir = path.join(this.layout.layers, alg);
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      for (const hex of await fs.readdir(dir)) {
        const diffId = `${alg}:${hex}`;
        try {
          const info = JSON.parse(await fs.readFile(this.layout.layerMeta(diffId), 'utf8')) as LayerInfo;
          if (info.diffId !== diffId) throw new Error('record names another layer');
          this.known.set(diffId, info);
        } catch (e) {
          this.opts.log.warn('removing incomplete layer', { diffId: `${alg}:${hex}`, error: e instanceof Error ? e.message : String(e) });
          await this.discard(path.join(dir, hex));
        }
      }
    }
  }

  has(diffId: string): boolean {
    return this.known.has(diffId);
  }

  info(diffId: string): LayerInfo | undefined {
    return this.known.get(diffId);
  }

  list(): LayerInfo[] {
    return [...this.known.values()];
  }

  /** The unpacked root of the layer (only meaningful when has(diffId)). */
  dir(diffId: string): string {
    return this.layout.layerFs(diffId);
  }

  /** Unpacks a verified blob once; concurrent calls for the same diffID share the work. */
  async unpack(diffId: string, blobPath: string, compression: LayerCompression, label: string): Promise<LayerInfo> {
    const have = this.known.get(diffId);
    if (have) return have;
    let p = this.inflight.get(diffId);
    if (!p) {
      p = this.doUnpack(diffId, blobPath, compression, label).finally(() => this.inflight.delete(diffId));
      this.inflight.set(diffId, p);
    }
    return p;
  }

  async remove(diffId: string): Promise<void> {
    this.known.delete(diffId);
    await this.discard(this.layout.layer(diffId));
  }

  /** Moves a directory out of sight first, so a half-deleted layer is never taken for a layer. */
  private async discard(dir: string): Promise<void> {
    const doomed = path.join(this.layout.tmp, `removing-${path.basename(dir)}-${Date.now()}`);
    try {
      await fs.rename(dir, doomed);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    await fs.rm(doomed, { recursive: true, force: true });
  }

  private async doUnpack(diffId: string, blobPath: string, compression: LayerCompression, label: string): Promise<LayerInfo> {
    const { algorithm } = parseDigest(diffId, 'layer diffID');
    const started = Date.now();
    const work = await fs.mkdtemp(path.join(this.layout.tmp, 'layer-'));
    try {
      const root = path.join(work, 'fs');
      await fs.mkdir(root, { mode: 0o755 });
      const hasher = new HashingStream(algorithm, { label: diffId });
      const file = createReadStream(blobPath);
      const unzip = decompressor(compression);
      const feeding = unzip ? pipeline(file, unzip, hasher) : pipeline(file, hasher);
      feeding.catch(() => undefined); // surfaces through the extraction of hasher's output
      const extractOpts: Parameters<typeof extractLayer>[2] = { layer: label, log: this.opts.log };
      if (this.opts.overlay) extractOpts.overlay = this.opts.overlay;
      if (this.opts.preserveOwnership !== undefined) extractOpts.preserveOwnership = this.opts.preserveOwnership;
      const stats = await extractLayer(hasher, root, extractOpts);
      await feeding;
      const got = hasher.digest();
      if (got !== diffId) throw new ContentVerificationError(diffId, `layer ${label} uncompresses to ${got}, not the diffID its config names`);
      const info: LayerInfo = { diffId, size: stats.bytes, entries: stats.entries, createdAt: (this.opts.now ?? Date.now)() };
      await writeFileAtomic(path.join(work, 'layer.json'), JSON.stringify(info));
      const final = this.layout.layer(diffId);
      await fs.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      await fs.rename(work, final);
      this.known.set(diffId, info);
      this.opts.log.debug('layer unpacked', { diffId, layer: label, bytes: stats.bytes, entries: stats.entries, whiteouts: stats.whiteouts, skipped: stats.skipped, ms: Date.now() - started });
      return info;
    } catch (e) {
      await fs.rm(work, { recursive: true, force: true });
      throw e;
    }
  }
}
