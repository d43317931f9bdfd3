// The media types of the OCI image spec and of Docker's v2 schema 2 that a pull understands.

import { zstdDecompressor } from './layers/decompress.js';

export const mediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export const indexMediaTypes: readonly string[] = [mediaTypes.ociIndex, mediaTypes.dockerManifestList];
export const manifestMediaTypes: readonly string[] = [mediaTypes.ociManifest, mediaTypes.dockerManifest];
export const configMediaTypes: readonly string[] = [mediaTypes.ociConfig, mediaTypes.dockerConfig];

/** The Accept header of a manifest request: every kind of document we can read. */
export const manifestAccept = [...indexMediaTypes, ...manifestMediaTypes].join(', ');

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/** How a layer blob is compressed, or why it cannot be used. */
export function layerCompression(mediaType: string): LayerCompression | { refused: string } {
  switch (mediaType) {
    case mediaTypes.ociLayer:
      return 'none';
    case mediaTypes.ociLayerGzip:
    case mediaTypes.dockerLayerGzip:
      return 'gzip';
    case mediaTypes.ociLayerZstd:
      return zstdDecompressor() ? 'zstd' : { refused: `zstd-compressed layers need Node >= 22.15 (this is ${process.version}, without a zstd decoder)` };
    case mediaTypes.dockerForeignLayer:
      return { refused: 'foreign (non-distributable) layers are not supported' };
    default:
      return { refused: `unknown layer media type ${JSON.stringify(mediaType)}` };
  }
}
