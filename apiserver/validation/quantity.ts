// Quantity checks for the schema validator. The grammar lives in common/quantity.ts;
// this file only holds the message Kubernetes gives for a malformed one.

export { isQuantity } from '../../common/quantity.js';

/** The message Kubernetes gives for a malformed quantity (kubectl users search for it). */
export const quantityFormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
