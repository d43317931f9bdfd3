// Ajv errors -> Kubernetes field causes: reasons, messages and field paths written the
// way the Kubernetes API server writes them (`spec.containers[0].image`,
// `Required value`, `Invalid value: "string": spec.replicas in body must be of type
// integer: "string"`), so clients and people see familiar errors.

import type { ErrorObject } from 'ajv';
import type { FieldCause } from '../../common/errors.js';
import { intOrStringKeyword, quantityKeyword } from './ajv.js';
import { quantityFormatMessage } from './quantity.js';
import type { Shape } from './shape.js';

export function toCauses(errors: readonly ErrorObject[], data: unknown, root: Shape): FieldCause[] {
  const causes: FieldCause[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const cause = toCause(e, data, root);
    const key = `${cause.reason}\u0000${cause.field ?? ''}\u0000${cause.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    causes.push(cause);
  }
  return causes;
}

function toCause(e: ErrorObject, data: unknown, root: Shape): FieldCause {
  const segments = pointerSegments(e.instancePath);
  const path = fieldPath(segments, data, root);
  const value = valueAt(segments, data);
  const shown = path === '' ? 'body' : path;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return { reason: 'FieldValueRequired', message: 'Required value', field: join(path, missing) };
    }
    case 'type':
      return typeInvalid(path, shown, value, String(params.type));
    case intOrStringKeyword:
      return typeInvalid(path, shown, value, 'integer or string');
    case quantityKeyword:
      return { reason: 'FieldValueInvalid', message: `Invalid value: ${render(value)}: ${quantityFormatMessage}`, field: path };
    case 'format':
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${render(value)}: ${shown} in body must be of type ${String(params.format)}: ${JSON.stringify(String(value))}`,
        field: path,
      };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${render(value)}: supported values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
        field: path,
      };
    }
    default:
      return { reason: 'FieldValueInvalid', message: `Invalid value: ${render(value)}: ${shown} in body failed ${e.keyword} validation`, field: path };
  }
}

function typeInvalid(path: string, shown: string, value: unknown, expected: string): FieldCause {
  const actual = jsonType(value);
  return {
    reason: 'FieldValueTypeInvalid',
    message: `Invalid value: "${actual}": ${shown} in body must be of type ${expected}: "${actual}"`,
    field: path,
  };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** A value as Kubernetes prints it in "Invalid value: ..." (strings quoted, numbers bare). */
function render(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = JSON.stringify(v) ?? 'null';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

/** `spec.containers[0].resources.limits[cpu]`: struct fields dotted, list indexes and map keys bracketed. */
export function fieldPath(segments: readonly string[], data: unknown, root: Shape): string {
  let path = '';
  let shape: Shape | undefined = root;
  let cur: unknown = data;
  for (const seg of segments) {
    if (shape?.kind === 'list' || (shape === undefined && Array.isArray(cur))) {
      path += `[${seg}]`;
      shape = shape?.kind === 'list' ? shape.items : undefined;
    } else if (shape?.kind === 'map') {
      path += `[${seg}]`;
      shape = shape.values;
    } else {
      path = join(path, seg);
      shape = shape?.kind === 'struct' ? shape.fields.get(seg) : undefined;
    }
    cur = step(cur, seg);
  }
  return path;
}

function step(cur: unknown, seg: string): unknown {
  if (Array.isArray(cur)) return cur[Number(seg)];
  if (typeof cur === 'object' && cur !== null) return (cur as Record<string, unknown>)[seg];
  return undefined;
}

function valueAt(segments: readonly string[], data: unknown): unknown {
  let cur = data;
  for (const seg of segments) cur = step(cur, seg);
  return cur;
}
