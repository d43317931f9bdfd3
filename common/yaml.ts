// YAML decoding with bounds: js-yaml shares aliased nodes by reference, so an alias
// "billion laughs" document parses quickly but explodes when walked or serialised.
// We walk the result once with a node budget (shared nodes counted every time they are
// reached) and a depth limit, and refuse documents that exceed either.

import { CORE_SCHEMA, YAMLException, dump, load, loadAll } from 'js-yaml';

export interface YamlBounds {
  /** Total nodes after alias expansion. */
  maxNodes: number;
  maxDepth: number;
}

export const defaultYamlBounds: YamlBounds = { maxNodes: 1_000_000, maxDepth: 100 };

export class YamlError extends Error {
  constructor(
    message: string,
    /** 1-based position of the problem, when known. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'YamlError';
  }
}

/** Throws YamlError when `value` is larger or deeper than the bounds allow. */
export function checkBounds(value: unknown, bounds: YamlBounds = defaultYamlBounds): void {
  let budget = bounds.maxNodes;
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (--budget < 0) throw new YamlError(`document expands to more than ${bounds.maxNodes} nodes (alias expansion?)`);
    if (depth > bounds.maxDepth) throw new YamlError(`document is nested deeper than ${bounds.maxDepth} levels`);
    if (Array.isArray(v)) for (const x of v) stack.push({ v: x, depth: depth + 1 });
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stack.push({ v: x, depth: depth + 1 });
  }
}

function loadOptions(bounds: YamlBounds): { schema: typeof CORE_SCHEMA; maxDepth: number; maxAliases: number } {
  // The parser's own limits stop the cheapest attacks early; checkBounds catches the rest.
  return { schema: CORE_SCHEMA, maxDepth: bounds.maxDepth, maxAliases: 10_000 };
}

function toYamlError(e: unknown): YamlError {
  if (e instanceof YAMLException) {
    const mark = e.mark;
    return new YamlError(e.reason || e.message, mark?.line !== undefined ? mark.line + 1 : undefined, mark?.column !== undefined ? mark.column + 1 : undefined);
  }
  if (e instanceof RangeError) return new YamlError('document is nested too deeply');
  return new YamlError(e instanceof Error ? e.message : String(e));
}

/** One YAML (or JSON) document, bounded. */
export function parseYaml(text: string, bounds: YamlBounds = defaultYamlBounds): unknown {
  let value: unknown;
  try {
    value = load(text, loadOptions(bounds));
  } catch (e) {
    throw toYamlError(e);
  }
  checkBounds(value, bounds);
  return value;
}

export interface YamlDocument {
  value: unknown;
  /** 1-based line where the document starts in the stream. */
  line: number;
}

/** Every document of a multi-document stream (`---` separated), with its first line. */
export function parseYamlStream(text: string, bounds: YamlBounds = defaultYamlBounds): YamlDocument[] {
  const starts = [1];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (/^---(\s|$)/.test(l) && i > 0) starts.push(i + 2);
  });
  let values: unknown[];
  try {
    values = loadAll(text, loadOptions(bounds));
  } catch (e) {
    throw toYamlError(e);
  }
  const out: YamlDocument[] = [];
  values.forEach((value, i) => {
    checkBounds(value, bounds);
    if (value !== null && value !== undefined) out.push({ value, line: starts[Math.min(i, starts.length - 1)] ?? 1 });
  });
  return out;
}

export function toYaml(value: unknown): string {
  return dump(value, { noRefs: true, sortKeys: false });
}

export type YamlDocumentResult = YamlDocument | { error: YamlError; line: number };

/**
 * Every document of a stream parsed on its own, as kubectl's reader splits on `---` lines,
 * so a syntax error fails only its document: the others still come back. An error's line
 * and column are positions in the whole stream. Empty documents are left out.
 */
export function parseYamlDocuments(text: string, bounds: YamlBounds = defaultYamlBounds): YamlDocumentResult[] {
  const lines = text.split('\n');
  const chunks: { line: number; text: string }[] = [];
  let start = 0;
  const flush = (end: number): void => {
    chunks.push({ line: start + 1, text: lines.slice(start, end).join('\n') });
  };
  lines.forEach((l, i) => {
    if (/^---(\s|$)/.test(l)) {
      if (i > start) flush(i);
      // The marker line may carry the document's first node (`--- {a: 1}`): keep it, blanked.
      lines[i] = l.slice(3).trim() ? '   ' + l.slice(3) : '';
      start = i;
    }
  });
  flush(lines.length);
  const out: YamlDocumentResult[] = [];
  for (const c of chunks) {
    const first = firstContentLine(c.text);
    // js-yaml refuses an empty input; an empty document is simply not there.
    if (first < 0) continue;
    try {
      const value = parseYaml(c.text, bounds);
      if (value !== null && value !== undefined) out.push({ value, line: c.line + first });
    } catch (e) {
      const err = e as YamlError;
      out.push({ error: new YamlError(err.message, err.line !== undefined ? err.line + c.line - 1 : undefined, err.column), line: c.line });
    }
  }
  return out;
}

/** The index of a document's first line that is not blank, a comment or a directive; -1 for none. */
function firstContentLine(text: string): number {
  return text.split('\n').findIndex((l) => l.trim() !== '' && !/^\s*#/.test(l) && !/^%/.test(l));
}
