// Turning a validation result into the error the API server answers with, as
// Kubernetes does: unknown fields under fieldValidation=Strict are a decoding failure
// (400 BadRequest, "strict decoding error: unknown field ..."), every other problem is
// 422 Invalid with one cause per field.

import { type ApiError, BadRequestError, InvalidError } from '../../common/errors.js';
import { unknownFieldMessage, unknownFieldReason, type ValidationResult } from './validator.js';

export interface ValidatedObject {
  kind: string;
  /** API group, '' for core. */
  group: string;
  version: string;
  name: string;
}

export function validationError(result: ValidationResult, target: ValidatedObject): ApiError | undefined {
  const unknown = result.causes.filter((c) => c.reason === unknownFieldReason);
  if (unknown.length > 0) {
    const list = unknown.map((c) => unknownFieldMessage(c.field ?? '')).join(', ');
    return new BadRequestError(
      `${target.kind} in version ${JSON.stringify(target.version)} cannot be handled as a ${target.kind}: strict decoding error: ${list}`,
      unknown,
    );
  }
  if (result.causes.length > 0) return new InvalidError(target.kind, target.name, result.causes, target.group || undefined);
  return undefined;
}
