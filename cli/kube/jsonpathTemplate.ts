// kubectl's JSONPath templates (`-o jsonpath=...`, `--sort-by`, custom-columns): literal text
// around `{...}` actions; an action is a path (`.items[*].metadata.name`, `..name`,
// `['a.b']`, `[?(@.type=="Ready")]`, `[0:2]`), a quoted string (`{"\n"}`), or `range PATH`
// ... `end`. No npm package implements this template dialect, so the template is parsed
// here and each path is evaluated by jsonpath-plus (kubectl's `.a.b` is JSONPath's `$.a.b`).
// Printing follows kubectl: several results are joined by a space, strings print raw,
// maps and lists as compact JSON with sorted keys; a missing key prints nothing.

import { JSONPath } from 'jsonpath-plus';

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Node = { text: string } | { path: string } | { range: string; body: Node[] };

/** Splits the template into literal text and `{...}` actions, respecting quotes inside actions. */
function tokens(template: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const ch = template[i]!;
    if (ch !== '{') {
      text += ch;
      i++;
      continue;
    }
    if (text) out.push({ text });
    text = '';
    let j = i + 1;
    let quote = '';
    let depth = 0;
    for (; j < template.length; j++) {
      const c = template[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '}' && depth <= 0) break;
    }
    if (j >= template.length) throw new TemplateError(`unclosed action in template ${JSON.stringify(template)}`);
    out.push({ action: template.slice(i + 1, j).trim() });
    i = j + 1;
  }
  if (text) out.push({ text });
  return out;
}

function parse(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const t of tokens(template)) {
    const top = stack[stack.length - 1]!;
    if ('text' in t) top.push(t);
    else if (/^range\s/.test(t.action)) {
      const node = { range: t.action.slice(5).trim(), body: [] as Node[] };
      top.push(node);
      stack.push(node.body);
    } else if (t.action === 'end') {
      if (stack.length === 1) throw new TemplateError('{end} without {range}');
      stack.pop();
    } else if (/^(["']).*\1$/s.test(t.action)) top.push({ text: unquote(t.action) });
    else top.push({ path: t.action });
  }
  if (stack.length > 1) throw new TemplateError('{range} without {end}');
  return root;
}

function unquote(q: string): string {
  if (q.startsWith('"')) {
    try {
      return JSON.parse(q) as string;
    } catch {
      throw new TemplateError(`bad string ${q} in template`);
    }
  }
  return q.slice(1, -1);
}

/** kubectl's path to JSONPath's: `.a`, `a`, `$.a`, `{.a}` all mean `$.a`. */
function jsonPath(path: string): string {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p === '' || p === '.' || p === '$' || p === '@') return '$';
  if (p.startsWith('$')) return p;
  if (p.startsWith('.') || p.startsWith('[')) return `$${p}`;
  return `$.${p}`;
}

/** The values `path` finds in `data` (none when it finds nothing). */
export function evaluatePath(data: unknown, path: string): unknown[] {
  try {
    return JSONPath({ path: jsonPath(path), json: data as object, wrap: true, eval: 'safe' }) as unknown[];
  } catch (e) {
    throw new TemplateError(`cannot evaluate ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** How kubectl prints one value. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return v === null ? 'null' : '';
  if (typeof v === 'object') return JSON.stringify(sortKeys(v));
  return String(v);
}

function run(nodes: Node[], data: unknown): string {
  let out = '';
  for (const n of nodes) {
    if ('text' in n) out += n.text;
    else if ('path' in n) out += evaluatePath(data, n.path).map(formatValue).join(' ');
    else for (const item of evaluatePath(data, n.range)) out += run(n.body, item);
  }
  return out;
}

/** A parsed template, run on any number of documents. */
export function compileTemplate(template: string): (data: unknown) => string {
  const nodes = parse(template);
  return (data) => run(nodes, data);
}
