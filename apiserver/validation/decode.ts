// The decoding step that Kubernetes performs before validation, done on already parsed
// JSON: `null` fields mean "unset" and are dropped, and fields the schema does not know
// are collected (fieldValidation=Strict rejects them, otherwise they are pruned). Copy
// on write: an input without nulls or unknown fields comes back as the same reference,
// which keeps the common case allocation-free.

import type { Shape } from './shape.js';

export interface Decoded {
  value: unknown;
  /** Kubernetes-style paths of fields the schema does not know, e.g. `spec.containers[0].foo`. */
  unknownFields: string[];
}

export function decode(value: unknown, shape: Shape): Decoded {
  const unknownFields: string[] = [];
  return { value: walk(value, shape, '', unknownFields), unknownFields };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

function walk(value: unknown, shape: Shape, path: string, unknown: string[]): unknown {
  switch (shape.kind) {
    case 'opaque':
      return value;
    case 'list': {
      if (!Array.isArray(value)) return value;
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const next = walk(item, shape.items, `${path}[${i}]`, unknown);
        if (next !== item) {
          out ??= value.slice();
          out[i] = next;
        }
      }
      return out ?? value;
    }
    case 'map': {
      if (!isPlainObject(value)) return value;
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(value)) {
        const item = value[key];
        // A null map value decodes to nothing, as an unset field does.
        const next = item === null ? undefined : walk(item, shape.values, `${path}[${key}]`, unknown);
        if (next !== item) {
          out ??= { ...value };
          if (next === undefined) delete out[key];
          else out[key] = next;
        }
      }
      return out ?? value;
    }
    case 'struct': {
      if (!isPlainObject(value)) return value;
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(value)) {
        const item = value[key];
        const fieldShape = shape.fields.get(key);
        let next: unknown;
        if (fieldShape === undefined) {
          unknown.push(join(path, key));
          next = undefined;
        } else if (item === null) {
          next = undefined;
        } else {
          next = walk(item, fieldShape, join(path, key), unknown);
        }
        if (next !== item) {
          out ??= { ...value };
          if (next === undefined) delete out[key];
          else out[key] = next;
        }
      }
      return out ?? value;
    }
  }
}
