// Field causes worded the way Kubernetes' field errors print (`Invalid value: "x": why`,
// `Required value`, `Unsupported value: "x": supported values: "a", "b"`), for the
// semantic checks that kinds make beyond the schema.

import type { FieldCause } from '../../common/errors.js';

/** A value as Kubernetes prints it in a field error: strings quoted, numbers and booleans bare. */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? 'null';
}

const withDetail = (head: string, detail?: string): string => (detail ? `${head}: ${detail}` : head);

export const fieldErrors = {
  invalid: (field: string, value: unknown, detail: string): FieldCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${renderValue(value)}: ${detail}`, field }),
  required: (field: string, detail?: string): FieldCause => ({ reason: 'FieldValueRequired', message: withDetail('Required value', detail), field }),
  forbidden: (field: string, detail: string): FieldCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field }),
  duplicate: (field: string, value: unknown): FieldCause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${renderValue(value)}`, field }),
  notSupported: (field: string, value: unknown, supported: readonly string[]): FieldCause => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${renderValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    field,
  }),
  /** `field` undefined: the limit is on the whole object, not one field. */
  tooLong: (field: string | undefined, maxBytes: number): FieldCause => ({
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${maxBytes} bytes`,
    ...(field === undefined ? {} : { field }),
  }),
};
