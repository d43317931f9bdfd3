// Printing whole objects: -o json and -o yaml as kubectl does (keys sorted, JSON indented by
// four spaces, lists as `kind: List`), -o name, and custom columns.

import { DEFAULT_SCALAR_STYLE_RULES, SCALAR_STYLE, dump, type ScalarStyleRule } from 'js-yaml';
import type { KubeObject } from '../../common/api/meta.js';
import { alignColumns } from './columns.js';
import { evaluatePath, formatValue } from './jsonpathTemplate.js';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** Several objects print as one `v1 List`, as kubectl's do. */
export function asList(items: KubeObject[]): KubeObject & { items: KubeObject[] } {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}

export function toJson(doc: unknown): string {
  return JSON.stringify(sortKeys(doc), null, 4) + '\n';
}

/**
 * Whether Go's YAML (yaml.v2, under kubectl's printer) would read this string as another
 * type (bool, null, number, timestamp) if it were plain: those it double-quotes.
 */
export function resolvesAsNonString(s: string): boolean {
  return (
    /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|)$/.test(s) ||
    /^[-+]?(0|[1-9][0-9_]*|0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+)$/.test(s) ||
    /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/.test(s) ||
    /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(s) ||
    /^\d{4}-\d{1,2}-\d{1,2}(([Tt]|\s+)\d{1,2}:\d{2}:\d{2}(\.\d*)?(\s*(Z|[-+]\d{1,2}(:\d{2})?))?)?$/.test(s)
  );
}

/** A string that cannot be plain: double quotes when it would read as another type, else single (as Go's emitter). */
const goQuoting: ScalarStyleRule = (l) => {
  if (l.style !== SCALAR_STYLE.PLAIN || l.allowedStylesMask & (1 << SCALAR_STYLE.PLAIN)) return;
  l.style = typeof l.node.value === 'string' && resolvesAsNonString(l.node.value) ? SCALAR_STYLE.DOUBLE_QUOTED : SCALAR_STYLE.SINGLE_QUOTED;
};

const r = DEFAULT_SCALAR_STYLE_RULES;
const goScalarRules: ScalarStyleRule[] = [r.doubleQuoteForInvisibles, r.tryLongOrMultilineAsBlock, goQuoting, r.quoteInvalidPlain, r.fallbackToDoubleQuoted];

export function toKubeYaml(doc: unknown): string {
  // Lists not indented under their key, and Go's quoting, as kubectl prints YAML.
  return dump(sortKeys(doc), { noRefs: true, seqNoIndent: true, lineWidth: -1, scalarStyleRules: goScalarRules });
}

export function customColumns(items: unknown[], columns: { header: string; path: string }[], headers: boolean): string {
  const rows = items.map((it) =>
    columns.map((c) => {
      const vals = evaluatePath(it, c.path);
      return vals.length ? vals.map(formatValue).join(',') : '<none>';
    }),
  );
  return alignColumns(headers ? [columns.map((c) => c.header), ...rows] : rows);
}
