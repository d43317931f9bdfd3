// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), what
// `kubectl apply` (client-side), `kubectl patch`, `set image`, `cordon` send. It is a JSON
// merge patch in which the schema decides how each list combines:
//   - maps merge recursively and `null` deletes a key;
//   - lists with the merge strategy and a merge key merge item by item (items whose key
//     matches are merged, new ones added); merge lists of scalars are sets (union);
//   - every other list is replaced whole.
// Directives, applied and never stored:
//   `$patch: replace | delete | merge` on a map; `{"$patch": "replace"}` or
//   `{"<key>": v, "$patch": "delete"}` as a merge-list item; `$retainKeys: [...]`;
//   `$setElementOrder/<list>: [...]`; `$deleteFromPrimitiveList/<list>: [...]`.
// Where a patch adds a value the live object lacks, the value is merged into an empty one,
// so nulls and directives inside it are applied too (Kubernetes would store them raw and
// lose them only when decoding into its typed structs).

import { BadRequestError } from '../../common/errors.js';
import { type JsonObject, MAX_PATCH_DEPTH, depthExceeded, getOwn, isObject, isScalar, preview, setOwn } from './jsonValue.js';
import { type ItemKey, firstPositions, mapKey, orderMergedList, scalarKey } from './listOrder.js';
import type { PatchMeta } from './patchMeta.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/** Returned by a map merge whose patch says `$patch: delete`. */
const DELETED: unique symbol = Symbol('deleted');
type Merged = JsonObject | typeof DELETED;

/**
 * Applies a strategic merge patch to `original` (an object) using `meta` for the
 * schema of the root. Inputs are not modified; the result shares no objects with them.
 * Malformed directives or merge-list items raise BadRequestError.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, meta: PatchMeta, maxDepth: number = MAX_PATCH_DEPTH): unknown {
  if (!isObject(patch)) throw new BadRequestError(`a strategic merge patch must be a JSON object, got ${preview(patch, 40)}`);
  if (!isObject(original)) throw new BadRequestError('a strategic merge patch can only be applied to an object');
  const result = new Merger(maxDepth).map(structuredClone(original), patch, meta, '', 0);
  return result === DELETED ? {} : result;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function where(path: string): string {
  return path || '<root>';
}

function isDirectiveKey(key: string): boolean {
  return key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

/** The list field a parallel-list directive (`$setElementOrder/x`) is about. */
function directiveField(key: string, prefix: string, path: string): string {
  if (!key.startsWith(`${prefix}/`) || key.length === prefix.length + 1) {
    throw new BadRequestError(`${where(path)}: invalid directive ${JSON.stringify(key)}: expected "${prefix}/<list field>"`);
  }
  return key.slice(prefix.length + 1);
}

/** Holds the limits of one patch application; the targets it mutates are private copies. */
class Merger {
  constructor(private readonly maxDepth: number) {}

  private enter(path: string, depth: number): void {
    if (depth >= this.maxDepth) throw depthExceeded(where(path), this.maxDepth);
  }

  /** Merges `patch` into `target` (mutated in place) and returns it, or DELETED. */
  map(target: JsonObject, patch: JsonObject, meta: PatchMeta, path: string, depth: number): Merged {
    this.enter(path, depth);
    if (Object.hasOwn(patch, PATCH)) {
      const directive = patch[PATCH];
      if (directive === 'delete') return DELETED;
      if (directive === 'replace') {
        const rest: JsonObject = {};
        for (const [k, v] of Object.entries(patch)) if (k !== PATCH) setOwn(rest, k, v);
        return this.map({}, rest, meta, path, depth);
      }
      if (directive !== 'merge') {
        throw new BadRequestError(`${where(path)}: invalid $patch directive ${preview(directive, 40)}: expected "replace", "delete" or "merge"`);
      }
    }
    if (Object.hasOwn(patch, RETAIN_KEYS)) this.retainKeys(target, patch, path);

    // Lists named by $setElementOrder are merged and ordered here, before the other fields.
    const ordered = new Set<string>();
    for (const [key, order] of Object.entries(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
      const field = directiveField(key, SET_ELEMENT_ORDER, path);
      if (this.setElementOrder(target, patch, field, order, meta.field(field), join(path, field), depth)) ordered.add(field);
    }

    const deletions: Array<[string, unknown]> = [];
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deletions.push([directiveField(key, DELETE_FROM_PRIMITIVE_LIST, path), value]);
      } else if (!isDirectiveKey(key) && !ordered.has(key)) {
        this.field(target, key, value, meta.field(key), join(path, key), depth);
      }
    }
    // Deletions run last so that a value both added and deleted ends up deleted.
    for (const [field, values] of deletions) this.deleteFromPrimitiveList(target, field, values, join(path, field));
    return target;
  }

  private field(target: JsonObject, key: string, value: unknown, meta: PatchMeta, path: string, depth: number): void {
    if (value === null) {
      delete target[key];
      return;
    }
    const current = getOwn(target, key);
    if (isObject(value)) {
      const merged = this.map(isObject(current) ? current : {}, value, meta, path, depth + 1);
      if (merged === DELETED) delete target[key];
      else setOwn(target, key, merged);
    } else if (Array.isArray(value)) {
      setOwn(target, key, this.list(Array.isArray(current) ? current : [], value, meta, path, depth + 1));
    } else {
      setOwn(target, key, value);
    }
  }

  /** Combines a live list with a patch list according to the list's strategy. */
  private list(current: unknown[], patch: unknown[], meta: PatchMeta, path: string, depth: number): unknown[] {
    this.enter(path, depth);
    const strategy = meta.strategy();
    if (strategy.merge) return this.mergeList(current, patch, strategy.mergeKey, meta.items(), path, depth);
    // Atomic: the patch list replaces the live one, with its items cleaned of directives.
    const out: unknown[] = [];
    patch.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      if (isObject(item)) {
        const merged = this.map({}, item, meta.items(), itemPath, depth + 1);
        if (merged !== DELETED) out.push(merged);
      } else if (Array.isArray(item)) {
        out.push(this.list([], item, meta.items(), itemPath, depth + 1));
      } else {
        out.push(item);
      }
    });
    return out;
  }

  private mergeList(current: unknown[], patch: unknown[], mergeKey: string | undefined, itemMeta: PatchMeta, path: string, depth: number): unknown[] {
    let replace = false;
    const deleteKeys = new Set<unknown>();
    const regular: unknown[] = [];
    patch.forEach((item, i) => {
      if (!isObject(item) || !Object.hasOwn(item, PATCH)) {
        regular.push(item);
        return;
      }
      const directive = item[PATCH];
      if (directive === 'replace') {
        replace = true;
      } else if (directive === 'delete') {
        if (mergeKey === undefined) throw new BadRequestError(`${path}[${i}]: "$patch": "delete" needs a list merged by key; ${where(path)} has no merge key`);
        if (!Object.hasOwn(item, mergeKey)) throw missingMergeKey(path, item, mergeKey);
        deleteKeys.add(item[mergeKey]);
      } else if (directive === 'merge') {
        throw new BadRequestError(`${path}[${i}]: "$patch": "merge" cannot be used on a list item`);
      } else {
        throw new BadRequestError(`${path}[${i}]: invalid $patch directive ${preview(directive, 40)}: expected "replace" or "delete"`);
      }
    });

    const kind = listKind(current, regular, path);
    if (kind === 'maps' && mergeKey === undefined) throw new BadRequestError(`${where(path)}: cannot merge a list of maps without a merge key`);
    const keyOf: ItemKey = kind === 'maps' && mergeKey !== undefined ? mapKey(mergeKey) : scalarKey;

    // `$patch: replace` drops the live list; `$patch: delete` items drop live items by key.
    const live = replace ? [] : deleteKeys.size > 0 ? current.filter((item) => !deleteKeys.has(keyOf(item))) : current;

    let merged: unknown[];
    if (kind === 'maps' && mergeKey !== undefined) {
      merged = live.slice();
      const positions = firstPositions(merged, keyOf);
      regular.forEach((item, i) => {
        const patchItem = item as JsonObject;
        if (!Object.hasOwn(patchItem, mergeKey)) throw missingMergeKey(path, patchItem, mergeKey);
        const key = patchItem[mergeKey];
        const itemPath = `${path}[${i}]`;
        const at = positions.get(key);
        if (at !== undefined) {
          merged[at] = this.map(merged[at] as JsonObject, patchItem, itemMeta, itemPath, depth + 1);
        } else {
          positions.set(key, merged.length);
          merged.push(this.map({}, patchItem, itemMeta, itemPath, depth + 1));
        }
      });
    } else {
      merged = [...new Set([...live, ...regular])];
    }
    return orderMergedList(merged, regular, live, keyOf);
  }

  /**
   * Handles `$setElementOrder/<field>`: merges the field's patch list (if any) into the
   * live list, then puts the items it names in its order. Returns true when it took care
   * of the field; false leaves an atomic or deleted list to the ordinary field handling.
   */
  private setElementOrder(target: JsonObject, patch: JsonObject, field: string, order: unknown, meta: PatchMeta, path: string, depth: number): boolean {
    if (!Array.isArray(order)) throw new BadRequestError(`${path}: ${SET_ELEMENT_ORDER}/${field} must be a list`);
    const strategy = meta.strategy();
    if (!strategy.merge) return false;
    const patchList = getOwn(patch, field);
    if (patchList !== undefined && !Array.isArray(patchList)) return false;
    const mergeKey = strategy.mergeKey;
    const keyOf: ItemKey = mergeKey !== undefined ? mapKey(mergeKey) : scalarKey;
    for (const item of order) {
      if (mergeKey !== undefined ? !isObject(item) || !Object.hasOwn(item, mergeKey) : !isScalar(item)) {
        const expected = mergeKey !== undefined ? `maps holding the merge key "${mergeKey}"` : 'scalar values';
        throw new BadRequestError(`${path}: ${SET_ELEMENT_ORDER}/${field} items must be ${expected}, got ${preview(item, 60)}`);
      }
    }
    if (patchList) checkPatchFollowsOrder(patchList, order, keyOf, mergeKey, field, path);

    const current = getOwn(target, field);
    const live = Array.isArray(current) ? current : undefined;
    if (!live && !patchList) return true;
    const merged = patchList ? this.list(live ?? [], patchList, meta, path, depth + 1) : (live ?? []);
    setOwn(target, field, orderMergedList(merged, order, live ?? [], keyOf));
    return true;
  }

  private retainKeys(target: JsonObject, patch: JsonObject, path: string): void {
    const keys = patch[RETAIN_KEYS];
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
      throw new BadRequestError(`${where(path)}: ${RETAIN_KEYS} must be a list of field names`);
    }
    const retained = new Set<unknown>(keys);
    for (const [k, v] of Object.entries(patch)) {
      if (v !== null && !isDirectiveKey(k) && !retained.has(k)) {
        throw new BadRequestError(`${where(path)}: the patch sets ${JSON.stringify(k)}, which is not in its ${RETAIN_KEYS} list`);
      }
    }
    for (const k of Object.keys(target)) if (!retained.has(k)) delete target[k];
  }

  private deleteFromPrimitiveList(target: JsonObject, field: string, values: unknown, path: string): void {
    if (!Array.isArray(values) || !values.every(isScalar)) {
      throw new BadRequestError(`${path}: ${DELETE_FROM_PRIMITIVE_LIST}/${field} must be a list of scalar values`);
    }
    const current = getOwn(target, field);
    if (!Array.isArray(current)) return;
    const drop = new Set<unknown>(values);
    setOwn(target, field, current.filter((item) => !(isScalar(item) && drop.has(item))));
  }
}

function missingMergeKey(path: string, item: unknown, mergeKey: string): BadRequestError {
  return new BadRequestError(`${where(path)}: list item ${preview(item, 80)} does not contain the merge key ${JSON.stringify(mergeKey)}`);
}

/** Merge lists hold either maps or scalars; Kubernetes refuses lists of lists and mixtures. */
function listKind(current: readonly unknown[], patch: readonly unknown[], path: string): 'maps' | 'scalars' {
  let maps = false;
  let scalars = false;
  for (const list of [current, patch]) {
    for (const item of list) {
      if (Array.isArray(item)) throw new BadRequestError(`${where(path)}: lists of lists are not supported`);
      if (isObject(item)) maps = true;
      else scalars = true;
    }
  }
  if (maps && scalars) throw new BadRequestError(`${where(path)}: list element types are not identical`);
  return maps ? 'maps' : 'scalars';
}

/**
 * The patch list must name its items in the same relative order as `$setElementOrder`
 * and only items it names (directive items such as deletions are exempt).
 */
function checkPatchFollowsOrder(patchList: readonly unknown[], order: readonly unknown[], keyOf: ItemKey, mergeKey: string | undefined, field: string, path: string): void {
  let o = 0;
  for (const item of patchList) {
    if (isObject(item) && Object.hasOwn(item, PATCH)) continue;
    if (mergeKey !== undefined && (!isObject(item) || !Object.hasOwn(item, mergeKey))) throw missingMergeKey(path, item, mergeKey);
    const key = keyOf(item);
    while (o < order.length && keyOf(order[o]) !== key) o++;
    if (o >= order.length) {
      throw new BadRequestError(`${path}: the patch list does not follow ${SET_ELEMENT_ORDER}/${field}: ${preview(item, 80)} is missing from it or out of order`);
    }
    o++;
  }
}
