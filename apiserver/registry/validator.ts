import type { FieldCause } from '../../common/errors.js';

/** Schema validation of a whole object (implemented with ajv in apiserver/validation). */
export interface ObjectValidator {
  validate(definition: string, obj: unknown, opts: { strictFields: boolean }): { causes: FieldCause[]; pruned: unknown; unknownFields: string[] };
}
