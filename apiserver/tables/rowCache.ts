// Table rows kept per watch-cache entry. An entry is immutable (a new revision is a new
// entry), so its row's cells are computed once, from one parse of its bytes, and served from
// then on without parsing it again. What is kept is the row's JSON text split around its
// time-dependent cells plus the timestamps those are rendered from, never the parsed object.
// The map is weak: a row goes when its entry is replaced or dropped from the cache.

import type { EncodedObject } from '../watchcache/encoded.js';
import { TimedCell } from './timed.js';
import type { TablePrinter } from './types.js';

interface CachedRow {
  /** The printer that made the row (an entry is printed by one printer; a second one recomputes). */
  readonly printer: TablePrinter;
  /**
   * The row's JSON `{"cells":[...]` (and `,"conditions":[...]`) without its closing brace,
   * cut where the timed cells go: parts[i] comes before timed[i], the last part after them all.
   */
  readonly parts: readonly string[];
  readonly timed: readonly TimedCell[];
}

const rows = new WeakMap<EncodedObject, CachedRow>();
let computed = 0;

/**
 * NUL marks a timed cell's place in the row text: JSON.stringify always escapes control
 * characters, so it can never come from a cell's own JSON.
 */
const SLOT = '\u0000';

function makeRow(printer: TablePrinter & Required<Pick<TablePrinter, 'template'>>, item: EncodedObject): CachedRow {
  const obj = item.forReading();
  const timed: TimedCell[] = [];
  const cells = printer.template(obj).map((c) => {
    if (!(c instanceof TimedCell)) return JSON.stringify(c) ?? 'null';
    timed.push(c);
    return SLOT;
  });
  const conditions = printer.conditions?.(obj);
  let text = `{"cells":[${cells.join(',')}]`;
  if (conditions && conditions.length > 0) text += `,"conditions":${JSON.stringify(conditions)}`;
  computed++;
  return { printer, parts: text.split(SLOT), timed };
}

function hasTemplate(printer: TablePrinter): printer is TablePrinter & Required<Pick<TablePrinter, 'template'>> {
  return typeof printer.template === 'function';
}

/**
 * `item`'s row as JSON without its closing brace (so the caller may add `"object"`), with
 * the timed cells rendered at `now`; byte for byte what JSON.stringify writes for the row's
 * `cells` and `conditions`. Undefined when `printer` has no template: such rows are not cached.
 */
export function cachedRowHead(printer: TablePrinter, item: EncodedObject, now: number): string | undefined {
  if (!hasTemplate(printer)) return undefined;
  let row = rows.get(item);
  if (row === undefined || row.printer !== printer) {
    row = makeRow(printer, item);
    rows.set(item, row);
  }
  const { parts, timed } = row;
  let out = parts[0]!;
  for (let i = 0; i < timed.length; i++) out += JSON.stringify(timed[i]!.render(now)) + parts[i + 1]!;
  return out;
}

/** How many rows have been computed (tests count them to see rows reused). */
export function cachedRowsComputed(): number {
  return computed;
}
