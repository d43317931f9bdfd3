// The images a simulated node holds: records in memory, no blobs or layers. An image's id
// is the sha256 of its normalised reference, so every simulated node that pulls `busybox`
// gets the same id, as nodes pulling from one registry do. References configured as
// missing fail to pull like a registry's 404.

import { createHash } from 'node:crypto';
import type { ImageConfigSummary } from '../cri/types.js';
import { isDigest } from '../images/digest.js';
import { formatReference, parseReference, repoDigest, repoTag, repositoryName, type ImageReference } from '../images/reference.js';

export interface SimulatedImageRecord {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  spec: ImageConfigSummary;
  pulledAt: number;
}

export interface SimulatedImageStoreOptions {
  /** References that do not exist in the simulated registry (a name without tag or digest: every tag of it). */
  missingImages?: Iterable<string>;
  /** References present from the start, as if pulled earlier. */
  preloadedImages?: Iterable<string>;
  /** Image configs by reference (a name without tag or digest: every tag of it), for images whose default command or environment matters. */
  imageConfigs?: Record<string, Partial<ImageConfigSummary>>;
}

/** A busybox-like config: no entrypoint, `sh` as the command (a service, for the simulation). */
export const simulatedDefaultImageConfig: Readonly<ImageConfigSummary> = Object.freeze({
  entrypoint: [],
  cmd: ['sh'],
  env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  workingDir: '',
  user: '',
  exposedPorts: [],
});

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Whether the text names a tag or a digest (rather than only a repository). */
function namesVersion(reference: string): boolean {
  return reference.includes('@') || reference.slice(reference.lastIndexOf('/') + 1).includes(':');
}

export class SimulatedImageStore {
  private readonly images = new Map<string, SimulatedImageRecord>();
  private readonly missingRefs = new Set<string>();
  private readonly missingRepos = new Set<string>();
  private readonly configs = new Map<string, Partial<ImageConfigSummary>>();
  /** Pulls in flight by reference: concurrent pulls of one image share one. */
  readonly pulls = new Map<string, Promise<string>>();

  constructor(opts: SimulatedImageStoreOptions, now: number) {
    for (const [ref, config] of Object.entries(opts.imageConfigs ?? {})) {
      const parsed = parseReference(ref);
      this.configs.set(namesVersion(ref) ? formatReference(parsed) : repositoryName(parsed), config);
    }
    for (const ref of opts.missingImages ?? []) this.markMissing(ref);
    for (const ref of opts.preloadedImages ?? []) this.add(parseReference(ref), now);
  }

  /** Makes pulls of `reference` fail (or succeed again, with `missing` false). */
  markMissing(reference: string, missing = true): void {
    const ref = parseReference(reference);
    const set = namesVersion(reference) ? this.missingRefs : this.missingRepos;
    const key = namesVersion(reference) ? formatReference(ref) : repositoryName(ref);
    if (missing) set.add(key);
    else set.delete(key);
  }

  isMissing(ref: ImageReference): boolean {
    return this.missingRefs.has(formatReference(ref)) || this.missingRepos.has(repositoryName(ref));
  }

  /** The present image a caller's string names: an id (`sha256:...` or 64 hex) or a reference. */
  find(image: string): SimulatedImageRecord | undefined {
    const id = /^[a-f0-9]{64}$/.test(image) ? `sha256:${image}` : image;
    if (isDigest(id)) return this.images.get(id);
    const ref = parseReference(image);
    const name = ref.digest ? repoDigest(ref, ref.digest) : repoTag(ref);
    for (const r of this.images.values()) {
      if (name !== undefined && (r.repoTags.includes(name) || r.repoDigests.includes(name))) return r;
    }
    return undefined;
  }

  /** Records the image a pull of `ref` fetched; returns its id. */
  add(ref: ImageReference, now: number): string {
    const canonical = formatReference(ref);
    const hash = sha256(canonical);
    const id = `sha256:${hash}`;
    const existing = this.images.get(id);
    if (existing) return id;
    const tag = repoTag(ref);
    // A digest reference names its manifest; a tag gets a fake manifest digest of its own.
    const manifest = ref.digest ?? `sha256:${sha256(`manifest ${canonical}`)}`;
    this.images.set(id, {
      id,
      repoTags: tag ? [tag] : [],
      repoDigests: [repoDigest(ref, manifest)],
      // 1 to 64 MiB, fixed per reference.
      size: ((parseInt(hash.slice(0, 8), 16) % 64) + 1) * 1024 * 1024,
      spec: { ...structuredClone(simulatedDefaultImageConfig), ...structuredClone(this.configs.get(canonical) ?? this.configs.get(repositoryName(ref)) ?? {}) },
      pulledAt: now,
    });
    return id;
  }

  remove(id: string): void {
    this.images.delete(id);
  }

  list(): SimulatedImageRecord[] {
    return [...this.images.values()];
  }
}
