// `gantry explain TYPE[.field.path]`: a resource's documentation from the server's OpenAPI v3
// (the /openapi/v3 index, then its group version's document), laid out as kubectl 1.32's
// explain prints it: GROUP, KIND, VERSION; FIELD with its type for a field path; the
// DESCRIPTION (the field's own, then its type's); FIELDS with type, -required- and
// description, or with --recursive every nested field's name and type only.
//
// kubectl renders this through a Go template; here the same walk is plain functions over the
// schema. Text is wrapped as its template's `wrap` does (go-wordwrap, below).

import type { Session } from './access.js';
import type { CommandContext } from './commands.js';
import type { ApiResource } from './discovery.js';
import { CliError, UsageError } from './errors.js';

export interface ExplainFlags {
  recursive?: boolean;
  apiVersion?: string;
}

export interface Schema {
  type?: string;
  description?: string;
  $ref?: string;
  allOf?: Schema[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  externalDocs?: { description?: string; url?: string };
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

export interface OpenApiDocument {
  components?: { schemas?: Record<string, Schema> };
}

// Go's unicode.IsSpace less the no-break space, which go-wordwrap keeps inside words.
const goSpace = /[\t\v\f\r \u0085\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/**
 * Wraps at `width` characters as kubectl's explain does (go-wordwrap 1.0.1): a word that would
 * pass the width starts a new line (the spaces before it dropped) unless it is itself as long
 * as the width; newlines already in the text start a line; a line's trailing spaces before a
 * newline stay only when they fit.
 */
export function wrap(text: string, width: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  const len = (x: string): number => [...x].length;
  for (const ch of text) {
    if (ch === '\n') {
      if (!word) {
        if (current + len(space) <= width) out += space;
      } else out += space + word;
      out += ch;
      current = 0;
      word = '';
      space = '';
    } else if (goSpace.test(ch)) {
      if (!space || word) {
        current += len(space) + len(word);
        out += space + word;
        space = '';
        word = '';
      }
      space += ch;
    } else {
      word += ch;
      if (current + len(space) + len(word) > width && len(word) < width) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (!word) {
    if (current + len(space) <= width) out += space;
  } else out += space + word;
  return out;
}

/** Every line of `text` (also the one after a final newline) led by `n` spaces. */
export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return pad + text.split('\n').join(`\n${pad}`);
}

const isSchema = (v: Schema | boolean | undefined): v is Schema => typeof v === 'object' && v !== null;

class Explainer {
  constructor(
    private readonly doc: OpenApiDocument,
    private readonly recursive: boolean,
  ) {}

  resolve(ref: string | undefined): Schema | undefined {
    const prefix = '#/components/schemas/';
    return ref?.startsWith(prefix) ? this.doc.components?.schemas?.[ref.slice(prefix.length)] : undefined;
  }

  /** `string`, `integer`, `Object`, `[]Container`, `map[string]string`, `IntOrString`, ... */
  typeGuess(s: Schema): string {
    if (s.items) return `[]${this.typeGuess(s.items)}`;
    if (isSchema(s.additionalProperties)) return `map[string]${this.typeGuess(s.additionalProperties)}`;
    if (s.allOf?.length === 1 && !s.properties) return this.typeGuess(s.allOf[0]!);
    if (s.$ref) {
      const target = this.resolve(s.$ref);
      if (!target || !target.type || target.type === 'object') return s.$ref.split('/').pop()!.split('.').pop() || 'Object';
      return target.type;
    }
    return s.type === 'object' ? 'Object' : s.type || 'Object';
  }

  /** The schema's description, then those of what it refers to, each ending in a newline. */
  description(s: Schema): string {
    const r = this.resolve(s.$ref) ?? s;
    let text = r.description ? `${r.description}\n` : '';
    for (const a of r.allOf ?? []) text += this.description(a);
    if (r.items) text += this.description(r.items);
    if (isSchema(r.additionalProperties)) text += this.description(r.additionalProperties);
    return text;
  }

  enumText(s: Schema, long: boolean, limit: number, indentAmount = 0): string {
    if (!s.enum?.length) return '';
    let text = long ? 'ENUM:' : `\n${' '.repeat(indentAmount)}enum: `;
    for (const [i, e] of s.enum.entries()) {
      if (limit > -1 && i >= limit) {
        text += ', ....';
        break;
      }
      if (i > 0 && !long) text += ', ';
      else if (long) text += '\n    ';
      text += e === '' ? '""' : String(e);
    }
    return text;
  }

  externalDocs(docs: Schema['externalDocs'], indentAmount: number): string {
    if (!docs) return '';
    let text = `${indent('EXTERNAL DOCS:', indentAmount)}\n`;
    if (docs.description) text += `${indent(wrap(docs.description, 76 - indentAmount), indentAmount + 4)}\n`;
    if (docs.url) text += `${indent(`URL: ${docs.url}`, indentAmount + 4)}\n`;
    return text;
  }

  fieldDetail(parent: Schema, name: string, level: number): string {
    const pad = level * 2;
    const field = parent.properties![name]!;
    let text = `${indent(name, pad)}\t<${this.typeGuess(field)}>${parent.required?.includes(name) ? ' -required-' : ''}${this.enumText(field, false, 4, pad)}\n`;
    if (!this.recursive) {
      text += `${indent(wrap(field.description || '<no description>', 78 - pad), pad + 2)}\n`;
      if (field.externalDocs) text += `\n${this.externalDocs(field.externalDocs, pad + 2)}`;
      text += '\n';
    }
    return text;
  }

  /** The fields of a schema (and of what it refers to), sorted by name; nested ones too with --recursive. */
  fieldList(s: Schema, level: number, seen: Set<string>): string {
    if (s.$ref && seen.has(s.$ref)) return '';
    const next = s.$ref ? new Set([...seen, s.$ref]) : seen;
    const r = this.resolve(s.$ref) ?? s;
    let text = '';
    for (const name of Object.keys(r.properties ?? {}).sort()) {
      text += this.fieldDetail(r, name, level);
      if (this.recursive) text += this.fieldList(r.properties![name]!, level + 1, next);
    }
    for (const a of r.allOf ?? []) text += this.fieldList(a, level, next);
    if (r.items) text += this.fieldList(r.items, level, next);
    if (isSchema(r.additionalProperties)) text += this.fieldList(r.additionalProperties, level, next);
    return text;
  }

  /** What follows the header for `path` under `s`; undefined when the path leads nowhere. */
  output(s: Schema, path: string[], seen: Set<string>): string | undefined {
    if (s.$ref && path.length && seen.has(s.$ref)) return undefined;
    const next = s.$ref ? new Set([...seen, s.$ref]) : seen;
    const r = this.resolve(s.$ref) ?? s;
    if (!path.length) {
      let text = `DESCRIPTION:\n${indent(wrap(this.description(r) || '<empty>', 76), 4)}\n`;
      if (r.externalDocs) text += `\n${this.externalDocs(r.externalDocs, 0)}`;
      const fields = this.fieldList(r, 1, new Set());
      if (fields) text += `FIELDS:\n${fields}`;
      return text;
    }
    const [first, ...rest] = path as [string, ...string[]];
    const sub = r.properties && Object.hasOwn(r.properties, first) ? r.properties[first] : undefined;
    if (sub) {
      const head = rest.length ? '' : `FIELD: ${first} <${this.typeGuess(sub)}>\n${this.enumText(sub, true, -1)}\n\n`;
      const body = this.output(sub, rest, new Set());
      return body === undefined ? undefined : head + body;
    }
    if (r.items) return this.output(r.items, path, next);
    if (isSchema(r.additionalProperties)) return this.output(r.additionalProperties, path, next);
    for (const a of r.allOf ?? []) {
      const body = this.output(a, path, next);
      if (body) return body;
    }
    return undefined;
  }
}

/** The explanation of `path` in the document's schema of `gvk`: the text after the header, or the missing field. */
export function explainSchema(doc: OpenApiDocument, gvk: { group: string; version: string; kind: string }, path: string[], recursive: boolean): { text: string } | { missing: string } {
  const root = Object.values(doc.components?.schemas ?? {}).find((s) => s['x-kubernetes-group-version-kind']?.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind));
  const text = root ? new Explainer(doc, recursive).output(root, path, new Set()) : undefined;
  if (text === undefined) return { missing: path.length ? path[path.length - 1]! : gvk.kind };
  return { text };
}

/** The OpenAPI v3 document of the resource's group version, by the server's index. */
async function openApiDocument(s: Session, r: ApiResource): Promise<OpenApiDocument> {
  const index = (await s.api.send<{ paths?: Record<string, { serverRelativeURL?: string }> }>('GET', '/openapi/v3')).body;
  const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
  const url = index.paths?.[key]?.serverRelativeURL;
  if (!url) throw new CliError(`the server's OpenAPI v3 index (/openapi/v3) has no document for ${key}`);
  const [p, q] = url.split('?', 2) as [string, string | undefined];
  return (await s.api.send<OpenApiDocument>('GET', p, { query: Object.fromEntries(new URLSearchParams(q ?? '')) })).body;
}

export async function explainCommand(ctx: CommandContext, arg: string, flags: ExplainFlags): Promise<void> {
  const [typed, ...path] = arg.split('.');
  if (!typed || path.some((p) => !p)) throw new UsageError(`expected TYPE or TYPE.field.path (e.g. deployment.spec.replicas), got "${arg}"`);
  const s = ctx.session();
  let r = await s.discovery.resolve(typed);
  if (flags.apiVersion) {
    const [group, version] = flags.apiVersion.includes('/') ? (flags.apiVersion.split('/', 2) as [string, string]) : ['', flags.apiVersion];
    const other = (await s.discovery.resources()).find((x) => x.group === group && x.version === version && x.kind === r.kind);
    if (!other) throw new CliError(`the server has no ${r.kind} in --api-version ${flags.apiVersion}`);
    r = other;
  }
  const doc = await openApiDocument(s, r);
  const header = `${r.group ? `GROUP:      ${r.group}\n` : ''}KIND:       ${r.kind}\nVERSION:    ${r.version}\n\n`;
  const res = explainSchema(doc, r, path, Boolean(flags.recursive));
  ctx.io.out(header);
  if ('missing' in res) throw new CliError(`field "${res.missing}" does not exist`);
  ctx.io.out(`${res.text}\n`);
}
