// The conditions a terminating namespace reports while its content is deleted, with
// Kubernetes' types, reasons and messages (users and tools read these to learn why a
// namespace is stuck in Terminating).

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** What one pass over a terminating namespace's content found. */
export interface ContentReport {
  /** Resources that could not be listed: "pods: <error>". */
  discoveryFailures: string[];
  /** Deletions or lists that failed: "configmaps/x: <error>". */
  deletionFailures: string[];
  /** Objects still present per resource (plural.group, e.g. "pods." or "deployments.apps"). */
  remaining: Map<string, number>;
  /** Objects still present per finalizer they hold. */
  finalizers: Map<string, number>;
}

export function emptyReport(): ContentReport {
  return { discoveryFailures: [], deletionFailures: [], remaining: new Map(), finalizers: new Map() };
}

function sorted(m: Map<string, number>): [string, number][] {
  return [...m.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
}

/** The five conditions for `report`, without transition times. */
export function conditionsFor(report: ContentReport): NamespaceCondition[] {
  const remaining = sorted(report.remaining);
  const finalizers = sorted(report.finalizers);
  const cond = (type: string, failed: boolean, yes: [string, string], no: [string, string]): NamespaceCondition => ({
    type,
    status: failed ? 'True' : 'False',
    reason: failed ? yes[0] : no[0],
    message: failed ? yes[1] : no[1],
  });
  return [
    cond('NamespaceDeletionDiscoveryFailure', report.discoveryFailures.length > 0, ['DiscoveryFailed', `Discovery failed for some groups: ${report.discoveryFailures.join('; ')}`], ['ResourcesDiscovered', 'All resources successfully discovered']),
    // Gantry's kinds are compiled in, so there is never a group version to parse.
    cond('NamespaceDeletionGroupVersionParsingFailure', false, ['', ''], ['ParsedGroupVersions', 'All legacy kube types successfully parsed']),
    cond('NamespaceDeletionContentFailure', report.deletionFailures.length > 0, ['ContentDeletionFailed', `Failed to delete all resource types, ${report.deletionFailures.length} remaining: ${report.deletionFailures.join(', ')}`], ['ContentDeleted', 'All content successfully deleted, may be waiting on finalization']),
    cond('NamespaceContentRemaining', remaining.length > 0, ['SomeResourcesRemain', `Some resources are remaining: ${remaining.map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`], ['ContentRemoved', 'All content successfully removed']),
    cond('NamespaceFinalizersRemaining', finalizers.length > 0, ['SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizers.map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`], ['ContentHasNoFinalizers', 'All content-preserving finalizers finished']),
  ];
}

/**
 * The namespace's conditions after this pass: conditions of these types are replaced, a
 * transition time is kept while the status stays the same, other conditions are kept.
 */
export function mergeConditions(old: readonly NamespaceCondition[], next: readonly NamespaceCondition[], now: string): NamespaceCondition[] {
  const byType = new Map(old.map((c) => [c.type, c]));
  const out = old.filter((c) => !next.some((n) => n.type === c.type));
  for (const n of next) {
    const prev = byType.get(n.type);
    out.push({ ...n, lastTransitionTime: prev && prev.status === n.status && prev.lastTransitionTime ? prev.lastTransitionTime : now });
  }
  return out;
}

/** Whether writing `next` over `old` would change anything. */
export function conditionsChanged(old: readonly NamespaceCondition[], next: readonly NamespaceCondition[]): boolean {
  if (old.length !== next.length) return true;
  const byType = new Map(old.map((c) => [c.type, c]));
  return next.some((n) => {
    const o = byType.get(n.type);
    return !o || o.status !== n.status || o.reason !== n.reason || o.message !== n.message;
  });
}
