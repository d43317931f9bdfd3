// What a set of resources serves, independent of the OpenAPI version it is written in:
// the path items of every operation and the definitions they start from. The v3
// documents (one per group-version) and the v2 document (one for everything) are both
// assembled from this, so an operation added here appears in both.

import { subresourceKinds, type ResourceDescriptor } from '../../common/api/resources.js';
import {
  deleteOptionsDefinition,
  patchDefinition,
  type PathItemObject,
  resourcePaths,
  statusDefinition,
  watchEventDefinition,
} from './operations.js';

export interface ApiSurface {
  /** Path items by path, sorted by path. */
  paths: Record<string, PathItemObject>;
  /** Definitions the paths name (bodies and replies); their references reach the rest. */
  roots: Set<string>;
}

/** Schemas every document carries: replies and request bodies common to all kinds. */
const commonDefinitions = [statusDefinition, deleteOptionsDefinition, watchEventDefinition, patchDefinition];

export function apiSurface(resources: readonly ResourceDescriptor[]): ApiSurface {
  const paths: Record<string, PathItemObject> = {};
  const roots = new Set(commonDefinitions);
  for (const r of resources) {
    Object.assign(paths, resourcePaths(r));
    roots.add(r.definition);
    roots.add(`${r.definition}List`);
    for (const sub of r.subresources) {
      if (sub !== 'status' && subresourceKinds[sub].definition) roots.add(subresourceKinds[sub].definition!);
    }
  }
  const sorted: Record<string, PathItemObject> = {};
  for (const p of Object.keys(paths).sort()) sorted[p] = paths[p]!;
  return { paths: sorted, roots };
}
