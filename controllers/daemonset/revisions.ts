// A DaemonSet's history as ControllerRevisions, as Kubernetes keeps it: one revision per
// distinct template, named `<ds>-<hash>`, its data the template as a strategic-merge patch
// (`$patch: replace`, what `kubectl rollout undo` applies), numbered in order of use: the
// current template's revision always has the highest number. Revisions beyond
// revisionHistoryLimit that no live pod uses are deleted, oldest first.

import { controllerRef } from '../../common/api/ownerRefs.js';
import { templateHash } from '../deployment/hash.js';
import type { PodTemplateSpec } from '../deployment/types.js';
import { daemonSetKind, revisionHashLabel, type ControllerRevision, type DaemonSet, type Pod } from './types.js';

/** The current template's hash (collisionCount steps away from a name another object holds). */
export function daemonSetHash(ds: DaemonSet): string {
  return templateHash(ds.spec?.template as PodTemplateSpec | undefined, ds.status?.collisionCount);
}

export function revisionData(ds: DaemonSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

export function newRevision(ds: DaemonSet, hash: string, revision: number): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name ?? ''}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [revisionHashLabel]: hash },
      ownerReferences: [controllerRef(ds, daemonSetKind.apiVersion, daemonSetKind.kind)],
    },
    data: revisionData(ds),
    revision,
  };
}

export interface HistoryPlan {
  /** Create this revision (none exists for the current hash). */
  create?: ControllerRevision;
  /** Renumber the current hash's revision to this (it was rolled back to). */
  bump?: { revision: ControllerRevision; to: number };
  /** Old revisions past the history limit and unused. */
  prune: ControllerRevision[];
}

export function planHistory(ds: DaemonSet, hash: string, revisions: ControllerRevision[], pods: Pod[]): HistoryPlan {
  const max = Math.max(0, ...revisions.map((r) => r.revision));
  const current = revisions.find((r) => r.metadata.labels?.[revisionHashLabel] === hash || r.metadata.name === `${ds.metadata.name ?? ''}-${hash}`);
  const plan: HistoryPlan = { prune: [] };
  if (!current) plan.create = newRevision(ds, hash, max + 1);
  else if (current.revision < max) plan.bump = { revision: current, to: max + 1 };
  const inUse = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.labels?.[revisionHashLabel]));
  const limit = ds.spec?.revisionHistoryLimit ?? 10;
  const old = revisions.filter((r) => r !== current && !inUse.has(r.metadata.labels?.[revisionHashLabel])).sort((a, b) => a.revision - b.revision);
  plan.prune = old.slice(0, Math.max(0, old.length - limit));
  return plan;
}
