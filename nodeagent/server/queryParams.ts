// Query parameter parsing shared by the logs and exec endpoints, with the leniency of the
// Kubernetes API's query conversion for booleans (`follow`, `follow=true`, `stdin=1`) and
// field-style messages for everything it refuses.

import type { FieldCause } from '../../common/errors.js';

const truthy = new Set(['', '1', 't', 'true']);
const falsy = new Set(['0', 'f', 'false']);

/** Collects the problems of one request so the client hears about all of them at once. */
export class ParamErrors {
  readonly causes: FieldCause[] = [];
  invalid(field: string, value: string, why: string): void {
    this.causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${why}` });
  }
  add(field: string | undefined, reason: string, message: string): void {
    this.causes.push(field === undefined ? { reason, message } : { reason, field, message });
  }
  /** One line listing every problem, `field: message` each. */
  summary(): string {
    return this.causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ');
  }
}

export function boolParam(q: URLSearchParams, name: string, errors: ParamErrors): boolean {
  const v = q.get(name);
  if (v === null) return false;
  const lower = v.toLowerCase();
  if (truthy.has(lower)) return true;
  if (falsy.has(lower)) return false;
  errors.invalid(name, v, 'must be a boolean (true, false, 1 or 0)');
  return false;
}

export function intParam(q: URLSearchParams, name: string, errors: ParamErrors): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    errors.invalid(name, v, 'must be an integer');
    return undefined;
  }
  return Number(v);
}
