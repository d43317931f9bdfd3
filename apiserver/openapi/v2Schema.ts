// One JSON Schema as Swagger 2.0 allows it, from the OpenAPI 3.0 form the definitions are
// written in. Swagger 2.0 has no `oneOf`/`anyOf`/`not`/`nullable`, refers to
// `#/definitions/`, and (like Kubernetes' own v2 document) writes a field that refers to a
// definition as `$ref` with its description beside it rather than v3's `allOf: [{$ref}]`
// wrapper. Extensions (`x-kubernetes-*`) pass through unchanged.

import { refPrefix, type SchemaObject } from '../../common/schemas/index.js';

export const v2RefPrefix = '#/definitions/';

/** A Swagger 2.0 schema object: the same keywords, with the v3-only ones gone. */
export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SwaggerSchema>;
  items?: SwaggerSchema | SwaggerSchema[];
  additionalProperties?: SwaggerSchema | boolean;
  allOf?: SwaggerSchema[];
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  [keyword: string]: unknown;
}

/** Keywords OpenAPI 3.0 has and Swagger 2.0 does not: dropped (the alternatives are folded first). */
const v3Only = new Set(['oneOf', 'anyOf', 'not', 'nullable', 'writeOnly', 'deprecated']);

export function toV2Ref(ref: string): string {
  return ref.startsWith(refPrefix) ? v2RefPrefix + ref.slice(refPrefix.length) : ref;
}

export function toSwaggerSchema(schema: SchemaObject): SwaggerSchema {
  const out: SwaggerSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (v3Only.has(key)) continue;
    switch (key) {
      case '$ref':
        out.$ref = toV2Ref(value as string);
        break;
      case 'allOf': {
        const parts = (value as SchemaObject[]).map(toSwaggerSchema);
        const only = parts.length === 1 ? parts[0]! : undefined;
        // `allOf: [{$ref}]` exists in v3 only to let a description sit beside a reference.
        if (only?.$ref !== undefined && Object.keys(only).length === 1 && schema.$ref === undefined) out.$ref = only.$ref;
        else out.allOf = parts;
        break;
      }
      case 'properties': {
        const props: Record<string, SwaggerSchema> = {};
        for (const [name, prop] of Object.entries(value as Record<string, SchemaObject>)) props[name] = toSwaggerSchema(prop);
        out.properties = props;
        break;
      }
      case 'items':
        out.items = Array.isArray(value) ? (value as SchemaObject[]).map(toSwaggerSchema) : toSwaggerSchema(value as SchemaObject);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : toSwaggerSchema(value as SchemaObject);
        break;
      case 'discriminator':
        // v3: {propertyName, mapping}; v2: the property name alone.
        out.discriminator = typeof value === 'string' ? value : (value as { propertyName?: string }).propertyName;
        break;
      default:
        out[key] = value;
    }
  }
  if (out.type === undefined && out.$ref === undefined) {
    const type = impliedType(schema);
    if (type !== undefined) out.type = type;
  }
  return out;
}

/**
 * The one type v2 can state for a schema v3 leaves open: int-or-string values (IntOrString,
 * Quantity) are strings there, as Kubernetes serves them (a v2 string accepts any scalar);
 * alternatives that all agree on a type have that type.
 */
function impliedType(schema: SchemaObject): string | undefined {
  if (schema['x-kubernetes-int-or-string'] === true) return 'string';
  const alternatives = (schema.oneOf ?? schema.anyOf) as SchemaObject[] | undefined;
  if (!alternatives || alternatives.length === 0) return undefined;
  const types = new Set(alternatives.map((a) => a.type));
  return types.size === 1 ? [...types][0] : undefined;
}
