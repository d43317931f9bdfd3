// Image references, normalised as Docker does: `busybox` is docker.io/library/busybox:latest,
// `gantry/web:v1` is docker.io/gantry/web:v1, and a first component with a dot, a port
// or the name localhost is a registry host (`127.0.0.1:5000/x@sha256:...`).

import { tryParseDigest } from './digest.js';
import { InvalidReferenceError } from './errors.js';

export interface ImageReference {
  /** Registry host as written in the name, e.g. `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** Repository path within the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

export const defaultDomain = 'docker.io';
const legacyDefaultDomain = 'index.docker.io';
const maxNameLength = 255;

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const hostComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainPattern = new RegExp(`^(?:${hostComponent}(?:\\.${hostComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const tagPattern = /^[\w][\w.-]{0,127}$/;
const bareId = /^[a-f0-9]{64}$/;

function looksLikeDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
}

/** Parses and normalises a reference; adds the tag `latest` when it names neither tag nor digest. */
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.length === 0) throw new InvalidReferenceError(String(input), 'empty');
  if (bareId.test(input)) throw new InvalidReferenceError(input, 'a 64-character hexadecimal string is an image id, not a repository name');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!tryParseDigest(digest)) throw new InvalidReferenceError(input, 'the digest must be sha256:<64 hex> or sha512:<128 hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw new InvalidReferenceError(input, `invalid tag ${JSON.stringify(tag)}`);
  }
  let domain = defaultDomain;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0 && looksLikeDomain(rest.slice(0, slash))) {
    domain = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    if (!domainPattern.test(domain)) throw new InvalidReferenceError(input, `invalid registry host ${JSON.stringify(domain)}`);
  }
  if (domain === legacyDefaultDomain) domain = defaultDomain;
  if (path.toLowerCase() !== path) throw new InvalidReferenceError(input, 'repository name must be lowercase');
  if (domain === defaultDomain && !path.includes('/')) path = `library/${path}`;
  if (path.split('/').some((c) => !pathComponent.test(c))) throw new InvalidReferenceError(input, `invalid repository path ${JSON.stringify(path)}`);
  if (domain.length + 1 + path.length > maxNameLength) throw new InvalidReferenceError(input, `name longer than ${maxNameLength} characters`);
  const ref: ImageReference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

/** `docker.io/library/busybox`: the repository's full name. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The canonical string: `docker.io/library/busybox:latest`, `host/x@sha256:...`, or both. */
export function formatReference(ref: ImageReference): string {
  return repositoryName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** The tagged form recorded as a repo tag, if the reference has a tag. */
export function repoTag(ref: ImageReference): string | undefined {
  return ref.tag !== undefined ? `${repositoryName(ref)}:${ref.tag}` : undefined;
}

export function repoDigest(ref: ImageReference, manifestDigest: string): string {
  return `${repositoryName(ref)}@${manifestDigest}`;
}
