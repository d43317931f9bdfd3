// The shape of one OpenAPI v3 schema as Gantry writes them: standard JSON Schema
// keywords plus the Kubernetes `x-kubernetes-*` extensions and Gantry's
// `x-gantry-quantity` marker. Open-ended because schemas are data, walked generically.

export interface SchemaObject {
  $ref?: string;
  allOf?: SchemaObject[];
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  additionalProperties?: SchemaObject | boolean;
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** Gantry: the value is a Kubernetes quantity (a JSON number or a quantity string). */
  'x-gantry-quantity'?: boolean;
  [keyword: string]: unknown;
}
