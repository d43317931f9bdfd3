// Reading manifests and image indexes, OCI or Docker v2 schema 2. Anything malformed or
// ambiguous is refused: a document whose declared media types disagree, one that is both
// an index and a manifest, descriptors with bad digests or sizes.

import { isDigest } from './digest.js';
import { ManifestError } from './errors.js';
import { configMediaTypes, indexMediaTypes, layerCompression, manifestMediaTypes, mediaTypes } from './mediaTypes.js';

/** Bounds on documents we hold in memory (containerd uses the same order of magnitude). */
export const maxManifestBytes = 4 * 1024 * 1024;
export const maxConfigBytes = 8 * 1024 * 1024;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `application/json; charset=utf-8` -> `application/json`. */
export function baseMediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0]?.trim().toLowerCase();
  return t ? t : undefined;
}

function parseJson(bytes: Buffer, what: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ManifestError(what, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObj(doc)) throw new ManifestError(what, 'not a JSON object');
  return doc;
}

function parsePlatform(v: unknown, what: string): Platform | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v) || typeof v.os !== 'string' || typeof v.architecture !== 'string') throw new ManifestError(what, 'platform needs string os and architecture');
  const p: Platform = { os: v.os, architecture: v.architecture };
  if (typeof v.variant === 'string' && v.variant !== '') p.variant = v.variant;
  return p;
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObj(v)) throw new ManifestError(what, 'descriptor is not an object');
  if (typeof v.mediaType !== 'string' || v.mediaType === '') throw new ManifestError(what, 'descriptor has no mediaType');
  if (!isDigest(v.digest)) throw new ManifestError(what, `descriptor digest ${JSON.stringify(v.digest)} is not a valid sha256 or sha512 digest`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw new ManifestError(what, `descriptor size ${JSON.stringify(v.size)} is not a non-negative integer`);
  const d: Descriptor = { mediaType: v.mediaType, digest: v.digest, size: v.size };
  const platform = parsePlatform(v.platform, what);
  if (platform) d.platform = platform;
  return d;
}

const known = [...indexMediaTypes, ...manifestMediaTypes];

/**
 * Works out which kind of document this is from its own mediaType field, the HTTP
 * Content-Type and the media type of the descriptor that pointed at it. Those that are
 * known must agree; the body's shape must agree with the result.
 */
function documentMediaType(doc: Json, what: string, contentType?: string, expected?: string): string {
  const declared = [doc.mediaType, baseMediaType(contentType), expected].filter((t): t is string => typeof t === 'string' && known.includes(t));
  if (typeof doc.mediaType === 'string' && !known.includes(doc.mediaType)) throw new ManifestError(what, `unsupported media type ${JSON.stringify(doc.mediaType)}`);
  if (new Set(declared).size > 1) throw new ManifestError(what, `ambiguous: declared as ${[...new Set(declared)].join(' and ')}`);
  const hasManifests = 'manifests' in doc;
  const hasImageFields = 'config' in doc || 'layers' in doc;
  if (hasManifests && hasImageFields) throw new ManifestError(what, 'ambiguous: has both manifests and config/layers');
  if (declared.length > 0) return declared[0]!;
  // OCI documents may omit mediaType; their shape then decides.
  if (hasManifests) return mediaTypes.ociIndex;
  if (hasImageFields) return mediaTypes.ociManifest;
  throw new ManifestError(what, `unknown document type (Content-Type ${JSON.stringify(contentType ?? '')})`);
}

/** Parses a manifest or index fetched from a registry. */
export function parseManifestDocument(bytes: Buffer, opts: { what: string; contentType?: string; expectedMediaType?: string }): ImageIndex | ImageManifest {
  const { what } = opts;
  const doc = parseJson(bytes, what);
  if (doc.schemaVersion === 1) throw new ManifestError(what, 'Docker schema 1 manifests are not supported');
  if (doc.schemaVersion !== 2) throw new ManifestError(what, `schemaVersion ${JSON.stringify(doc.schemaVersion)} is not 2`);
  const mediaType = documentMediaType(doc, what, opts.contentType, opts.expectedMediaType);
  if (indexMediaTypes.includes(mediaType)) {
    if ('config' in doc || 'layers' in doc) throw new ManifestError(what, 'ambiguous: an index with config/layers');
    if (!Array.isArray(doc.manifests)) throw new ManifestError(what, 'index has no manifests array');
    return { kind: 'index', mediaType, manifests: doc.manifests.map((m, i) => parseDescriptor(m, `${what} manifests[${i}]`)) };
  }
  if ('manifests' in doc) throw new ManifestError(what, 'ambiguous: a manifest with a manifests list');
  const config = parseDescriptor(doc.config, `${what} config`);
  if (!configMediaTypes.includes(config.mediaType)) throw new ManifestError(what, `not a container image: config media type ${JSON.stringify(config.mediaType)}`);
  if (config.size > maxConfigBytes) throw new ManifestError(what, `config of ${config.size} bytes is larger than ${maxConfigBytes}`);
  if (!Array.isArray(doc.layers)) throw new ManifestError(what, 'manifest has no layers array');
  const layers = doc.layers.map((l, i) => {
    const d = parseDescriptor(l, `${what} layers[${i}]`);
    const c = layerCompression(d.mediaType);
    if (typeof c === 'object') throw new ManifestError(`${what} layers[${i}]`, c.refused);
    return d;
  });
  return { kind: 'manifest', mediaType, config, layers };
}

function platformName(p: Platform | undefined): string {
  return p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : 'unknown';
}

/** The index entry for `want`: os and architecture must match; an entry with the wanted (or no) variant is preferred. */
export function selectPlatform(index: ImageIndex, want: Platform, what: string): Descriptor {
  const usable = index.manifests.filter((m) => known.includes(m.mediaType));
  const matching = usable.filter((m) => m.platform?.os === want.os && m.platform.architecture === want.architecture);
  const exact = matching.find((m) => (m.platform?.variant ?? want.variant) === want.variant);
  const chosen = exact ?? matching[0];
  if (!chosen) {
    const available = usable.map((m) => platformName(m.platform)).join(', ') || 'none';
    throw new ManifestError(what, `no manifest for ${platformName(want)} (available: ${available})`);
  }
  if (chosen.size > maxManifestBytes) throw new ManifestError(what, `manifest of ${chosen.size} bytes is larger than ${maxManifestBytes}`);
  return chosen;
}
