// Finding a present image by what a caller may hold: its id (`sha256:...` or the bare
// 64-hex form), a tagged reference (`busybox`, `gantry/web:v1`) or a digested one.

import { isDigest } from './digest.js';
import { parseReference, repoDigest, repoTag } from './reference.js';
import type { ImageRecord } from './store/imageRecords.js';

export function findImage(records: Iterable<ImageRecord>, image: string): ImageRecord | undefined {
  const all = [...records];
  const id = /^[a-f0-9]{64}$/.test(image) ? `sha256:${image}` : image;
  if (isDigest(id)) return all.find((r) => r.id === id);
  const ref = parseReference(image);
  if (ref.digest) {
    const want = repoDigest(ref, ref.digest);
    return all.find((r) => r.repoDigests.includes(want));
  }
  const tag = repoTag(ref);
  return all.find((r) => tag !== undefined && r.repoTags.includes(tag));
}

/** Whether any of `names` (ids or references) names this record. */
export function namedBy(rec: ImageRecord, names: ReadonlySet<string>): boolean {
  for (const n of names) {
    try {
      if (findImage([rec], n)) return true;
    } catch {
      // not a reference: cannot name this image
    }
  }
  return false;
}
