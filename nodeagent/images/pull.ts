// One image pull: the top-level manifest (by tag or digest), through an index to the
// node's platform, the config, then every layer not yet unpacked. Every document and
// blob is checked against the digest that named it before it is used.

import type { Logger } from '../../common/logging.js';
import type { BlobStore } from './store/blobStore.js';
import type { LayerStore } from './layers/layerStore.js';
import { digestOf, parseDigest } from './digest.js';
import { ContentVerificationError, ManifestError } from './errors.js';
import { parseImageConfig, type ImageConfig } from './imageConfig.js';
import { maxManifestBytes, parseManifestDocument, selectPlatform, type Descriptor, type ImageManifest, type Platform } from './manifest.js';
import { layerCompression } from './mediaTypes.js';
import { formatReference, type ImageReference } from './reference.js';
import type { ImageSource, RegistryResolver } from './registry/resolver.js';
import type { Credentials } from './registry/hosts.js';

export interface PullDeps {
  resolver: RegistryResolver;
  blobs: BlobStore;
  layers: LayerStore;
  platform: Platform;
  log: Logger;
  /** Layers unpacked at once. */
  concurrency: number;
  /** Marks digests (layers, blobs) in use by this pull so removal and GC leave them alone. */
  pin: (digest: string) => void;
}

export interface PulledImage {
  id: string;
  /** The digest of the top-level document (index or manifest): the repo digest. */
  topDigest: string;
  /** Every manifest and config blob kept for this image. */
  blobs: string[];
  layers: string[];
  config: ImageConfig;
}

const maxIndexDepth = 2;

export async function pull(deps: PullDeps, ref: ImageReference, credentials?: Credentials): Promise<PulledImage> {
  const name = formatReference(ref);
  const { source, manifest: top } = await deps.resolver.resolve(ref, maxManifestBytes, credentials);
  const algorithm = ref.digest ? parseDigest(ref.digest).algorithm : 'sha256';
  const topDigest = digestOf(top.bytes, algorithm);
  if (ref.digest && topDigest !== ref.digest) throw new ContentVerificationError(ref.digest, `${source.where} served a manifest that hashes to ${topDigest}`);
  if (top.claimedDigest && top.claimedDigest.startsWith(`${algorithm}:`) && top.claimedDigest !== topDigest) {
    throw new ContentVerificationError(topDigest, `${source.where} claims digest ${top.claimedDigest} for it`);
  }
  const blobs: string[] = [];
  let doc = parseManifestDocument(top.bytes, { what: `manifest of ${name}`, ...(top.contentType ? { contentType: top.contentType } : {}) });
  deps.pin(topDigest);
  await deps.blobs.put({ digest: topDigest, size: top.bytes.length }, top.bytes);
  blobs.push(topDigest);
  for (let depth = 0; doc.kind === 'index'; depth++) {
    if (depth >= maxIndexDepth) throw new ManifestError(`manifest of ${name}`, `indexes nested deeper than ${maxIndexDepth}`);
    const chosen = selectPlatform(doc, deps.platform, `index of ${name}`);
    const bytes = await fetchManifest(source, chosen);
    doc = parseManifestDocument(bytes, { what: `manifest ${chosen.digest} of ${name}`, expectedMediaType: chosen.mediaType });
    deps.pin(chosen.digest);
    await deps.blobs.put(chosen, bytes);
    blobs.push(chosen.digest);
  }
  const manifest: ImageManifest = doc;
  deps.pin(manifest.config.digest);
  await deps.blobs.ingest(manifest.config, () => source.blob(manifest.config.digest));
  blobs.push(manifest.config.digest);
  const config = parseImageConfig(await deps.blobs.read(manifest.config.digest), manifest, deps.platform, `config ${manifest.config.digest} of ${name}`);
  await forEachLimit(manifest.layers.map((d, i) => ({ d, diffId: config.diffIds[i]! })), deps.concurrency, ({ d, diffId }) => fetchLayer(deps, source, d, diffId));
  return { id: manifest.config.digest, topDigest, blobs, layers: config.diffIds, config };
}

async function fetchManifest(source: ImageSource, desc: Descriptor): Promise<Buffer> {
  const got = await source.manifest(desc.digest, Math.min(desc.size, maxManifestBytes));
  if (got.bytes.length !== desc.size) throw new ContentVerificationError(desc.digest, `${source.where} served ${got.bytes.length} bytes, the index says ${desc.size}`);
  const digest = digestOf(got.bytes, parseDigest(desc.digest).algorithm);
  if (digest !== desc.digest) throw new ContentVerificationError(desc.digest, `${source.where} served a manifest that hashes to ${digest}`);
  return got.bytes;
}

async function fetchLayer(deps: PullDeps, source: ImageSource, desc: Descriptor, diffId: string): Promise<void> {
  deps.pin(diffId);
  if (deps.layers.has(diffId)) return;
  const compression = layerCompression(desc.mediaType);
  if (typeof compression === 'object') throw new ManifestError(`layer ${desc.digest}`, compression.refused);
  const started = Date.now();
  deps.pin(desc.digest);
  const blobPath = await deps.blobs.ingest(desc, () => source.blob(desc.digest));
  try {
    await deps.layers.unpack(diffId, blobPath, compression, desc.digest);
  } finally {
    // The compressed blob is not needed once unpacked, and must not linger if it was refused.
    await deps.blobs.remove(desc.digest);
  }
  deps.log.debug('layer pulled', { digest: desc.digest, diffId, ms: Date.now() - started });
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}
