// What a strategic merge patch needs to know about the schema: for each list, whether it
// merges (and by which key) or is replaced whole. Kubernetes takes this from its Go struct
// tags; the same facts are published in OpenAPI as `x-kubernetes-patch-strategy` and
// `x-kubernetes-patch-merge-key`, which is where Gantry reads them.

import { type JsonObject, isObject } from './jsonValue.js';

export interface PatchStrategy {
  /** Lists: merge items (by `mergeKey` for lists of maps, as a set for primitives) instead of replacing. */
  merge: boolean;
  mergeKey?: string;
  /** The `retainKeys` strategy (only informs patch generation; `$retainKeys` is honoured wherever sent). */
  retainKeys?: boolean;
}

export interface PatchMeta {
  /** Meta for the value of object field `name` (or for map values when the object is a map). */
  field(name: string): PatchMeta;
  /** Meta for the items of this list. */
  items(): PatchMeta;
  /** For lists: 'merge' with mergeKey (list of maps), 'merge' without key (set of primitives), or undefined (atomic/replace). */
  strategy(): PatchStrategy;
  /** A schema extension (`x-kubernetes-list-type`, `x-kubernetes-map-type`, ...) of this value, for server-side apply. */
  extension(name: string): unknown;
}

/** Meta for fields the schema does not describe: maps still merge, every list is atomic. */
export const unknownPatchMeta: PatchMeta = {
  field: () => unknownPatchMeta,
  items: () => unknownPatchMeta,
  strategy: () => ({ merge: false }),
  extension: () => undefined,
};

/** Reads `x-kubernetes-patch-strategy` ("merge", "retainKeys", "merge,retainKeys", "replace") and the merge key. */
export function parsePatchStrategy(strategy: unknown, mergeKey: unknown): PatchStrategy {
  const parts = typeof strategy === 'string' ? strategy.split(',').map((s) => s.trim()) : [];
  const result: PatchStrategy = { merge: parts.includes('merge') };
  if (result.merge && typeof mergeKey === 'string' && mergeKey !== '') result.mergeKey = mergeKey;
  if (parts.includes('retainKeys')) result.retainKeys = true;
  return result;
}

/**
 * Patch meta for the OpenAPI v3 component schema `rootDefinition` (e.g.
 * "io.k8s.api.apps.v1.Deployment"). `definitions` is `components.schemas`; references
 * may be `{"$ref": "#/components/schemas/NAME"}` or wrapped as `{"allOf": [{"$ref": ...}]}`.
 * Schemas are resolved lazily, so recursive schemas are fine.
 */
export function openApiPatchMeta(definitions: Record<string, unknown>, rootDefinition: string): PatchMeta {
  const root = Object.hasOwn(definitions, rootDefinition) ? definitions[rootDefinition] : undefined;
  if (!isObject(root)) throw new Error(`OpenAPI definitions have no schema named ${JSON.stringify(rootDefinition)}`);
  return new SchemaIndex(definitions).meta(root);
}

const REF = /^#\/(?:components\/schemas|definitions)\/(.+)$/;

/** Resolves references and caches one meta per schema object. */
class SchemaIndex {
  private readonly metas = new WeakMap<JsonObject, PatchMeta>();

  constructor(private readonly definitions: Record<string, unknown>) {}

  meta(schema: JsonObject): PatchMeta {
    let m = this.metas.get(schema);
    if (!m) {
      m = new SchemaMeta(this, this.layers(schema));
      this.metas.set(schema, m);
    }
    return m;
  }

  /** The schema followed by everything it references through `$ref` and `allOf`, in that order. */
  private layers(schema: JsonObject): JsonObject[] {
    const out: JsonObject[] = [];
    const seen = new Set<JsonObject>();
    const visit = (s: JsonObject): void => {
      if (seen.has(s)) return;
      seen.add(s);
      out.push(s);
      const target = typeof s.$ref === 'string' ? this.resolve(s.$ref) : undefined;
      if (target) visit(target);
      if (Array.isArray(s.allOf)) for (const part of s.allOf) if (isObject(part)) visit(part);
    };
    visit(schema);
    return out;
  }

  private resolve(ref: string): JsonObject | undefined {
    const m = REF.exec(ref);
    if (!m) return undefined;
    const name = m[1].replace(/~1/g, '/').replace(/~0/g, '~');
    const target = Object.hasOwn(this.definitions, name) ? this.definitions[name] : undefined;
    return isObject(target) ? target : undefined;
  }
}

class SchemaMeta implements PatchMeta {
  constructor(
    private readonly index: SchemaIndex,
    private readonly layers: JsonObject[],
  ) {}

  field(name: string): PatchMeta {
    for (const layer of this.layers) {
      const props = layer.properties;
      if (isObject(props) && Object.hasOwn(props, name) && isObject(props[name])) return this.index.meta(props[name]);
    }
    for (const layer of this.layers) {
      if (isObject(layer.additionalProperties)) return this.index.meta(layer.additionalProperties);
    }
    return unknownPatchMeta;
  }

  items(): PatchMeta {
    for (const layer of this.layers) if (isObject(layer.items)) return this.index.meta(layer.items);
    return unknownPatchMeta;
  }

  strategy(): PatchStrategy {
    return parsePatchStrategy(this.extension('x-kubernetes-patch-strategy'), this.extension('x-kubernetes-patch-merge-key'));
  }

  /** Extensions usually sit on the property beside its `allOf`/`$ref`, but may be on the target. */
  extension(name: string): unknown {
    for (const layer of this.layers) if (Object.hasOwn(layer, name)) return layer[name];
    return undefined;
  }
}
