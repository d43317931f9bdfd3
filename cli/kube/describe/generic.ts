// `describe` of a kind without its own describer: name, namespace, labels, annotations, then
// every other field of the object, nested by indentation with kubectl's field titles
// (`apiVersion` -> `API Version`), then events.

import type { KubeObject } from '../../../common/api/meta.js';
import { annotationsMultiline, describeEvents, labelsMultiline } from './fields.js';
import { DescribeWriter } from './tabwriter.js';
import type { CoreEvent } from './wire.js';

const acronyms = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

/** `apiVersion` -> `API Version`, `creationTimestamp` -> `Creation Timestamp`; other shapes as they are. */
export function fieldTitle(field: string): string {
  if (!/^[\p{L}-]+$/u.test(field)) return field;
  const parts = field.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[^A-Za-z]+/g) ?? [field];
  return parts.map((p) => (acronyms.has(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1))).join(' ');
}

const skipped = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);

function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function content(w: DescribeWriter, level: number, obj: Record<string, unknown>, prefix: string): void {
  for (const field of Object.keys(obj).sort()) {
    const path = `${prefix}.${field}`;
    if (skipped.has(path)) continue;
    const v = obj[field];
    if (Array.isArray(v)) {
      w.write(level, `${fieldTitle(field)}:\n`);
      for (const child of v) {
        if (child && typeof child === 'object' && !Array.isArray(child)) content(w, level + 1, child as Record<string, unknown>, path);
        else w.write(level + 1, `${goValue(child)}\n`);
      }
    } else if (v && typeof v === 'object') {
      w.write(level, `${fieldTitle(field)}:\n`);
      content(w, level + 1, v as Record<string, unknown>, path);
    } else w.write(level, `${fieldTitle(field)}:\t${goValue(v)}\n`);
  }
}

export function describeGeneric(o: KubeObject, events: CoreEvent[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', o.metadata?.name ?? '');
  w.line(0, 'Namespace:', o.metadata?.namespace ?? '');
  labelsMultiline(w, 'Labels', o.metadata?.labels);
  annotationsMultiline(w, 'Annotations', o.metadata?.annotations);
  content(w, 0, o as unknown as Record<string, unknown>, '');
  describeEvents(w, events, now);
  return w.text();
}
