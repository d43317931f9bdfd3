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
  /**
   * Decode and check only this top-level member (e.g. `status` on a status write, whose
   * other members are the stored object's, checked when they were written); the others are
   * passed through as they are. Causes and unknown fields are those a whole-object
   * validation reports under that member.
   */
  only?: string;
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
      const part = opts.only !== undefined && isPlainObject(obj) ? opts.only : undefined;
      // Only the member: the same schema run over an object holding it alone reports the same
      // paths as over the whole object; causes outside it (a required sibling) are not its own.
      const subject = part === undefined ? obj : Object.hasOwn(obj as object, part) ? { [part]: (obj as Record<string, unknown>)[part] } : {};
      const { value, unknownFields } = decode(subject, shape);
      const causes: FieldCause[] = [];
      if (opts.strictFields) {
        for (const f of unknownFields) causes.push({ reason: unknownFieldReason, message: unknownFieldMessage(f), field: f });
      }
      const fn = compiledFor(name);
      if (!fn(value) && fn.errors) {
        for (const c of toCauses(fn.errors, value, shape)) if (!lenientRequired(c) && (part === undefined || under(c.field, part))) causes.push(c);
      }
      return { causes, pruned: part === undefined ? value : reassemble(obj as Record<string, unknown>, part, subject as Record<string, unknown>, value), unknownFields };
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function under(field: string | undefined, part: string): boolean {
  return field !== undefined && (field === part || field.startsWith(`${part}.`) || field.startsWith(`${part}[`));
}

/** The whole object with the member as decoded (copy on write, as decode: the same object when nothing changed). */
function reassemble(obj: Record<string, unknown>, part: string, subject: Record<string, unknown>, decoded: unknown): unknown {
  if (decoded === subject) return obj;
  const d = decoded as Record<string, unknown>;
  if (Object.hasOwn(d, part)) return { ...obj, [part]: d[part] };
  const { [part]: _dropped, ...rest } = obj;
  return rest;
}
