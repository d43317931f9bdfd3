// The ImageService of a simulated node: a pull of any well-formed reference succeeds
// after the host's pull delay (unless the reference is configured missing: NotFound, as a
// registry's 404), and records an image with a deterministic id; nothing is downloaded.
// Also ImageLayers for anything that resolves images the way the runc runtime does
// (there are no layer directories).

import { NotFoundError } from '../../common/errors.js';
import type { ImageLayers, ResolvedImage } from '../cri/layers.js';
import type { ImageService } from '../cri/services.js';
import type { AuthConfig, Image, ImageFilesystemUsage, ImageSpec } from '../cri/types.js';
import { isDigest } from '../images/digest.js';
import { formatReference, parseReference } from '../images/reference.js';
import type { SimulatedHost } from './host.js';
import type { SimulatedImageRecord } from './imageStore.js';

/** Files per MiB of image, for a plausible inode count. */
const inodesPerMiB = 16;

function toImage(r: SimulatedImageRecord): Image {
  return { id: r.id, repoTags: [...r.repoTags], repoDigests: [...r.repoDigests], size: r.size, spec: structuredClone(r.spec) };
}

export class SimulatedImageService implements ImageService, ImageLayers {
  constructor(readonly host: SimulatedHost) {}

  async pullImage(image: ImageSpec, _auth?: AuthConfig): Promise<string> {
    const store = this.host.images;
    if (isDigest(image.image) || /^[a-f0-9]{64}$/.test(image.image)) {
      // An image id can only name an image that is already here.
      const found = store.find(image.image);
      if (found) return found.id;
      throw new NotFoundError({ resource: 'images', name: image.image });
    }
    const ref = parseReference(image.image);
    const key = formatReference(ref);
    let pull = store.pulls.get(key);
    if (!pull) {
      pull = (async () => {
        try {
          await this.host.wait(this.host.delays.pullDelayMs);
          if (store.isMissing(ref)) throw new NotFoundError({ resource: 'images', name: image.image });
          return store.add(ref, this.host.clock.now());
        } finally {
          store.pulls.delete(key);
        }
      })();
      store.pulls.set(key, pull);
    }
    return pull;
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    const r = this.host.images.find(image.image);
    return r ? toImage(r) : undefined;
  }

  async listImages(filter?: { image?: ImageSpec }): Promise<Image[]> {
    if (filter?.image) {
      const r = this.host.images.find(filter.image.image);
      return r ? [toImage(r)] : [];
    }
    return this.host.images.list().map(toImage);
  }

  /** Idempotent, as CRI's RemoveImage. */
  async removeImage(image: ImageSpec): Promise<void> {
    const r = this.host.images.find(image.image);
    if (r) this.host.images.remove(r.id);
  }

  async imageFsInfo(): Promise<ImageFilesystemUsage[]> {
    const images = this.host.images.list();
    const usedBytes = images.reduce((n, r) => n + r.size, 0);
    return [{ mountpoint: this.host.options.imageFsMountpoint ?? '/var/lib/gantry-simulated/images', usedBytes, inodesUsed: Math.ceil((usedBytes / (1024 * 1024)) * inodesPerMiB) }];
  }

  async resolve(image: string): Promise<ResolvedImage> {
    const r = this.host.images.find(image);
    if (!r) throw new NotFoundError({ resource: 'images', name: image });
    return { imageId: r.id, layerDirs: [], config: structuredClone(r.spec) };
  }
}
