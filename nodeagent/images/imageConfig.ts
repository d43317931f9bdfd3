// The image config blob: which layers (by uncompressed digest) make up the root
// filesystem, and the defaults a container starts with.

import type { ImageConfigSummary } from '../cri/types.js';
import { isDigest } from './digest.js';
import { ManifestError } from './errors.js';
import type { ImageManifest, Platform } from './manifest.js';

export interface ImageConfig {
  /** Uncompressed digests of the layers, lowest first; one per manifest layer. */
  diffIds: string[];
  summary: ImageConfigSummary;
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown, field: string, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new ManifestError(what, `${field} is not a list of strings`);
  return v as string[];
}

function str(v: unknown, field: string, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ManifestError(what, `${field} is not a string`);
  return v;
}

export function parseImageConfig(bytes: Buffer, manifest: ImageManifest, platform: Platform, what: string): ImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ManifestError(what, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObj(doc)) throw new ManifestError(what, 'not a JSON object');
  if (doc.os !== undefined && doc.os !== platform.os) throw new ManifestError(what, `image is for os ${JSON.stringify(doc.os)}, this node runs ${platform.os}`);
  if (doc.architecture !== undefined && doc.architecture !== platform.architecture) {
    throw new ManifestError(what, `image is for architecture ${JSON.stringify(doc.architecture)}, this node runs ${platform.architecture}`);
  }
  const rootfs = doc.rootfs;
  if (!isObj(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) throw new ManifestError(what, 'rootfs must be {type: "layers", diff_ids: [...]}');
  const diffIds = rootfs.diff_ids.map((d, i) => {
    if (!isDigest(d)) throw new ManifestError(what, `rootfs.diff_ids[${i}] is not a valid digest`);
    return d;
  });
  if (diffIds.length !== manifest.layers.length) {
    throw new ManifestError(what, `${diffIds.length} diff_ids for ${manifest.layers.length} manifest layers`);
  }
  const c = doc.config === undefined || doc.config === null ? {} : doc.config;
  if (!isObj(c)) throw new ManifestError(what, 'config is not an object');
  const ports = c.ExposedPorts === undefined || c.ExposedPorts === null ? {} : c.ExposedPorts;
  if (!isObj(ports)) throw new ManifestError(what, 'config.ExposedPorts is not an object');
  return {
    diffIds,
    summary: {
      entrypoint: strings(c.Entrypoint, 'config.Entrypoint', what),
      cmd: strings(c.Cmd, 'config.Cmd', what),
      env: strings(c.Env, 'config.Env', what),
      workingDir: str(c.WorkingDir, 'config.WorkingDir', what),
      user: str(c.User, 'config.User', what),
      exposedPorts: Object.keys(ports).sort(),
    },
  };
}
