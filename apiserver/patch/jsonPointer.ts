// JSON Pointer (RFC 6901) resolution used to check JSON patch operations before they
// run. Only own properties count, so `/constructor` or `/toString` never resolve through
// an object's prototype.

import { type JsonObject, isObject } from './jsonValue.js';

/** Parses a pointer into unescaped reference tokens; `undefined` when it is malformed. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  const tokens = pointer.slice(1).split('/');
  for (const t of tokens) if (/~(?![01])/.test(t)) return undefined;
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const arrayIndex = /^(0|[1-9][0-9]*)$/;

export type Resolution =
  | { found: true; value: unknown }
  | { found: false; reason: string };

/** Finds the value a pointer names. */
export function resolvePointer(doc: unknown, tokens: string[]): Resolution {
  let current = doc;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (Array.isArray(current)) {
      if (!arrayIndex.test(token)) return { found: false, reason: `invalid array index ${JSON.stringify(token)}` };
      const index = Number(token);
      if (index >= current.length) return { found: false, reason: `array index ${index} out of range` };
      current = current[index];
    } else if (isObject(current)) {
      if (!Object.hasOwn(current, token)) return { found: false, reason: 'doc is missing path' };
      current = (current as JsonObject)[token];
    } else {
      return { found: false, reason: 'doc is missing path' };
    }
  }
  return { found: true, value: current };
}

/**
 * Checks that a value can be added at the pointer: the parent exists and is a container,
 * and an array position is `-` or an index no greater than the array's length.
 * Returns why not, or `undefined` when it can.
 */
export function addTargetProblem(doc: unknown, tokens: string[]): string | undefined {
  if (tokens.length === 0) return undefined;
  const parent = resolvePointer(doc, tokens.slice(0, -1));
  if (!parent.found) return parent.reason;
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent.value)) {
    if (last === '-') return undefined;
    if (!arrayIndex.test(last)) return `invalid array index ${JSON.stringify(last)}`;
    if (Number(last) > parent.value.length) return `array index ${last} out of range`;
    return undefined;
  }
  if (isObject(parent.value)) return undefined;
  return 'doc is missing path';
}

/** True when `prefix` names a proper ancestor of `tokens` (a value cannot move into itself). */
export function isProperPrefix(prefix: string[], tokens: string[]): boolean {
  if (prefix.length >= tokens.length) return false;
  return prefix.every((t, i) => t === tokens[i]);
}
