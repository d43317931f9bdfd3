// The OpenAPI v3 component schemas of every built-in kind, generated from
// @kubernetes/client-node's model metadata by scripts/gen-schemas.ts and committed.
// The API server validates against them and serves them at /openapi/v3.

import generated from './definitions.json' with { type: 'json' };
import type { SchemaObject } from './schema-object.js';

export type { SchemaObject } from './schema-object.js';

/** Definitions by Kubernetes name, e.g. `io.k8s.api.core.v1.Pod`. Treat as read-only. */
export const definitions: Readonly<Record<string, SchemaObject>> = generated as unknown as Record<string, SchemaObject>;

/** The `$ref` prefix the definitions use to point at each other. */
export const refPrefix = '#/components/schemas/';
