// A DaemonSet's history as ControllerRevisions, on the shared history of ../history: one
// revision per distinct template, named `<ds>-<hash>` and labelled with the hash its pods
// carry in `controller-revision-hash`; revisions beyond revisionHistoryLimit that no live pod
// uses are deleted, oldest first.

import { newControllerRevision, planHistory as planSharedHistory, revisionHash, templatePatch, type HistoryPlan } from '../history/revisions.js';
import { daemonSetKind, revisionHashLabel, type ControllerRevision, type DaemonSet, type Pod } from './types.js';

export type { HistoryPlan };

/** The current template's hash (collisionCount steps away from a name another object holds). */
export function daemonSetHash(ds: DaemonSet): string {
  return revisionHash(ds.spec?.template, ds.status?.collisionCount);
}

export function newRevision(ds: DaemonSet, hash: string, revision: number): ControllerRevision {
  return newControllerRevision({
    owner: ds,
    ownerKind: daemonSetKind,
    hash,
    revision,
    data: templatePatch(ds.spec?.template),
    labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [revisionHashLabel]: hash },
  });
}

export function planHistory(ds: DaemonSet, hash: string, revisions: ControllerRevision[], pods: Pod[]): HistoryPlan {
  const current = revisions.find((r) => r.metadata.labels?.[revisionHashLabel] === hash || r.metadata.name === `${ds.metadata.name ?? ''}-${hash}`);
  const inUse = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.labels?.[revisionHashLabel]));
  return planSharedHistory({
    revisions,
    current,
    make: (n) => newRevision(ds, hash, n),
    live: (r) => inUse.has(r.metadata.labels?.[revisionHashLabel]),
    limit: ds.spec?.revisionHistoryLimit ?? 10,
  });
}
