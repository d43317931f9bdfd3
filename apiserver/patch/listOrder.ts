// The order of a merged list after a strategic merge patch. Kubernetes' rule (from the
// "preserve order in strategic merge patch" design), which `kubectl apply` users see:
//   1. items named in the order list (the patch list, or `$setElementOrder/<field>`)
//      come in that order;
//   2. the other items ("server-only") keep the order they had in the live list;
//   3. the two runs are interleaved: a server-only item goes before the next patch item
//      only when both were in the live list and it came first there. So patch items that
//      are new to the list land ahead of the server-only items still to be placed.

/** Marks an item that has no usable identity (a map missing its merge key). */
export const NO_KEY: unique symbol = Symbol('no merge key');

/** The identity of a list item: the merge key's value for maps, the value itself for scalars. */
export type ItemKey = (item: unknown) => unknown;

export function scalarKey(item: unknown): unknown {
  return item;
}

export function mapKey(mergeKey: string): ItemKey {
  return (item) => (typeof item === 'object' && item !== null && Object.hasOwn(item, mergeKey) ? (item as Record<string, unknown>)[mergeKey] : NO_KEY);
}

/** Position of the first item with each key. */
export function firstPositions(list: readonly unknown[], keyOf: ItemKey): Map<unknown, number> {
  const positions = new Map<unknown, number>();
  list.forEach((item, i) => {
    const k = keyOf(item);
    if (k !== NO_KEY && !positions.has(k)) positions.set(k, i);
  });
  return positions;
}

/**
 * Orders `merged` by the rule above. `order` lists the items the patch names (in the
 * wanted order); `liveOrder` is the list as it was before the patch.
 */
export function orderMergedList(merged: readonly unknown[], order: readonly unknown[], liveOrder: readonly unknown[], keyOf: ItemKey): unknown[] {
  const wanted = firstPositions(order, keyOf);
  const live = firstPositions(liveOrder, keyOf);
  const named: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) {
    const k = keyOf(item);
    (k !== NO_KEY && wanted.has(k) ? named : serverOnly).push(item);
  }
  sortByPosition(named, wanted, keyOf);
  sortByPosition(serverOnly, live, keyOf);

  const livePosition = (item: unknown): number | undefined => {
    const k = keyOf(item);
    return k === NO_KEY ? undefined : live.get(k);
  };
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) {
      out.push(serverOnly[i++]);
    } else if (i >= serverOnly.length) {
      out.push(named[j++]);
    } else {
      const l = livePosition(serverOnly[i]);
      const r = livePosition(named[j]);
      if (l !== undefined && r !== undefined && l < r) out.push(serverOnly[i++]);
      else out.push(named[j++]);
    }
  }
  return out;
}

/** Stable sort by position; items without one keep their relative order at the end. */
function sortByPosition(items: unknown[], positions: Map<unknown, number>, keyOf: ItemKey): void {
  const pos = (item: unknown): number => {
    const k = keyOf(item);
    return (k === NO_KEY ? undefined : positions.get(k)) ?? Number.POSITIVE_INFINITY;
  };
  const keyed = items.map((item, i) => ({ item, p: pos(item), i }));
  keyed.sort((a, b) => (a.p === b.p ? a.i - b.i : a.p < b.p ? -1 : 1));
  keyed.forEach((k, idx) => (items[idx] = k.item));
}
