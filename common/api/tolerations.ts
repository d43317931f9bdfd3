// Whether a pod tolerates a node taint, as Kubernetes decides it: the effects must match
// (an empty toleration effect matches all), and either the operator is Exists (an empty
// key then matches every taint) or key and value are equal. Shared by the scheduler's
// filters and the node lifecycle controller's evictions, so both judge a taint alike.

/** What matching reads of a taint (client-node's V1Taint and wire objects both fit). */
export interface TaintKey {
  key: string;
  value?: string;
  effect: string;
}

/** What matching reads of a toleration. */
export interface TolerationMatch {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function tolerates(t: TolerationMatch, taint: TaintKey): boolean {
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

export function toleratedByAny(tolerations: readonly TolerationMatch[], taint: TaintKey): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function firstUntolerated<T extends TaintKey>(taints: readonly T[], tolerations: readonly TolerationMatch[], effects: ReadonlySet<string>): T | undefined {
  for (const taint of taints) {
    if (!effects.has(taint.effect)) continue;
    if (!toleratedByAny(tolerations, taint)) return taint;
  }
  return undefined;
}

/** The taints the node lifecycle controller sets and pods get default tolerations for. */
export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';
