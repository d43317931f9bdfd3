// Field selectors (`?fieldSelector=spec.nodeName=node-1,status.phase!=Succeeded`).
// Terms are ANDed; values may escape `\,`, `\=` and `\\` as Kubernetes allows.
// Which fields a kind supports lives in fieldsets.ts.

import { BadRequestError } from '../errors.js';

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  /** `==` in the input is normalized to `=`. */
  readonly operator: FieldOperator;
  readonly value: string;
}

export interface FieldSelector {
  /** True when every term holds; a field missing from `fields` has the value "". */
  matches(fields: Readonly<Record<string, string>>): boolean;
  isEmpty(): boolean;
  requirements(): readonly FieldRequirement[];
  /** The value required by an `=` term on `field`, if any (e.g. for `spec.nodeName` indexing). */
  requiredValue(field: string): string | undefined;
  /** Canonical form: terms sorted, values escaped. */
  toString(): string;
}

/** Escapes `\`, `,` and `=` in a value so it can be embedded in a selector string. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeFieldValue(raw: string, selector: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '\\' || n === ',' || n === '=') {
        out += n;
        i++;
        continue;
      }
      throw new BadRequestError(`invalid field selector ${JSON.stringify(selector)}: invalid escape sequence ${JSON.stringify(`\\${n ?? ''}`)}`);
    }
    if (c === ',' || c === '=') {
      throw new BadRequestError(`invalid field selector ${JSON.stringify(selector)}: unescaped ${JSON.stringify(c)} in value ${JSON.stringify(raw)}`);
    }
    out += c;
  }
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) {
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The field, operator and raw value of one term: the first `!=`, `==` or `=` splits it. */
function splitTerm(term: string): { field: string; op: FieldOperator; raw: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), op: op === '!=' ? '!=' : '=', raw: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

class TermsSelector implements FieldSelector {
  constructor(private readonly reqs: readonly FieldRequirement[]) {}

  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.reqs.every((r) => {
      const have = Object.prototype.hasOwnProperty.call(fields, r.field) ? (fields[r.field] ?? '') : '';
      return r.operator === '=' ? have === r.value : have !== r.value;
    });
  }

  isEmpty(): boolean {
    return this.reqs.length === 0;
  }

  requirements(): readonly FieldRequirement[] {
    return this.reqs;
  }

  requiredValue(field: string): string | undefined {
    return this.reqs.find((r) => r.field === field && r.operator === '=')?.value;
  }

  toString(): string {
    return this.reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** A selector that every object satisfies. */
export const everyField: FieldSelector = new TermsSelector([]);

/**
 * Parses `key=value`, `key==value`, `key!=value` terms joined by commas (empty terms are
 * ignored, as in Kubernetes). Whitespace around a field name is ignored; values are taken
 * literally. Throws `BadRequestError` on a term without an operator or a bad escape.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    if (term.trim() === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new BadRequestError(`invalid field selector ${JSON.stringify(s)}: can't understand ${JSON.stringify(term)}`);
    reqs.push({ field: parts.field.trim(), operator: parts.op, value: unescapeFieldValue(parts.raw, s) });
  }
  reqs.sort((a, b) => {
    const x = `${a.field}${a.operator}${a.value}`;
    const y = `${b.field}${b.operator}${b.value}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return reqs.length === 0 ? everyField : new TermsSelector(reqs);
}

/** A selector of `field=value` terms, one per entry. */
export function fieldSelectorFromSet(fields: Readonly<Record<string, string>>): FieldSelector {
  return parseFieldSelector(Object.entries(fields).map(([k, v]) => `${k}=${escapeFieldValue(v)}`).join(','));
}

export { fieldsOf, supportedFields, validateFieldSelector, selectableFieldsByKind } from './fieldsets.js';
