// The JSON merge patch (RFC 7386) that turns `from` into `to`: changed keys set, removed keys
// null, arrays replaced whole. undefined when they are equal. Status writes send only this,
// so the agent never overwrites fields it does not own (such as the scheduler's condition).

import { isObject } from '../../common/api/meta.js';

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A copy without null-valued keys (at any depth): the API server drops them when it decodes. */
export function withoutNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => withoutNulls(x)) as T;
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
  return out as T;
}

export function mergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) return equal(from, to) ? undefined : to;
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue;
    const sub = isObject(v) && isObject(from[k]) ? mergePatch(from[k], v) : equal(from[k], v) ? undefined : v;
    if (sub !== undefined) patch[k] = sub;
  }
  for (const k of Object.keys(from)) if (!(k in to) || to[k] === undefined) patch[k] = null;
  return Object.keys(patch).length ? patch : undefined;
}
