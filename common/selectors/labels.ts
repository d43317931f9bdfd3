// Label selectors: the string form used by `?labelSelector=` and `kubectl -l`, and the
// structured form (`matchLabels` / `matchExpressions`) used by Deployments and ReplicaSets.
// Both compile to the same matcher, so controllers, the API server and the scheduler agree.

import { BadRequestError, type FieldCause } from '../errors.js';
import { labelValueErrors, qualifiedNameErrors } from './validation.js';

/** Operators in their string-syntax spelling; `exists` and `!` have no value. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted, without duplicates. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** True when the labels (missing labels count as none) satisfy every requirement. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True when the selector has no requirements and therefore selects everything. */
  isEmpty(): boolean;
  /** True for the selector that selects nothing (a null structured selector). */
  selectsNothing(): boolean;
  /** Requirements, sorted by key. */
  requirements(): readonly LabelRequirement[];
  /** The `key=value` pairs the selector demands exactly (`=`, `==`, or `in` with one value); useful for indexing. */
  equalityRequirements(): { key: string; value: string }[];
  /** The canonical string form (`a=b,c in (x,y),!d`); "" for the empty and the nothing selector, as in Kubernetes. */
  toString(): string;
}

/** The structured selector of Deployments, ReplicaSets, ...; compatible with client-node's V1LabelSelector. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const integerShape = /^[+-]?\d+$/;

/** A checked requirement; throws `BadRequestError` when the key, operator or values are not acceptable. */
export function labelRequirement(key: string, operator: LabelOperator, values: readonly string[] = []): LabelRequirement {
  const problem = requirementProblem(key, operator, values);
  if (problem) throw new BadRequestError(problem);
  return { key, operator, values: [...new Set(values)].sort() };
}

function requirementProblem(key: string, operator: LabelOperator, values: readonly string[]): string | undefined {
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length > 0) return `invalid label key ${JSON.stringify(key)}: ${keyErrs.join('; ')}`;
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) return `the values of ${JSON.stringify(key)} for '${operator}' must not be empty`;
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) return `'${operator}' on ${JSON.stringify(key)} takes exactly one value`;
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) return `${JSON.stringify(key)} takes no values when testing for (non-)existence`;
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) return `'${operator}' on ${JSON.stringify(key)} takes exactly one value`;
      if (!integerShape.test(values[0] ?? '')) return `'${operator}' on ${JSON.stringify(key)} needs an integer value, got ${JSON.stringify(values[0])}`;
      return undefined;
  }
  for (const v of values) {
    const errs = labelValueErrors(v);
    if (errs.length > 0) return `invalid label value ${JSON.stringify(v)} for ${JSON.stringify(key)}: ${errs.join('; ')}`;
  }
  return undefined;
}

function requirementMatches(r: LabelRequirement, values: ReadonlySet<string>, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return v !== undefined && values.has(v);
    case '!=':
    case 'notin':
      return v === undefined || !values.has(v);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (v === undefined || !integerShape.test(v)) return false;
      const have = BigInt(v);
      const want = BigInt(r.values[0] ?? '0');
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

class RequirementsSelector implements LabelSelector {
  private readonly reqs: readonly LabelRequirement[];
  private readonly valueSets: readonly ReadonlySet<string>[];

  constructor(reqs: readonly LabelRequirement[]) {
    // Stable sort by key keeps the string form deterministic.
    this.reqs = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.valueSets = this.reqs.map((r) => new Set(r.values));
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    const l = labels ?? {};
    return this.reqs.every((r, i) => requirementMatches(r, this.valueSets[i] ?? new Set(), l));
  }

  isEmpty(): boolean {
    return this.reqs.length === 0;
  }

  selectsNothing(): boolean {
    return false;
  }

  requirements(): readonly LabelRequirement[] {
    return this.reqs;
  }

  equalityRequirements(): { key: string; value: string }[] {
    const out: { key: string; value: string }[] = [];
    for (const r of this.reqs) {
      const exact = r.operator === '=' || r.operator === '==' || (r.operator === 'in' && r.values.length === 1);
      if (exact) out.push({ key: r.key, value: r.values[0] ?? '' });
    }
    return out;
  }

  toString(): string {
    return this.reqs.map(requirementString).join(',');
  }
}

/** Selects every object, including ones without labels. */
export const everything: LabelSelector = new RequirementsSelector([]);

/** Selects no object: what a null structured selector means (a ReplicaSet without a selector adopts nothing). */
export const selectsNothing: LabelSelector = {
  matches: () => false,
  isEmpty: () => false,
  selectsNothing: () => true,
  requirements: () => [],
  equalityRequirements: () => [],
  toString: () => '',
};

/** A selector of exact matches for every pair in `labels` (a Service's `spec.selector`); empty selects everything. */
export function selectorFromSet(labels: Readonly<Record<string, string>> | undefined): LabelSelector {
  const reqs = Object.entries(labels ?? {}).map(([k, v]) => labelRequirement(k, '=', [v]));
  return new RequirementsSelector(reqs);
}

/** A selector from already-checked requirements. */
export function selectorFromRequirements(reqs: readonly LabelRequirement[]): LabelSelector {
  return reqs.length === 0 ? everything : new RequirementsSelector(reqs);
}

// ---------------------------------------------------------------------------
// String syntax

type TokenKind = 'ident' | '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '>' | '<' | 'in' | 'notin' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
}

const symbolChars = new Set(['=', '!', '(', ')', ',', '>', '<']);
const twoCharSymbols = new Set(['!=', '==']);

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v';
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] ?? '';
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (symbolChars.has(ch)) {
      const two = input.slice(i, i + 2);
      const text = twoCharSymbols.has(two) ? two : ch;
      tokens.push({ kind: text as TokenKind, text });
      i += text.length;
      continue;
    }
    let j = i;
    while (j < input.length && !isSpace(input[j] ?? '') && !symbolChars.has(input[j] ?? '')) j++;
    const text = input.slice(i, j);
    // `in` and `notin` are keywords only where an operator is expected; the parser decides.
    tokens.push({ kind: text === 'in' || text === 'notin' ? (text as TokenKind) : 'ident', text });
    i = j;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

class SelectorSyntaxError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] ?? { kind: 'end', text: '' };
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  /** Where a key or a value is expected the keywords are plain words (a label may be named `in`). */
  private isWord(t: Token): boolean {
    return t.kind === 'ident' || t.kind === 'in' || t.kind === 'notin';
  }

  private fail(found: Token, expected: string): never {
    const what = found.kind === 'end' ? 'end of string' : `'${found.text}'`;
    throw new SelectorSyntaxError(`found ${what}, expected: ${expected}`);
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    if (this.peek().kind === 'end') return reqs;
    for (;;) {
      const t = this.peek();
      if (!this.isWord(t) && t.kind !== '!') this.fail(t, "'!' or a label key");
      reqs.push(this.requirement());
      const after = this.next();
      if (after.kind === 'end') return reqs;
      if (after.kind !== ',') this.fail(after, "',' or end of string");
    }
  }

  private requirement(): LabelRequirement {
    let negated = false;
    if (this.peek().kind === '!') {
      this.next();
      negated = true;
    }
    const keyTok = this.next();
    if (!this.isWord(keyTok)) this.fail(keyTok, 'a label key');
    const key = keyTok.text;
    const following = this.peek().kind;
    if (negated || following === ',' || following === 'end') {
      return this.checked(key, negated ? '!' : 'exists', []);
    }
    const op = this.next();
    switch (op.kind) {
      case '=':
      case '==':
      case '!=':
        return this.checked(key, op.kind, [this.exactValue()]);
      case '>':
        return this.checked(key, 'gt', [this.exactValue()]);
      case '<':
        return this.checked(key, 'lt', [this.exactValue()]);
      case 'in':
      case 'notin':
        return this.checked(key, op.kind, this.valueSet());
      default:
        return this.fail(op, "one of '=', '==', '!=', 'in', 'notin', '>', '<'");
    }
  }

  private checked(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
    const problem = requirementProblem(key, operator, values);
    if (problem) throw new SelectorSyntaxError(problem);
    return { key, operator, values: [...new Set(values)].sort() };
  }

  /** The single value after `=`, `==`, `!=`, `>` or `<`; nothing (end or `,`) means the empty value. */
  private exactValue(): string {
    const t = this.peek();
    if (t.kind === 'end' || t.kind === ',') return '';
    this.next();
    if (!this.isWord(t)) this.fail(t, 'a value');
    return t.text;
  }

  /** `( v1, v2, ... )`; empty entries (`(a,)`, `(,a)`) stand for the empty value. */
  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(open, "'('");
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next();
      if (this.isWord(t) && expectValue) {
        values.push(t.text);
        expectValue = false;
      } else if (t.kind === ',') {
        if (expectValue) values.push('');
        expectValue = true;
      } else if (t.kind === ')') {
        if (expectValue && values.length > 0) values.push('');
        return values;
      } else {
        this.fail(t, expectValue ? "a value, ',' or ')'" : "',' or ')'");
      }
    }
  }
}

/**
 * Parses the string form: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * `a>1`, `a<1`, comma-separated and all required. Whitespace is ignored; `a=` means the
 * empty value. An empty string selects everything. Throws `BadRequestError` on bad syntax.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return selectorFromRequirements(new Parser(tokenize(s)).parse());
  } catch (e) {
    if (e instanceof SelectorSyntaxError) {
      throw new BadRequestError(`unable to parse label selector ${JSON.stringify(s)}: ${e.message}`);
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Structured form

const structuredOperators: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * Field errors of a structured selector, for validation (`path` prefixes the field names,
 * e.g. `spec.selector`). An empty list means `labelSelectorFromObject` will accept it.
 */
export function validateLabelSelectorObject(sel: LabelSelectorObject | null | undefined, path = 'selector'): FieldCause[] {
  const causes: FieldCause[] = [];
  if (!sel) return causes;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const keyErrs = qualifiedNameErrors(k);
    for (const msg of keyErrs) causes.push({ reason: 'FieldValueInvalid', field: `${path}.matchLabels`, message: `Invalid value: ${JSON.stringify(k)}: ${msg}` });
    const valueErrs = typeof v === 'string' ? labelValueErrors(v) : ['must be a string'];
    for (const msg of valueErrs) causes.push({ reason: 'FieldValueInvalid', field: `${path}.matchLabels`, message: `Invalid value: ${JSON.stringify(v)}: ${msg}` });
  }
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const field = `${path}.matchExpressions[${i}]`;
    const op = Object.prototype.hasOwnProperty.call(structuredOperators, expr.operator) ? structuredOperators[expr.operator] : undefined;
    if (!op) {
      causes.push({ reason: 'FieldValueNotSupported', field: `${field}.operator`, message: `Unsupported value: ${JSON.stringify(expr.operator)}: supported values: "DoesNotExist", "Exists", "In", "NotIn"` });
      return;
    }
    const problem = requirementProblem(expr.key, op, expr.values ?? []);
    if (problem) causes.push({ reason: 'FieldValueInvalid', field, message: problem });
  });
  return causes;
}

/**
 * Compiles a structured selector. `null`/`undefined` selects nothing; `{}` (no labels and no
 * expressions) selects everything. Throws `BadRequestError` for an unknown operator or bad values.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (!sel) return selectsNothing;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(labelRequirement(k, '=', [v]));
  for (const expr of sel.matchExpressions ?? []) {
    const op = Object.prototype.hasOwnProperty.call(structuredOperators, expr.operator) ? structuredOperators[expr.operator] : undefined;
    if (!op) throw new BadRequestError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    reqs.push(labelRequirement(expr.key, op, expr.values ?? []));
  }
  return selectorFromRequirements(reqs);
}

/** `k1=v1,k2=v2` sorted by key, or `<none>`: how printers show a label map (a Service selector). */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

/** How printers show a structured selector: its string form, `<none>` when empty or null, `<error>` when invalid. */
export function formatLabelSelectorObject(sel: LabelSelectorObject | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorFromObject(sel).toString();
  } catch {
    return '<error>';
  }
  return s.length === 0 ? '<none>' : s;
}
