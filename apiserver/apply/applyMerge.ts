// How an applied configuration combines with the live object, by the schema as
// Kubernetes' server-side apply reads it (not by strategic-merge tags):
//   - maps and structs merge field by field, a `null` removes the field;
//   - lists of `x-kubernetes-list-type: map` merge item by item on all their key fields
//     (Service ports on port AND protocol, where a strategic merge keys on port alone and
//     folds 53/UDP and 53/TCP into one item); sets are unions; every other list, and every
//     map marked `x-kubernetes-map-type: atomic` (label selectors, node selectors, object
//     references), is replaced whole.
// Fields the configuration leaves out keep their live values.

import { isObject, type KubeObject } from '../../common/api/meta.js';
import { BadRequestError } from '../../common/errors.js';
import type { PatchMeta } from '../patch/patchMeta.js';
import { atomicMap, describePath, itemKey, listShape } from './fieldSet.js';

/**
 * The object `applied` makes of `current`; neither is modified and the result shares nothing
 * with them. Two items of one keyed list with the same key are a 400, as in Kubernetes.
 */
export function mergeApplied(current: KubeObject, applied: KubeObject, meta: PatchMeta): KubeObject {
  return mergeMap(structuredClone(current), applied, meta, []) as KubeObject;
}

function mergeMap(live: Record<string, unknown>, applied: Record<string, unknown>, meta: PatchMeta, at: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...live };
  for (const [field, value] of Object.entries(applied)) {
    if (value === null || value === undefined) delete out[field];
    else out[field] = mergeValue(live[field], value, meta.field(field), [...at, `f:${field}`]);
  }
  return out;
}

function mergeValue(live: unknown, applied: unknown, meta: PatchMeta, at: string[]): unknown {
  if (isObject(applied)) {
    return isObject(live) && !atomicMap(meta) ? mergeMap(live, applied, meta, at) : fresh(applied);
  }
  if (Array.isArray(applied)) {
    const shape = listShape(meta);
    if (!Array.isArray(live) || shape.kind === 'atomic') return fresh(applied);
    if (shape.kind === 'set') {
      const out = [...live];
      for (const v of applied) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(v))) out.push(fresh(v));
      return out;
    }
    const items = meta.items();
    const out = [...live];
    const seen = new Set<string>();
    for (const item of applied) {
      const key = isObject(item) ? itemKey(item, shape.keys) : undefined;
      if (key !== undefined) {
        if (seen.has(key)) throw new BadRequestError(`${describePath(at)}: duplicate entries for key ${describePath([key])}`);
        seen.add(key);
      }
      const i = key === undefined ? -1 : out.findIndex((x) => isObject(x) && itemKey(x, shape.keys) === key);
      if (i < 0) out.push(fresh(item));
      else out[i] = mergeValue(out[i], item, items, [...at, key!]);
    }
    return out;
  }
  return applied;
}

/** A value new to the object: a deep copy without the nulls that mean "not set". */
function fresh(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fresh);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = fresh(v);
  return out;
}
