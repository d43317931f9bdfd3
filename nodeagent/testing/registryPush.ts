// Pushing hand-made content to a test registry through the distribution API (blob
// upload, manifest PUT), for images buildah would never produce: malicious layers,
// odd manifests. Anonymous or Basic-auth registries.

import http from 'node:http';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import { digestOf } from '../images/digest.js';
import { mediaTypes } from '../images/mediaTypes.js';

export interface PushTarget {
  url: string;
  caPem?: string;
  auth?: string;
  username?: string;
  password?: string;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(target: PushTarget, method: string, url: string, body?: Buffer, contentType?: string): Promise<Reply> {
  const u = new URL(url, target.url);
  const headers: Record<string, string> = {};
  if (body) headers['content-length'] = String(body.length);
  if (contentType) headers['content-type'] = contentType;
  if (target.auth === 'basic' && target.username) headers.authorization = `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const opts: https.RequestOptions = { method, headers };
    if (target.caPem) opts.ca = target.caPem;
    const req = (u.protocol === 'https:' ? https : http).request(u, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function pushBlob(target: PushTarget, repo: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = digestOf(bytes);
  const start = await send(target, 'POST', `/v2/${repo}/blobs/uploads/`);
  if (start.status !== 202 || !start.headers.location) throw new Error(`blob upload start: HTTP ${start.status} ${start.body.toString()}`);
  const loc = new URL(start.headers.location, target.url);
  loc.searchParams.set('digest', digest);
  const done = await send(target, 'PUT', loc.toString(), bytes, 'application/octet-stream');
  if (done.status !== 201) throw new Error(`blob upload: HTTP ${done.status} ${done.body.toString()}`);
  return { digest, size: bytes.length };
}

export async function pushManifest(target: PushTarget, repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
  const res = await send(target, 'PUT', `/v2/${repo}/manifests/${reference}`, bytes, mediaType);
  if (res.status !== 201) throw new Error(`manifest put: HTTP ${res.status} ${res.body.toString()}`);
  return digestOf(bytes);
}

export interface HandMadeImage {
  /** Uncompressed layer tarballs, lowest first. */
  layers: Buffer[];
  /** gzip the layers (default true). */
  gzip?: boolean;
  format?: 'oci' | 'docker';
  /** Replaces the generated diff_ids (to make a lying config). */
  diffIds?: string[];
  /** Merged into the config's `config` section. */
  config?: Record<string, unknown>;
  architecture?: string;
}

export interface PushedImage {
  manifestDigest: string;
  manifest: Buffer;
  configDigest: string;
  layerDigests: string[];
  diffIds: string[];
}

export async function pushImage(target: PushTarget, repo: string, tag: string, img: HandMadeImage): Promise<PushedImage> {
  const docker = img.format === 'docker';
  const gzip = img.gzip ?? true;
  const diffIds = img.diffIds ?? img.layers.map((l) => digestOf(l));
  const blobs = img.layers.map((l) => (gzip ? gzipSync(l) : l));
  const layerDescs = [];
  for (const b of blobs) {
    const { digest, size } = await pushBlob(target, repo, b);
    const mediaType = docker ? mediaTypes.dockerLayerGzip : gzip ? mediaTypes.ociLayerGzip : mediaTypes.ociLayer;
    layerDescs.push({ mediaType, digest, size });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: img.architecture ?? 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'], ...(img.config ?? {}) },
      rootfs: { type: 'layers', diff_ids: diffIds },
    }),
  );
  const cfg = await pushBlob(target, repo, config);
  const manifestMediaType = docker ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: { mediaType: docker ? mediaTypes.dockerConfig : mediaTypes.ociConfig, digest: cfg.digest, size: cfg.size },
      layers: layerDescs,
    }),
  );
  const manifestDigest = await pushManifest(target, repo, tag, manifest, manifestMediaType);
  return { manifestDigest, manifest, configDigest: cfg.digest, layerDigests: layerDescs.map((l) => l.digest), diffIds };
}
