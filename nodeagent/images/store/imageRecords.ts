// Image records persisted as one JSON file per image (atomic writes), so a restarted
// node agent finds the images it pulled. Files that do not parse are reported and
// ignored rather than trusted.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImageConfigSummary } from '../../cri/types.js';
import type { Logger } from '../../../common/logging.js';
import { isDigest } from '../digest.js';
import { writeFileAtomic } from '../../../common/atomicFile.js';
import type { StoreLayout } from './layout.js';

export interface ImageRecord {
  /** The config digest. */
  id: string;
  /** `docker.io/library/busybox:latest`, ... */
  repoTags: string[];
  /** `docker.io/library/busybox@sha256:...` (manifest digests). */
  repoDigests: string[];
  /** diffIDs of the layers, lowest first. */
  layers: string[];
  /** Manifests (index, platform manifest) and config kept for this image. */
  blobs: string[];
  spec: ImageConfigSummary;
  pulledAt: number;
  lastUsed: number;
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function isRecord(v: unknown): v is ImageRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const spec = r.spec as Record<string, unknown> | undefined;
  return (
    isDigest(r.id) &&
    isStrings(r.repoTags) &&
    isStrings(r.repoDigests) &&
    isStrings(r.layers) &&
    r.layers.every(isDigest) &&
    isStrings(r.blobs) &&
    r.blobs.every(isDigest) &&
    typeof r.pulledAt === 'number' &&
    typeof r.lastUsed === 'number' &&
    typeof spec === 'object' &&
    spec !== null &&
    isStrings(spec.entrypoint) &&
    isStrings(spec.cmd) &&
    isStrings(spec.env) &&
    typeof spec.workingDir === 'string' &&
    typeof spec.user === 'string' &&
    isStrings(spec.exposedPorts)
  );
}

export class ImageRecordStore {
  private readonly layout: StoreLayout;
  private readonly log: Logger;

  constructor(layout: StoreLayout, log: Logger) {
    this.layout = layout;
    this.log = log;
  }

  async load(): Promise<ImageRecord[]> {
    await fs.mkdir(this.layout.images, { recursive: true, mode: 0o700 });
    const out: ImageRecord[] = [];
    for (const name of await fs.readdir(this.layout.images)) {
      const file = path.join(this.layout.images, name);
      if (name.startsWith('.')) {
        await fs.rm(file, { force: true }); // an interrupted atomic write
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const rec: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
        if (!isRecord(rec) || this.layout.imageRecord(rec.id) !== file) throw new Error('not a valid image record');
        out.push(rec);
      } catch (e) {
        this.log.warn('ignoring unreadable image record', { file, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }

  async save(rec: ImageRecord): Promise<void> {
    await writeFileAtomic(this.layout.imageRecord(rec.id), JSON.stringify(rec, null, 2));
  }

  async remove(id: string): Promise<void> {
    await fs.rm(this.layout.imageRecord(id), { force: true });
  }
}
