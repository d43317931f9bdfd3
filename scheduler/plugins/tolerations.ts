// Whether a pod tolerates a node taint, as Kubernetes decides it: the effects must match
// (an empty toleration effect matches all), and either the operator is Exists (an empty
// key then matches every taint) or key and value are equal.

import type { Taint, Toleration } from '../framework/types.js';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function toleratedByAny(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effects: ReadonlySet<string>): Taint | undefined {
  for (const taint of taints) {
    if (!effects.has(taint.effect)) continue;
    if (!toleratedByAny(tolerations, taint)) return taint;
  }
  return undefined;
}
