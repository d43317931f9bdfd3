// The structural view of a schema that decoding and error reporting need: which JSON
// objects are structs with a fixed set of fields (unknown fields are an error or are
// pruned), which are maps (any key), which are lists, and which values are opaque.
// Built once per definition from the OpenAPI schemas and shared (cyclic types resolve
// to the same node).

import type { SchemaObject } from '../../common/schemas/index.js';

export type Shape =
  | { kind: 'struct'; fields: Map<string, Shape> }
  | { kind: 'list'; items: Shape }
  | { kind: 'map'; values: Shape }
  /** Scalars, int-or-string, quantities and preserve-unknown-fields values. */
  | { kind: 'opaque' };

const opaque: Shape = { kind: 'opaque' };
const refPrefix = '#/components/schemas/';

export class ShapeIndex {
  private readonly byName = new Map<string, Shape>();

  constructor(private readonly definitions: Readonly<Record<string, SchemaObject>>) {}

  /** The shape of a named definition; throws for names that do not exist. */
  of(definitionName: string): Shape {
    const known = this.byName.get(definitionName);
    if (known) return known;
    const schema = this.definitions[definitionName];
    if (!schema) throw new Error(`no schema definition named ${JSON.stringify(definitionName)}`);
    if (schema.properties) {
      // Registered before its fields are filled in, so self-referencing types terminate.
      const fields = new Map<string, Shape>();
      const shape: Shape = { kind: 'struct', fields };
      this.byName.set(definitionName, shape);
      for (const [name, prop] of Object.entries(schema.properties)) fields.set(name, this.fromSchema(prop));
      return shape;
    }
    const shape = this.fromSchema(schema);
    this.byName.set(definitionName, shape);
    return shape;
  }

  private fromSchema(schema: SchemaObject): Shape {
    if (typeof schema.$ref === 'string') return this.of(schema.$ref.slice(refPrefix.length));
    if (schema.allOf && schema.allOf.length === 1) return this.fromSchema(schema.allOf[0]!);
    if (schema['x-kubernetes-preserve-unknown-fields']) return opaque;
    if (schema.type === 'array' && schema.items) return { kind: 'list', items: this.fromSchema(schema.items) };
    if (schema.properties) {
      const fields = new Map<string, Shape>();
      for (const [name, prop] of Object.entries(schema.properties)) fields.set(name, this.fromSchema(prop));
      return { kind: 'struct', fields };
    }
    if (typeof schema.additionalProperties === 'object') return { kind: 'map', values: this.fromSchema(schema.additionalProperties) };
    return opaque;
  }
}
