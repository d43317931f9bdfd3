// A StatefulSet's revisions, as Kubernetes' StatefulSet controller keeps them: the update
// revision holds the template in force (a revision with the same data is reused, renumbered
// highest when it was not the newest: a rollback); the current revision is the one
// status.currentRevision names (the update revision when none). Pods carry their revision's
// name in `controller-revision-hash`. A name held by a revision with other data is a hash
// collision: collisionCount goes up and the next sync hashes again.

import { controllerRevisionHashLabel } from '../history/types.js';
import { byRevision, newControllerRevision, planHistory, revisionHash, sameData, templateOf, templatePatch, type HistoryPlan } from '../history/revisions.js';
import { revisionOf } from './identity.js';
import { statefulSetKind, type ControllerRevision, type Pod, type PodTemplate, type StatefulSet } from './types.js';

export interface Revision {
  name: string;
  template: PodTemplate;
}

export interface RevisionState {
  update: Revision;
  current: Revision;
  plan: HistoryPlan;
  /** The update revision's name is taken by other data: raise collisionCount, make nothing. */
  collision: boolean;
}

export function newRevision(set: StatefulSet, hash: string, revision: number): ControllerRevision {
  return newControllerRevision({
    owner: set,
    ownerKind: statefulSetKind,
    hash,
    revision,
    data: templatePatch(set.spec?.template),
    labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash },
    annotations: set.metadata.annotations,
  });
}

/** `revisions` are the set's own; `pods` its pods (their revisions are kept whatever the limit). */
export function resolveRevisions(set: StatefulSet, revisions: readonly ControllerRevision[], pods: readonly Pod[]): RevisionState {
  const sorted = [...revisions].sort(byRevision);
  const data = templatePatch(set.spec?.template);
  const hash = revisionHash(set.spec?.template, set.status?.collisionCount);
  const fresh = `${set.metadata.name ?? ''}-${hash}`;
  const equal = sorted.filter((r) => sameData(r.data, data));
  const existing = equal[equal.length - 1];
  const collision = !existing && sorted.some((r) => r.metadata.name === fresh);
  const update: Revision = { name: existing?.metadata.name ?? fresh, template: structuredClone(set.spec?.template ?? {}) };
  const named = sorted.find((r) => r.metadata.name === set.status?.currentRevision);
  const currentTemplate = named && named !== existing ? templateOf(named) : undefined;
  const current: Revision = currentTemplate ? { name: named!.metadata.name ?? '', template: currentTemplate as PodTemplate } : update;
  const live = new Set([update.name, current.name, ...pods.map(revisionOf)]);
  const plan = collision
    ? { prune: [] }
    : planHistory({ revisions: sorted, current: existing, make: (n) => newRevision(set, hash, n), live: (r) => live.has(r.metadata.name), limit: set.spec?.revisionHistoryLimit ?? 10 });
  return { update, current, plan, collision };
}
