// managedFields written before Gantry keyed list items the way server-side apply does name
// items by their strategic-merge key alone: `k:{"port":80}` where Kubernetes (and Gantry
// now) writes `k:{"port":80,"protocol":"TCP"}`. Such paths would never meet the paths an
// apply changes, so conflicts on them would be missed; they are re-keyed from the live
// item they name before ownership is compared.

import { isObject, type ManagedFieldsEntry } from '../../common/api/meta.js';
import type { PatchMeta } from '../patch/patchMeta.js';
import { itemKey, keyValue, listShape, type FieldSet } from './fieldSet.js';
import { setOf } from './managedFields.js';

/** `entries` with every item key completed from `obj`; the same array when nothing needed it. */
export function rekeyEntries(entries: ManagedFieldsEntry[], obj: unknown, meta: PatchMeta): ManagedFieldsEntry[] {
  let changed = false;
  const out = entries.map((e) => {
    const set = setOf(e);
    const fixed = rekey(set, obj, meta);
    if (fixed === set) return e;
    changed = true;
    return { ...e, fieldsV1: fixed };
  });
  return changed ? out : entries;
}

/** The set with complete item keys; the same object when all were complete already. */
function rekey(set: FieldSet, value: unknown, meta: PatchMeta): FieldSet {
  let out: FieldSet | undefined;
  for (const [el, child] of Object.entries(set)) {
    let name = el;
    let next: FieldSet = child;
    if (el.startsWith('f:')) {
      next = rekey(child, isObject(value) ? value[el.slice(2)] : undefined, meta.field(el.slice(2)));
    } else if (el.startsWith('k:') && Array.isArray(value)) {
      const shape = listShape(meta);
      const key = parseKey(el);
      const item = key && findItem(key, value);
      if (item && shape.kind === 'map' && !shape.keys.every((k) => k in key)) name = itemKey(item, shape.keys) ?? el;
      next = rekey(child, item, meta.items());
    }
    if (name === el && next === child && !out) continue;
    out ??= copyBefore(set, el);
    out[name] = out[name] ? union(out[name], next) : next;
  }
  return out ?? set;
}

function parseKey(el: string): Record<string, unknown> | undefined {
  try {
    const key = JSON.parse(el.slice(2)) as unknown;
    return isObject(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The item of `list` whose fields (or their defaults) equal those of `key`. */
function findItem(key: Record<string, unknown>, list: unknown[]): Record<string, unknown> | undefined {
  const hit = list.find((item) => isObject(item) && Object.entries(key).every(([k, v]) => JSON.stringify(keyValue(item, k)) === JSON.stringify(v)));
  return isObject(hit) ? hit : undefined;
}

/** A shallow copy of `set` holding the entries before `stop`. */
function copyBefore(set: FieldSet, stop: string): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(set)) {
    if (k === stop) break;
    out[k] = v;
  }
  return out;
}

function union(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? union(out[k], v) : v;
  return out;
}
