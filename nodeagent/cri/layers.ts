// What the runtime needs from the image store to build a container's root filesystem:
// the image's unpacked layer directories (shared, read-only) and its config.

import type { ImageConfigSummary } from './types.js';

export interface ResolvedImage {
  /** The image id (config digest). */
  imageId: string;
  /** Unpacked layer directories, lowest layer first; each is shared by every image and container using it. */
  layerDirs: string[];
  config: ImageConfigSummary;
}

export interface ImageLayers {
  /** Resolves a reference or id of an image that is present; NotFoundError otherwise. */
  resolve(image: string): Promise<ResolvedImage>;
}

export interface ImageGarbageCollector {
  /**
   * Removes images (and layers and blobs only they use) that no container uses, oldest
   * first, while disk usage of the store is above highPercent, until it is below lowPercent.
   * Returns the removed image ids.
   */
  collect(inUse: ReadonlySet<string>, thresholds: { highPercent: number; lowPercent: number }): Promise<string[]>;
}
