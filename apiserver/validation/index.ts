// Request-body validation against the generated schemas (see validator.ts).

export { createValidator, unknownFieldMessage, unknownFieldReason } from './validator.js';
export type { ValidateOptions, ValidationResult, Validator } from './validator.js';
export { validationError } from './api-error.js';
export type { ValidatedObject } from './api-error.js';
export { isQuantity } from './quantity.js';
export { checkDns1035Label, nameProblems } from './names.js';
export type { NameRule } from './names.js';
export { fieldErrors, renderValue } from './fieldErrors.js';
