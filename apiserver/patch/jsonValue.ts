// Helpers for handling decoded JSON values safely. Patches come from clients, so every
// recursion is bounded and keys such as `__proto__` are treated as plain data.

import { BadRequestError } from '../../common/errors.js';
import { isObject } from '../../common/api/meta.js';

export type JsonObject = Record<string, unknown>;

/**
 * How deeply a patch may nest. Real objects stay far below this; a hostile body
 * nested thousands of levels deep must fail with a 400, not a stack overflow.
 */
export const MAX_PATCH_DEPTH = 100;

export { isObject };

/** Reads an own property only, so `constructor` or `__proto__` never reach the prototype. */
export function getOwn(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Writes an own data property, even for `__proto__` (plain assignment would replace the prototype). */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function depthExceeded(where: string, maxDepth: number): BadRequestError {
  return new BadRequestError(`${where}: the patch is nested deeper than the maximum of ${maxDepth} levels`);
}

/** Deep copy of a JSON value, refusing nesting deeper than `maxDepth`. */
export function cloneJson(value: unknown, maxDepth: number = MAX_PATCH_DEPTH, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) throw depthExceeded('patch', maxDepth);
  if (Array.isArray(value)) return value.map((v) => cloneJson(v, maxDepth, depth + 1));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) setOwn(out, k, cloneJson(v, maxDepth, depth + 1));
  return out;
}

/** True for JSON scalars (string, number, boolean, null): the values a set-like list may hold. */
export function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** A short rendering of a value for error messages. */
export function preview(v: unknown, max = 120): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
