// Kubernetes quantities ("100m", "1.5", "2Gi", "1e3", "+1"): a signed decimal number
// followed by at most one suffix, which is a binary SI unit (Ki..Ei), a decimal SI
// unit (n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E-3). Manifests also
// write them as JSON numbers (`cpu: 1`, `cpu: 0.5`), which Kubernetes accepts.

const quantityGrammar = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** The message Kubernetes gives for a malformed quantity (kubectl users search for it). */
export const quantityFormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export function isQuantityString(s: string): boolean {
  return quantityGrammar.test(s);
}

/** Whether a decoded JSON value is an acceptable quantity. */
export function isQuantity(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && isQuantityString(value);
}
