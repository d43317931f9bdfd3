// What the DaemonSet and StatefulSet controllers share about their history, as Kubernetes'
// controller history: a revision's data is the pod template as a strategic-merge patch
// (`{spec: {template: {..., $patch: replace}}}`, what `kubectl rollout undo` applies to the
// workload); one revision per distinct template, named `<owner>-<hash>`; numbered in order of
// use, so the revision of the template in force always has the highest number (a rollback
// renumbers the old one rather than copying it); revisions no live pod uses beyond
// revisionHistoryLimit are deleted, oldest first.

import type { KubeObject } from '../../common/api/meta.js';
import { controllerRef } from '../../common/api/ownerRefs.js';
import { canonicalJson, templateHash } from '../deployment/hash.js';
import type { PodTemplateSpec } from '../deployment/types.js';
import type { ControllerRevision } from './types.js';

/** A template's hash, stepped by collisionCount away from a name another revision holds. */
export function revisionHash(template: unknown, collisionCount?: number): string {
  return templateHash(template as PodTemplateSpec | undefined, collisionCount);
}

/** The revision's data for a template: the patch that puts it back in place. */
export function templatePatch(template: unknown): Record<string, unknown> {
  return { spec: { template: { ...(structuredClone(template ?? {}) as Record<string, unknown>), $patch: 'replace' } } };
}

/** The template a revision holds (its data without the patch directive); undefined when it holds none. */
export function templateOf(revision: ControllerRevision): Record<string, unknown> | undefined {
  const t = (revision.data as { spec?: { template?: unknown } } | undefined)?.spec?.template;
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return undefined;
  const { $patch: _directive, ...template } = structuredClone(t) as Record<string, unknown>;
  return template;
}

/** Whether two revisions hold the same data (key order and empty values aside). */
export function sameData(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export interface NewRevision {
  owner: KubeObject;
  ownerKind: { apiVersion: string; kind: string };
  hash: string;
  revision: number;
  data: unknown;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function newControllerRevision(o: NewRevision): ControllerRevision {
  const metadata: ControllerRevision['metadata'] = {
    name: `${o.owner.metadata.name ?? ''}-${o.hash}`,
    namespace: o.owner.metadata.namespace,
    labels: { ...(o.labels ?? {}) },
    ownerReferences: [controllerRef(o.owner, o.ownerKind.apiVersion, o.ownerKind.kind)],
  };
  if (o.annotations && Object.keys(o.annotations).length) metadata.annotations = { ...o.annotations };
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata, data: o.data, revision: o.revision };
}

export const byRevision = (a: ControllerRevision, b: ControllerRevision): number => a.revision - b.revision || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export const nextRevision = (revisions: readonly ControllerRevision[]): number => Math.max(0, ...revisions.map((r) => r.revision)) + 1;

export interface HistoryPlan {
  /** Create this revision (none holds the template in force). */
  create?: ControllerRevision;
  /** Renumber the revision holding the template in force (it was rolled back to). */
  bump?: { revision: ControllerRevision; to: number };
  /** Old revisions past the history limit that nothing uses. */
  prune: ControllerRevision[];
}

export interface HistoryInput {
  /** The owner's revisions. */
  revisions: readonly ControllerRevision[];
  /** The revision already holding the template in force, if any. */
  current: ControllerRevision | undefined;
  /** The revision to create (numbered `revision`) when none holds it. */
  make: (revision: number) => ControllerRevision;
  /** Revisions that stay whatever the limit (used by a live pod, or named in the owner's status). */
  live: (r: ControllerRevision) => boolean;
  /** revisionHistoryLimit (Kubernetes' default 10). */
  limit: number;
}

export function planHistory(input: HistoryInput): HistoryPlan {
  const { revisions, current } = input;
  const next = nextRevision(revisions);
  const plan: HistoryPlan = { prune: [] };
  if (!current) plan.create = input.make(next);
  else if (current.revision < next - 1) plan.bump = { revision: current, to: next };
  const old = revisions.filter((r) => r !== current && !input.live(r)).sort(byRevision);
  plan.prune = old.slice(0, Math.max(0, old.length - Math.max(0, input.limit)));
  return plan;
}
