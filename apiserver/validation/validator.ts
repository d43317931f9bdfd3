// Validation of API objects against the generated OpenAPI schemas, the way the
// Kubernetes API server decodes and checks a request body: nulls are unset fields,
// unknown fields are rejected (fieldValidation=Strict) or pruned, and every type,
// required-field, format and quantity problem is reported at once.

import type { ValidateFunction } from 'ajv';
import type { FieldCause } from '../../common/errors.js';
import type { SchemaObject } from '../../common/schemas/index.js';
import { createAjv, type AjvInstance } from './ajv.js';
import { toCauses } from './causes.js';
import { decode } from './decode.js';
import { ShapeIndex } from './shape.js';

export interface ValidateOptions {
  /** fieldValidation=Strict: unknown fields are causes. Otherwise they are silently pruned. */
  strictFields: boolean;
}

export interface ValidationResult {
  /** Empty when the object is valid. Unknown fields appear only under strictFields. */
  causes: FieldCause[];
  /**
   * The object as decoded: null fields and unknown fields removed. The same reference
   * as the input when nothing had to be removed; the input is never modified.
   */
  pruned: unknown;
  /** Paths of unknown fields, whether or not strict (for `Warning` headers in Warn mode). */
  unknownFields: string[];
}

export interface Validator {
  validate(definitionName: string, obj: unknown, opts: ValidateOptions): ValidationResult;
  /** Whether a definition of that name exists. */
  has(definitionName: string): boolean;
  /** Compile these definitions now (at start-up) rather than on their first request. */
  precompile(definitionNames: Iterable<string>): void;
}

/** Reason used for fields the schema does not know (Kubernetes reports them only in a message). */
export const unknownFieldReason = 'FieldValueUnknown';

export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

const documentId = 'gantry-definitions';

/**
 * Kubernetes decodes a missing field as its zero value and checks status leniently, so
 * a status written without `restartCount: 0` or a fully filled `nodeInfo` is accepted.
 * The schemas' `required` lists are kept for clients, but not enforced under `status`.
 */
function lenientRequired(c: FieldCause): boolean {
  return c.reason === 'FieldValueRequired' && c.field !== undefined && c.field.startsWith('status.');
}

function createAjvWithDefinitions(definitions: Readonly<Record<string, SchemaObject>>): AjvInstance {
  const ajv = createAjv();
  // One document holding every definition, so `#/components/schemas/...` references resolve.
  ajv.addSchema({ components: { schemas: definitions } }, documentId);
  return ajv;
}

export function createValidator(definitions: Readonly<Record<string, SchemaObject>>): Validator {
  const shapes = new ShapeIndex(definitions);
  let ajv: AjvInstance | undefined;
  const compiled = new Map<string, ValidateFunction>();

  // Compiled on first use: most processes validate a handful of kinds.
  function compiledFor(name: string): ValidateFunction {
    let fn = compiled.get(name);
    if (!fn) {
      ajv ??= createAjvWithDefinitions(definitions);
      fn = ajv.compile({ $ref: `${documentId}#/components/schemas/${name}` });
      compiled.set(name, fn);
    }
    return fn;
  }

  return {
    has: (name) => Object.hasOwn(definitions, name),
    precompile(names) {
      for (const name of names) compiledFor(name);
    },
    validate(name, obj, opts) {
      const shape = shapes.of(name);
      const { value, unknownFields } = decode(obj, shape);
      const causes: FieldCause[] = [];
      if (opts.strictFields) {
        for (const f of unknownFields) causes.push({ reason: unknownFieldReason, message: unknownFieldMessage(f), field: f });
      }
      const fn = compiledFor(name);
      if (!fn(value) && fn.errors) {
        for (const c of toCauses(fn.errors, value, shape)) if (!lenientRequired(c)) causes.push(c);
      }
      return { causes, pruned: value, unknownFields };
    },
  };
}
