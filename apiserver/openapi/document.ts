// The /openapi/v3 documents: one OpenAPI 3.0 document per group-version with its
// paths and the schemas they reach, and an index that points at each document by a
// URL carrying a content hash (clients cache documents by URL, so a changed document
// must get a new URL). Both are static for a process, so they are built once.

import { createHash } from 'node:crypto';
import { groupVersions, type ResourceDescriptor } from '../../common/api/resources.js';
import type { SchemaObject } from '../../common/schemas/index.js';
import type { PathItemObject } from './operations.js';
import { reachableDefinitions } from './reachable.js';
import { apiSurface } from './surface.js';

export interface OpenApiDocument {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, SchemaObject>;
    securitySchemes: Record<string, { type: 'apiKey'; in: 'header'; name: string; description: string }>;
  };
}

export interface OpenApiIndex {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface ServedDocument {
  /** The index key and URL path below /openapi/v3/, e.g. `api/v1`, `apis/apps/v1`. */
  path: string;
  document: OpenApiDocument;
  /** The serialized document, to send as is. */
  body: string;
  /** Upper-case hex SHA-512 of `body`; also a good ETag. */
  hash: string;
}

export interface OpenApiV3 {
  index: OpenApiIndex;
  /** The serialized index. */
  indexBody: string;
  /** Documents by path (`api/v1`, `apis/apps/v1`, ...). */
  documents: ReadonlyMap<string, ServedDocument>;
}

/** What the server reports as its version in document info (matches /version's minor 32). */
const info = { title: 'Gantry', version: 'v1.32.0' };

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

export function buildOpenApiDocument(
  group: string,
  version: string,
  resources: readonly ResourceDescriptor[],
  definitions: Readonly<Record<string, SchemaObject>>,
): OpenApiDocument {
  return served(resources, definitions).documents.get(groupVersionPath(group, version))?.document ?? build(group, version, resources, definitions);
}

export function buildOpenApiIndex(resources: readonly ResourceDescriptor[], definitions: Readonly<Record<string, SchemaObject>>): OpenApiIndex {
  return served(resources, definitions).index;
}

/** The index and every document, serialized and hashed; cached per (resources, definitions). */
export function openApiV3(resources: readonly ResourceDescriptor[], definitions: Readonly<Record<string, SchemaObject>>): OpenApiV3 {
  return served(resources, definitions);
}

const cache = new WeakMap<readonly ResourceDescriptor[], WeakMap<object, OpenApiV3>>();

function served(resources: readonly ResourceDescriptor[], definitions: Readonly<Record<string, SchemaObject>>): OpenApiV3 {
  let byDefinitions = cache.get(resources);
  if (!byDefinitions) {
    byDefinitions = new WeakMap();
    cache.set(resources, byDefinitions);
  }
  let result = byDefinitions.get(definitions);
  if (!result) {
    result = serve(resources, definitions);
    byDefinitions.set(definitions, result);
  }
  return result;
}

function serve(resources: readonly ResourceDescriptor[], definitions: Readonly<Record<string, SchemaObject>>): OpenApiV3 {
  const documents = new Map<string, ServedDocument>();
  const index: OpenApiIndex = { paths: {} };
  for (const { group, version } of groupVersions(resources)) {
    const path = groupVersionPath(group, version);
    const document = build(group, version, resources, definitions);
    const body = JSON.stringify(document);
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
    documents.set(path, { path, document, body, hash });
    index.paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { index, indexBody: JSON.stringify(index), documents };
}

function build(
  group: string,
  version: string,
  resources: readonly ResourceDescriptor[],
  definitions: Readonly<Record<string, SchemaObject>>,
): OpenApiDocument {
  const { paths, roots } = apiSurface(resources.filter((r) => r.group === group && r.version === version));
  return {
    openapi: '3.0.0',
    info,
    paths,
    components: {
      schemas: reachableDefinitions(roots, definitions),
      securitySchemes: {
        BearerToken: { type: 'apiKey', in: 'header', name: 'authorization', description: 'Bearer token authentication' },
      },
    },
  };
}
