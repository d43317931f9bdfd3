// The node's ImageService over OCI registries: pulls into a content-addressed store,
// unpacks each layer once, keeps image records on disk, and hands the runtime the
// layer directories of an image (ImageLayers) and removes unused images by disk usage
// (ImageGarbageCollector).

import fs from 'node:fs/promises';
import { NotFoundError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logging.js';
import type { ImageGarbageCollector, ImageLayers, ResolvedImage } from '../cri/layers.js';
import type { ImageService } from '../cri/services.js';
import type { AuthConfig, Image, ImageFilesystemUsage, ImageSpec } from '../cri/types.js';
import { isDigest } from './digest.js';
import { bytesToFree, validateThresholds, type DiskUsage, type GcThresholds } from './gcPlan.js';
import { findImage, namedBy } from './imageLookup.js';
import { LayerStore } from './layers/layerStore.js';
import type { OverlayMarkOptions } from './layers/overlayMarks.js';
import type { Platform } from './manifest.js';
import { Mutex } from './mutex.js';
import { pull } from './pull.js';
import { formatReference, parseReference, repoDigest, repoTag, type ImageReference } from './reference.js';
import { credentialKey, credentialsFrom, RegistryHosts, type Credentials, type RegistriesConfig } from './registry/hosts.js';
import { RegistryResolver } from './registry/resolver.js';
import { BlobStore } from './store/blobStore.js';
import { ImageRecordStore, type ImageRecord } from './store/imageRecords.js';
import { StoreLayout } from './store/layout.js';

export interface RegistryImageServiceOptions {
  /** Root of the store, e.g. /var/lib/gantry/images. */
  root: string;
  registries?: RegistriesConfig;
  log?: Logger;
  /** Default: linux and the architecture Node runs on (amd64, arm64). */
  platform?: Platform;
  now?: () => number;
  /** Disk usage of the store's filesystem; default statfs(2) of root. */
  diskUsage?: (path: string) => Promise<DiskUsage>;
  /** Layers downloaded and unpacked at once per pull (default 3). */
  layerConcurrency?: number;
  /** Registry socket idle timeout (default 60 s). */
  timeoutMs?: number;
  overlay?: OverlayMarkOptions;
}

export function nodePlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

async function statfsUsage(path: string): Promise<DiskUsage> {
  const s = await fs.statfs(path);
  return { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize };
}

export class RegistryImageService implements ImageService, ImageLayers, ImageGarbageCollector {
  private readonly layout: StoreLayout;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly platform: Platform;
  private readonly opts: RegistryImageServiceOptions;
  private readonly blobs: BlobStore;
  private readonly layers: LayerStore;
  private readonly records: ImageRecordStore;
  private readonly resolver: RegistryResolver;
  private readonly images = new Map<string, ImageRecord>();
  private readonly pulls = new Map<string, Promise<string>>();
  /** Digests a pull in progress needs, with how many pulls need them. */
  private readonly pins = new Map<string, number>();
  private readonly lock = new Mutex();

  private constructor(opts: RegistryImageServiceOptions) {
    this.opts = opts;
    this.layout = new StoreLayout(opts.root);
    this.log = (opts.log ?? silentLogger()).child({ component: 'imageService' });
    this.now = opts.now ?? Date.now;
    this.platform = opts.platform ?? nodePlatform();
    this.blobs = new BlobStore(this.layout);
    const layerOpts: ConstructorParameters<typeof LayerStore>[1] = { log: this.log, now: this.now };
    if (opts.overlay) layerOpts.overlay = opts.overlay;
    this.layers = new LayerStore(this.layout, layerOpts);
    this.records = new ImageRecordStore(this.layout, this.log);
    const resolverOpts: ConstructorParameters<typeof RegistryResolver>[0] = { hosts: new RegistryHosts(opts.registries ?? {}), log: this.log, now: this.now };
    if (opts.timeoutMs !== undefined) resolverOpts.timeoutMs = opts.timeoutMs;
    this.resolver = new RegistryResolver(resolverOpts);
  }

  /** Opens (or creates) the store: cleans leftovers of an interrupted run, loads records. */
  static async open(opts: RegistryImageServiceOptions): Promise<RegistryImageService> {
    const svc = new RegistryImageService(opts);
    await svc.init();
    return svc;
  }

  private async init(): Promise<void> {
    await fs.mkdir(this.layout.root, { recursive: true, mode: 0o700 });
    await this.blobs.init();
    await this.layers.init();
    for (const rec of await this.records.load()) {
      const missing = rec.layers.find((l) => !this.layers.has(l));
      if (missing) {
        this.log.warn('dropping image whose layer is gone', { image: rec.id, layer: missing });
        await this.records.remove(rec.id);
        continue;
      }
      this.images.set(rec.id, rec);
    }
    // Layers and blobs no record names are leftovers of a pull cut short.
    await this.removeUnreferenced();
  }

  close(): void {
    this.resolver.close();
  }

  // ---- ImageService -------------------------------------------------------------

  async pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string> {
    if (isDigest(image.image) || /^[a-f0-9]{64}$/.test(image.image)) {
      // An image id can only name an image that is already here.
      const rec = findImage(this.images.values(), image.image);
      if (rec) return rec.id;
      throw new NotFoundError({ resource: 'images', name: image.image });
    }
    const ref = parseReference(image.image);
    const credentials = credentialsFrom(auth);
    // Only pulls with the same credentials share: one caller's secret never serves another.
    const key = `${formatReference(ref)} ${credentialKey(credentials)}`;
    let p = this.pulls.get(key);
    if (!p) {
      p = this.doPull(ref, credentials).finally(() => this.pulls.delete(key));
      this.pulls.set(key, p);
    }
    return p;
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    const rec = findImage(this.images.values(), image.image);
    return rec ? this.toImage(rec) : undefined;
  }

  async listImages(filter?: { image?: ImageSpec }): Promise<Image[]> {
    if (filter?.image) {
      const rec = findImage(this.images.values(), filter.image.image);
      return rec ? [this.toImage(rec)] : [];
    }
    return [...this.images.values()].map((r) => this.toImage(r));
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await this.lock.run(async () => {
      const rec = findImage(this.images.values(), image.image);
      if (!rec) return; // idempotent, as CRI's RemoveImage
      await this.removeRecord(rec);
    });
  }

  async imageFsInfo(): Promise<ImageFilesystemUsage[]> {
    let usedBytes = 0;
    let inodesUsed = 0;
    for (const l of this.layers.list()) {
      usedBytes += l.size;
      inodesUsed += l.entries;
    }
    for (const d of await this.blobs.list()) {
      try {
        usedBytes += (await fs.stat(this.blobs.path(d))).size;
        inodesUsed++;
      } catch {
        // removed meanwhile
      }
    }
    return [{ mountpoint: this.layout.root, usedBytes, inodesUsed }];
  }

  // ---- ImageLayers ----------------------------------------------------------------

  async resolve(image: string): Promise<ResolvedImage> {
    const rec = findImage(this.images.values(), image);
    if (!rec) throw new NotFoundError({ resource: 'images', name: image });
    rec.lastUsed = this.now();
    return { imageId: rec.id, layerDirs: rec.layers.map((l) => this.layers.dir(l)), config: structuredClone(rec.spec) };
  }

  // ---- ImageGarbageCollector ------------------------------------------------------

  async collect(inUse: ReadonlySet<string>, thresholds: GcThresholds): Promise<string[]> {
    validateThresholds(thresholds);
    return this.lock.run(async () => {
      const usage = await (this.opts.diskUsage ?? statfsUsage)(this.layout.root);
      let toFree = bytesToFree(usage, thresholds);
      if (toFree <= 0) return [];
      const candidates = [...this.images.values()]
        .filter((r) => !namedBy(r, inUse))
        .sort((a, b) => a.lastUsed - b.lastUsed || a.pulledAt - b.pulledAt);
      const removed: string[] = [];
      for (const rec of candidates) {
        if (toFree <= 0) break;
        toFree -= await this.removeRecord(rec);
        removed.push(rec.id);
      }
      this.log.info('image garbage collection', { removed: removed.length, stillToFree: Math.max(0, toFree) });
      return removed;
    });
  }

  // ---- internals ------------------------------------------------------------------

  private async doPull(ref: ImageReference, credentials: Credentials | undefined): Promise<string> {
    const started = this.now();
    const pinned: string[] = [];
    const pin = (d: string): void => {
      pinned.push(d);
      this.pins.set(d, (this.pins.get(d) ?? 0) + 1);
    };
    try {
      const pulled = await pull(
        { resolver: this.resolver, blobs: this.blobs, layers: this.layers, platform: this.platform, log: this.log, concurrency: this.opts.layerConcurrency ?? 3, pin },
        ref,
        credentials,
      );
      await this.lock.run(async () => {
        const tag = repoTag(ref);
        const digestRef = repoDigest(ref, pulled.topDigest);
        const now = this.now();
        // A tag names one image: move it here from whichever image had it.
        if (tag) {
          for (const other of this.images.values()) {
            if (other.id !== pulled.id && other.repoTags.includes(tag)) {
              other.repoTags = other.repoTags.filter((t) => t !== tag);
              await this.records.save(other);
            }
          }
        }
        const prev = this.images.get(pulled.id);
        const rec: ImageRecord = {
          id: pulled.id,
          repoTags: uniq([...(prev?.repoTags ?? []), ...(tag ? [tag] : [])]),
          repoDigests: uniq([...(prev?.repoDigests ?? []), digestRef]),
          layers: pulled.layers,
          spec: pulled.config.summary,
          pulledAt: prev?.pulledAt ?? now,
          lastUsed: now,
          blobs: uniq([...(prev?.blobs ?? []), ...pulled.blobs]),
        };
        await this.records.save(rec);
        this.images.set(rec.id, rec);
      });
      this.log.info('image pulled', { image: formatReference(ref), id: pulled.id, ms: this.now() - started });
      return pulled.id;
    } catch (e) {
      // Layers and blobs this pull stored but no image names (other pulls keep theirs pinned).
      this.log.warn('image pull failed', { image: formatReference(ref), error: e instanceof Error ? e.message : String(e) });
      await this.lock.run(async () => {
        for (const d of pinned) this.unpin(d);
        pinned.length = 0;
        await this.removeUnreferenced();
      });
      throw e;
    } finally {
      for (const d of pinned) this.unpin(d);
    }
  }

  private unpin(digest: string): void {
    const n = (this.pins.get(digest) ?? 1) - 1;
    if (n <= 0) this.pins.delete(digest);
    else this.pins.set(digest, n);
  }

  /** Deletes an image and whatever only it used; returns the bytes freed. Call under the lock. */
  private async removeRecord(rec: ImageRecord): Promise<number> {
    this.images.delete(rec.id);
    await this.records.remove(rec.id);
    const freed = await this.removeUnreferenced();
    this.log.info('image removed', { id: rec.id, tags: rec.repoTags, freedBytes: freed });
    return freed;
  }

  /** Removes layers and blobs that no image names and no pull holds. */
  private async removeUnreferenced(): Promise<number> {
    const layersUsed = new Set<string>();
    const blobsUsed = new Set<string>();
    for (const r of this.images.values()) {
      r.layers.forEach((l) => layersUsed.add(l));
      r.blobs.forEach((b) => blobsUsed.add(b));
      blobsUsed.add(r.id);
    }
    let freed = 0;
    for (const l of this.layers.list()) {
      if (layersUsed.has(l.diffId) || this.pins.has(l.diffId)) continue;
      freed += l.size;
      await this.layers.remove(l.diffId);
    }
    for (const b of await this.blobs.list()) {
      if (blobsUsed.has(b) || this.pins.has(b)) continue;
      try {
        freed += (await fs.stat(this.blobs.path(b))).size;
      } catch {
        // already gone
      }
      await this.blobs.remove(b);
    }
    return freed;
  }

  private toImage(rec: ImageRecord): Image {
    const size = rec.layers.reduce((n, l) => n + (this.layers.info(l)?.size ?? 0), 0);
    return { id: rec.id, repoTags: [...rec.repoTags], repoDigests: [...rec.repoDigests], size, spec: structuredClone(rec.spec) };
  }
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}
