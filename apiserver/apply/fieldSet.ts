// Sets of field paths in Kubernetes' FieldsV1 notation, the currency of server-side
// apply: `{"f:spec":{"f:replicas":{}},"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}`.
// `f:` names a field, `k:` a list item by its key fields, `v:` a member of a set,
// and `.` the item itself. Plain JSON objects, so they are stored as they are.

import { isDeepStrictEqual } from 'node:util';
import { isObject } from '../../common/api/meta.js';
import type { PatchMeta } from '../patch/patchMeta.js';

export type FieldSet = { [element: string]: FieldSet };

/** One path through a FieldSet, e.g. ['f:spec', 'f:replicas']. */
export type FieldPath = string[];

/** Top-level fields that belong to the server, never to a manager. */
const serverOwned = new Set(['apiVersion', 'kind']);
const serverOwnedMeta = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

/**
 * How server-side apply sees a list: items named by key fields, a set of scalars, or one
 * atomic value. The schema's `x-kubernetes-list-type` decides, as in Kubernetes; lists
 * without it fall back to their strategic-merge strategy.
 */
export type ListShape = { kind: 'map'; keys: string[] } | { kind: 'set' } | { kind: 'atomic' };

export function listShape(meta: PatchMeta): ListShape {
  const type = meta.extension('x-kubernetes-list-type');
  const keys = meta.extension('x-kubernetes-list-map-keys');
  if (type === 'map' && Array.isArray(keys) && keys.length && keys.every((k) => typeof k === 'string')) return { kind: 'map', keys: [...(keys as string[])].sort() };
  if (type === 'set') return { kind: 'set' };
  if (type === 'atomic') return { kind: 'atomic' };
  const s = meta.strategy();
  if (s.merge && s.mergeKey) return { kind: 'map', keys: [s.mergeKey] };
  if (s.merge) return { kind: 'set' };
  return { kind: 'atomic' };
}

/** Maps and structs marked `x-kubernetes-map-type: atomic` (label selectors, object references) are one value. */
export function atomicMap(meta: PatchMeta): boolean {
  return meta.extension('x-kubernetes-map-type') === 'atomic';
}

/**
 * Defaults of key fields the server fills in, so an item applied without them names the
 * same item as the defaulted live one (Kubernetes' schemas declare `protocol` +default=TCP
 * on every port type; Gantry's published schema carries no defaults).
 */
const keyDefaults: Record<string, unknown> = { protocol: 'TCP' };

export function keyValue(item: Record<string, unknown>, field: string): unknown {
  return item[field] ?? keyDefaults[field];
}

/** `k:{"port":80,"protocol":"TCP"}`, or undefined for an item lacking a key field. */
export function itemKey(item: Record<string, unknown>, keys: string[]): string | undefined {
  const key: Record<string, unknown> = {};
  for (const k of keys) {
    const v = keyValue(item, k);
    if (v === undefined || v === null) return undefined;
    key[k] = v;
  }
  return `k:${JSON.stringify(key)}`;
}

function listElements(list: unknown[], meta: PatchMeta, out: FieldSet): void {
  const shape = listShape(meta);
  for (const item of list) {
    if (shape.kind === 'map' && isObject(item)) {
      const key = itemKey(item, shape.keys);
      if (key === undefined) continue;
      // An atomic item is one value (a leaf); any other item is a marker beside its fields.
      out[key] = atomicMap(meta.items()) ? {} : { '.': {}, ...fieldsOf(item, meta.items()) };
    } else if (shape.kind === 'set' && !isObject(item) && !Array.isArray(item)) {
      out[`v:${JSON.stringify(item)}`] = {};
    }
  }
}

/** The fields an object sets, as a FieldSet (scalars, atomic lists and atomic maps are leaves). */
export function fieldsOf(value: Record<string, unknown>, meta: PatchMeta, root = false): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(value)) {
    if (root && serverOwned.has(k)) continue;
    const child = meta.field(k);
    if (root && k === 'metadata' && isObject(v)) {
      const m: FieldSet = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (serverOwnedMeta.has(mk)) continue;
        m[`f:${mk}`] = valueSet(mv, child.field(mk));
      }
      if (Object.keys(m).length) out['f:metadata'] = m;
      continue;
    }
    out[`f:${k}`] = valueSet(v, child);
  }
  return out;
}

function valueSet(v: unknown, meta: PatchMeta): FieldSet {
  if (isObject(v)) return Object.keys(v).length && !atomicMap(meta) ? fieldsOf(v, meta) : {};
  if (Array.isArray(v)) return listSet(v, meta);
  return {};
}

function listSet(list: unknown[], meta: PatchMeta): FieldSet {
  const out: FieldSet = {};
  if (listShape(meta).kind !== 'atomic') listElements(list, meta, out);
  return out;
}

/**
 * What a write changed, as server-side apply counts it: `changed` holds the leaves whose
 * value is new or different and the list items that are new; `removed` what is gone.
 * A list item present on both sides is never itself changed (its fields are compared one
 * by one), while a leaf (a scalar, an atomic list or map) is compared as a whole. Fields
 * the write does not mention keep their live value, so server-side defaults are no change.
 */
export function changedFields(before: unknown, beforeSet: FieldSet, after: unknown, afterSet: FieldSet): { changed: FieldPath[]; removed: FieldPath[] } {
  const changed = leaves(afterSet).filter((p) => {
    if (!hasPath(beforeSet, p)) return true;
    if (isMarker(afterSet, p)) return false;
    const was = valueAt(before, p);
    const now = valueAt(after, p);
    return !was.found || !now.found || !isDeepStrictEqual(was.value, now.value);
  });
  const removed = leaves(beforeSet).filter((p) => !hasPath(afterSet, p));
  return { changed, removed };
}

/** Whether a path names an item's marker (`.`) rather than a value. */
function isMarker(set: FieldSet, path: FieldPath): boolean {
  let node: FieldSet | undefined = set;
  for (const el of path) node = node?.[el];
  return node !== undefined && '.' in node;
}

/** Every path that ends in a leaf or an item marker. */
export function leaves(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  const keys = Object.keys(set);
  if (keys.length === 0 && prefix.length) out.push(prefix);
  for (const k of keys) {
    if (k === '.') {
      out.push(prefix);
      continue;
    }
    out.push(...leaves(set[k]!, [...prefix, k]));
  }
  return out;
}

export function hasPath(set: FieldSet, path: FieldPath): boolean {
  let node: FieldSet | undefined = set;
  for (const el of path) {
    node = node[el];
    if (!node) return false;
  }
  return Object.keys(node).length === 0 || '.' in node;
}

/** A FieldSet with `paths` removed (and any branch left empty by that). */
/**
 * The set less `paths`; never changes `set`. A set none of the paths reach is returned as it
 * is (shared, not copied): on most writes no other owner's entry holds a changed field.
 */
export function without(set: FieldSet, paths: FieldPath[]): FieldSet {
  if (!paths.some((p) => reaches(set, p))) return set;
  const copy = structuredClone(set);
  for (const p of paths) removePath(copy, p);
  return copy;
}

/**
 * Whether removePath would change the set: it finds the path's last element, or passes an
 * empty set on the way (which it deletes: a leaf owns what lies under it).
 */
function reaches(set: FieldSet, path: FieldPath): boolean {
  let node = set;
  for (let i = 0; i < path.length; i++) {
    const child = node[path[i]!];
    if (!child) return false;
    if (i === path.length - 1 || Object.keys(child).length === 0) return true;
    node = child;
  }
  return false;
}

function removePath(set: FieldSet, path: FieldPath): void {
  if (path.length === 0) return;
  const [head, ...rest] = path;
  const child = set[head!];
  if (!child) return;
  if (rest.length === 0) {
    if ('.' in child && Object.keys(child).length > 1) delete child['.'];
    else delete set[head!];
    return;
  }
  removePath(child, rest);
  if (Object.keys(child).length === 0) delete set[head!];
}

export function fromPaths(paths: FieldPath[]): FieldSet {
  const out: FieldSet = {};
  for (const p of paths) {
    let node = out;
    for (const el of p) node = node[el] ??= {};
    if (p.length && p[p.length - 1]!.startsWith('k:')) node['.'] = {};
  }
  return out;
}

type Located = { found: true; value: unknown } | { found: false };

/** The value an object has at a path, following merge keys through lists. */
export function valueAt(obj: unknown, path: FieldPath): Located {
  let cur: unknown = obj;
  for (const el of path) {
    if (el.startsWith('f:')) {
      if (!isObject(cur) || !(el.slice(2) in cur)) return { found: false };
      cur = cur[el.slice(2)];
    } else if (el.startsWith('k:')) {
      if (!Array.isArray(cur)) return { found: false };
      const key = JSON.parse(el.slice(2)) as Record<string, unknown>;
      const hit = cur.find((item) => isObject(item) && Object.entries(key).every(([k, v]) => isDeepStrictEqual(keyValue(item, k), v)));
      if (hit === undefined) return { found: false };
      cur = hit;
    } else if (el.startsWith('v:')) {
      if (!Array.isArray(cur)) return { found: false };
      const v = JSON.parse(el.slice(2)) as unknown;
      if (!cur.some((x) => isDeepStrictEqual(x, v))) return { found: false };
      cur = v;
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/** Removes what a path names from an object (a field, a list item, a set member). */
export function removeAt(obj: unknown, path: FieldPath): void {
  if (path.length === 0) return;
  const parent = valueAt(obj, path.slice(0, -1));
  if (!parent.found) return;
  const last = path[path.length - 1]!;
  const p = parent.value;
  if (last.startsWith('f:') && isObject(p)) delete p[last.slice(2)];
  else if ((last.startsWith('k:') || last.startsWith('v:')) && Array.isArray(p)) {
    const target = valueAt(obj, path);
    if (!target.found) return;
    const i = p.indexOf(target.value);
    const j = i >= 0 ? i : p.findIndex((x) => isDeepStrictEqual(x, target.value));
    if (j >= 0) p.splice(j, 1);
  }
}

/** `['f:spec','k:{"name":"c"}','f:image']` -> `.spec[name="c"].image`, as Kubernetes prints conflicts. */
export function describePath(path: FieldPath): string {
  return path
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('k:')) {
        const key = JSON.parse(el.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      if (el.startsWith('v:')) return `[=${el.slice(2)}]`;
      return '';
    })
    .join('');
}
