// Sets of field paths in Kubernetes' FieldsV1 notation, the currency of server-side
// apply: `{"f:spec":{"f:replicas":{}},"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}`.
// `f:` names a field, `k:` a list item by its merge key, `v:` a member of a set,
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

function itemKey(item: Record<string, unknown>, mergeKey: string): string {
  return `k:${JSON.stringify({ [mergeKey]: item[mergeKey] })}`;
}

function listElements(list: unknown[], meta: PatchMeta, out: FieldSet): void {
  const s = meta.strategy();
  for (const item of list) {
    if (s.merge && s.mergeKey && isObject(item) && item[s.mergeKey] !== undefined) {
      out[itemKey(item, s.mergeKey)] = { '.': {}, ...fieldsOf(item, meta.items()) };
    } else if (s.merge && !s.mergeKey && !isObject(item) && !Array.isArray(item)) {
      out[`v:${JSON.stringify(item)}`] = {};
    }
  }
}

/** The fields an object sets, as a FieldSet (atomic lists and scalars are leaves). */
export function fieldsOf(value: Record<string, unknown>, meta: PatchMeta, root = false): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(value)) {
    if (root && serverOwned.has(k)) continue;
    const child = meta.field(k);
    if (root && k === 'metadata' && isObject(v)) {
      const m: FieldSet = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (serverOwnedMeta.has(mk)) continue;
        m[`f:${mk}`] = isObject(mv) && Object.keys(mv).length ? fieldsOf(mv, child.field(mk)) : Array.isArray(mv) ? listSet(mv, child.field(mk)) : {};
      }
      if (Object.keys(m).length) out['f:metadata'] = m;
      continue;
    }
    if (isObject(v) && Object.keys(v).length) out[`f:${k}`] = fieldsOf(v, child);
    else if (Array.isArray(v)) out[`f:${k}`] = listSet(v, child);
    else out[`f:${k}`] = {};
  }
  return out;
}

function listSet(list: unknown[], meta: PatchMeta): FieldSet {
  if (!meta.strategy().merge) return {};
  const out: FieldSet = {};
  listElements(list, meta, out);
  return out;
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
export function without(set: FieldSet, paths: FieldPath[]): FieldSet {
  const copy = structuredClone(set);
  for (const p of paths) removePath(copy, p);
  return copy;
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
      const hit = cur.find((item) => isObject(item) && Object.entries(key).every(([k, v]) => isDeepStrictEqual(item[k], v)));
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
