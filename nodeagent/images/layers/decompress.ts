// Decompressors for layer blobs. zstd exists in node:zlib only from Node 22.15/23.8;
// on older Node (20 here) zstd layers are refused up front (see mediaTypes.ts).

import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { LayerCompression } from '../mediaTypes.js';

type ZstdFactory = () => Transform;

/** zlib.createZstdDecompress where this Node has it. */
export function zstdDecompressor(): ZstdFactory | undefined {
  const f = (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress;
  return typeof f === 'function' ? (f as ZstdFactory) : undefined;
}

/** A decompressing stream for the blob, or undefined for an uncompressed tar. */
export function decompressor(c: LayerCompression): Transform | undefined {
  switch (c) {
    case 'none':
      return undefined;
    case 'gzip':
      return zlib.createGunzip();
    case 'zstd': {
      const make = zstdDecompressor();
      if (!make) throw new Error('zstd is not available in this Node');
      return make();
    }
  }
}
