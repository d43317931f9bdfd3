// Where the image store keeps things under its root. Every digest is validated before
// it becomes a path (parseDigest throws for anything but sha256/sha512 hex).
//
//   blobs/<alg>/<hex>          verified manifests, configs and (until unpacked) layers
//   ingest/                    downloads in progress; emptied at start
//   layers/<alg>/<hex>/fs      an unpacked layer, keyed by its diffID
//   layers/<alg>/<hex>/layer.json
//   tmp/                       layers being unpacked; emptied at start
//   images/<alg>-<hex>.json    image records, keyed by image id (config digest)

import path from 'node:path';
import { parseDigest } from '../digest.js';

export class StoreLayout {
  readonly root: string;
  readonly blobs: string;
  readonly ingest: string;
  readonly layers: string;
  readonly tmp: string;
  readonly images: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.blobs = path.join(this.root, 'blobs');
    this.ingest = path.join(this.root, 'ingest');
    this.layers = path.join(this.root, 'layers');
    this.tmp = path.join(this.root, 'tmp');
    this.images = path.join(this.root, 'images');
  }

  blob(digest: string): string {
    const d = parseDigest(digest);
    return path.join(this.blobs, d.algorithm, d.hex);
  }

  layer(diffId: string): string {
    const d = parseDigest(diffId, 'layer diffID');
    return path.join(this.layers, d.algorithm, d.hex);
  }

  layerFs(diffId: string): string {
    return path.join(this.layer(diffId), 'fs');
  }

  layerMeta(diffId: string): string {
    return path.join(this.layer(diffId), 'layer.json');
  }

  imageRecord(id: string): string {
    const d = parseDigest(id, 'image id');
    return path.join(this.images, `${d.algorithm}-${d.hex}.json`);
  }
}
