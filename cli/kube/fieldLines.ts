// Which line of a manifest a field path points at (`spec.template.spec.containers[0].image`,
// `data[key]`, server-side apply's `.spec.containers[name="c"]`), so an error the server
// reports by field can say where in the file that field is. Built from js-yaml's event
// stream, which keeps source offsets that the loaded value does not.

import { EVENT_ID, getScalarValue, parseEvents, type Event } from 'js-yaml';

type PNode =
  | { kind: 'map'; offset: number; entries: { key: string; offset: number; value: PNode }[] }
  | { kind: 'seq'; offset: number; items: PNode[] }
  | { kind: 'scalar'; offset: number; value: string };

function offsetOf(e: Event): number {
  switch (e.type) {
    case EVENT_ID.SCALAR:
      return e.valueStart;
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return e.start;
    case EVENT_ID.ALIAS:
      return e.anchorStart;
    default:
      return 0;
  }
}

/** The first document's node tree. */
function tree(text: string): PNode | undefined {
  const events = parseEvents(text, {});
  let i = 0;
  const node = (): PNode => {
    const e = events[i++]!;
    if (e.type === EVENT_ID.MAPPING) {
      const entries: { key: string; offset: number; value: PNode }[] = [];
      while (events[i] && events[i]!.type !== EVENT_ID.POP) {
        const k = events[i]!;
        const key = node();
        entries.push({ key: key.kind === 'scalar' ? key.value : '', offset: offsetOf(k), value: node() });
      }
      i++;
      return { kind: 'map', offset: e.start, entries };
    }
    if (e.type === EVENT_ID.SEQUENCE) {
      const items: PNode[] = [];
      while (events[i] && events[i]!.type !== EVENT_ID.POP) items.push(node());
      i++;
      return { kind: 'seq', offset: e.start, items };
    }
    if (e.type === EVENT_ID.SCALAR) return { kind: 'scalar', offset: e.valueStart, value: getScalarValue(text, e) };
    return { kind: 'scalar', offset: offsetOf(e), value: '' };
  };
  while (i < events.length && events[i]!.type !== EVENT_ID.MAPPING && events[i]!.type !== EVENT_ID.SEQUENCE && events[i]!.type !== EVENT_ID.SCALAR) i++;
  return i < events.length ? node() : undefined;
}

/** `a.b[0][k="v"][key]` -> ['a', 'b', '[0]', '[k="v"]', '[key]']. */
export function pathSegments(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '.') {
      if (cur) out.push(cur);
      cur = '';
    } else if (c === '[') {
      if (cur) out.push(cur);
      let j = i + 1;
      let quote = '';
      for (; j < path.length; j++) {
        const d = path[j]!;
        if (quote) {
          if (d === '\\') j++;
          else if (d === quote) quote = '';
        } else if (d === '"') quote = d;
        else if (d === ']') break;
      }
      out.push(path.slice(i, j + 1));
      cur = '';
      i = j;
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** `name="c",port=80` -> the pairs a list item must have (server-side apply's key selector). */
function keySelector(inner: string): [string, string][] | undefined {
  const pairs = [...inner.matchAll(/([^=,]+)=("(?:[^"\\]|\\.)*"|[^,]*)/g)].map((m): [string, string] => [m[1]!, m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!]);
  return pairs.length ? pairs : undefined;
}

function step(n: PNode, seg: string): { node: PNode; offset: number } | undefined {
  const bracket = seg.startsWith('[') ? seg.slice(1, -1) : undefined;
  if (n.kind === 'map') {
    const e = n.entries.find((x) => x.key === (bracket ?? seg));
    return e && { node: e.value, offset: e.offset };
  }
  if (n.kind === 'seq' && bracket !== undefined) {
    if (/^\d+$/.test(bracket)) {
      const it = n.items[Number(bracket)];
      return it && { node: it, offset: it.offset };
    }
    const sel = keySelector(bracket);
    const it = sel && n.items.find((x) => x.kind === 'map' && sel.every(([k, v]) => x.entries.some((e) => e.key === k && e.value.kind === 'scalar' && e.value.value === v)));
    return it && { node: it, offset: it.offset };
  }
  return undefined;
}

/**
 * The 1-based line (in `text`, whose first line is `firstLine`) of the field at `path`, or
 * of the deepest part of the path that is in the manifest (a missing field: its parent);
 * undefined when the text does not parse.
 */
export function fieldLine(text: string, firstLine: number, path: string): number | undefined {
  let root: PNode | undefined;
  try {
    root = tree(text);
  } catch {
    return undefined;
  }
  if (!root) return undefined;
  let n = root;
  let offset = root.offset;
  for (const seg of pathSegments(path)) {
    const next = step(n, seg);
    if (!next) break;
    n = next.node;
    offset = next.offset;
  }
  return firstLine + text.slice(0, offset).split('\n').length - 1;
}
