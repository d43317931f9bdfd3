// The /openapi/v2 document: one Swagger 2.0 document for every served group-version, with
// the same operations as the v3 documents (apiSurface) and the same definitions (names,
// descriptions, x-kubernetes-* extensions) in v2 form. kubectl 1.27/1.28 validate, explain
// and compute strategic merge patches from it; Helm validates charts against it.

import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { SchemaObject } from '../../common/schemas/index.js';
import { reachableDefinitions } from './reachable.js';
import { apiSurface } from './surface.js';
import { toSwaggerPathItem, type SwaggerPathItem } from './v2Paths.js';
import { toSwaggerSchema, type SwaggerSchema } from './v2Schema.js';

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, SwaggerPathItem>;
  definitions: Record<string, SwaggerSchema>;
  securityDefinitions: Record<string, { type: 'apiKey'; name: string; in: 'header'; description: string }>;
  security: Record<string, string[]>[];
}

/** `version` is the server's gitVersion, as Kubernetes reports it in info. */
export function buildSwaggerDocument(
  resources: readonly ResourceDescriptor[],
  definitions: Readonly<Record<string, SchemaObject>>,
  version: string,
): SwaggerDocument {
  const { paths, roots } = apiSurface(resources);
  const v2Paths: Record<string, SwaggerPathItem> = {};
  for (const [path, item] of Object.entries(paths)) v2Paths[path] = toSwaggerPathItem(item);
  const v2Definitions: Record<string, SwaggerSchema> = {};
  for (const [name, schema] of Object.entries(reachableDefinitions(roots, definitions))) v2Definitions[name] = toSwaggerSchema(schema);
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths: v2Paths,
    definitions: v2Definitions,
    securityDefinitions: {
      BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' },
    },
    security: [{ BearerToken: [] }],
  };
}
