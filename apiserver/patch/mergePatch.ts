// JSON merge patch (RFC 7386), the `application/merge-patch+json` patch type that
// `kubectl label`, `annotate` and `scale` send. Objects merge key by key, `null`
// deletes a key, and anything else (arrays included) replaces the target value.

import { type JsonObject, MAX_PATCH_DEPTH, cloneJson, depthExceeded, getOwn, isObject, setOwn } from './jsonValue.js';

/**
 * Applies `patch` to `original` and returns the result. Neither input is modified and
 * the result shares no objects with them. A non-object patch replaces the whole document,
 * as the RFC says; the HTTP layer decides whether such a body is acceptable for a resource.
 */
export function applyMergePatch(original: unknown, patch: unknown, maxDepth: number = MAX_PATCH_DEPTH): unknown {
  if (!isObject(patch)) return cloneJson(patch, maxDepth);
  const target: JsonObject = isObject(original) ? structuredClone(original) : {};
  return mergeInto(target, patch, maxDepth, 0);
}

/**
 * As applyMergePatch, but merges into `original` itself when it is an object (the caller owns
 * it, e.g. the store's private copy of the current object): one deep copy fewer per patch.
 */
export function applyMergePatchInPlace(original: unknown, patch: unknown, maxDepth: number = MAX_PATCH_DEPTH): unknown {
  if (!isObject(patch) || !isObject(original)) return applyMergePatch(original, patch, maxDepth);
  return mergeInto(original, patch, maxDepth, 0);
}

/** Merges `patch` into `target` in place; `target` is always a private copy. */
function mergeInto(target: JsonObject, patch: JsonObject, maxDepth: number, depth: number): JsonObject {
  if (depth >= maxDepth) throw depthExceeded('merge patch', maxDepth);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else if (isObject(value)) {
      const current = getOwn(target, key);
      // A value that is not an object yet is replaced by the merge of the patch into {}:
      // that also strips the nulls nested inside the patch value.
      setOwn(target, key, mergeInto(isObject(current) ? current : {}, value, maxDepth, depth + 1));
    } else {
      setOwn(target, key, cloneJson(value, maxDepth, depth + 1));
    }
  }
  return target;
}
