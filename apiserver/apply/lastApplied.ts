// How server-side apply by kubectl cooperates with client-side apply's
// `kubectl.kubernetes.io/last-applied-configuration` annotation, as Kubernetes does:
//
// - Upgrade: the first `kubectl apply --server-side` on an object managed by client-side
//   apply may take over, without a conflict, every field the annotation records with the
//   value the object still has (the client-side applier owns those as an Update manager).
//   kubectl then moves that manager's fields to its own Apply entry with a JSON patch of
//   metadata.managedFields (managedFields.ts accepts it).
// - Downgrade: while the annotation exists, each apply by kubectl rewrites it to the newly
//   applied configuration, so a later client-side `kubectl apply` diffs against the truth.
//
// Both apply only to the manager named `kubectl`: another --field-manager opts out.

import { isDeepStrictEqual } from 'node:util';
import { isObject, type KubeObject } from '../../common/api/meta.js';
import type { PatchMeta } from '../patch/patchMeta.js';
import { fieldsOf, fromPaths, leaves, valueAt, type FieldSet } from './fieldSet.js';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** The field manager of `kubectl apply --server-side`. */
export const kubectlApplyManager = 'kubectl';

/** Kubernetes' limit on the total size of an object's annotations. */
const maxAnnotationsBytes = 256 * 1024;

function lastAppliedOf(obj: KubeObject): Record<string, unknown> | undefined {
  const text = obj.metadata.annotations?.[lastAppliedAnnotation];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined; // a broken annotation grants nothing
  }
}

/**
 * The fields the client-side applier demonstrably set: those in the annotation whose
 * value the live object still has. Conflicts on these are not conflicts for kubectl.
 */
export function fieldsFromLastApplied(live: KubeObject, meta: PatchMeta): FieldSet {
  const last = lastAppliedOf(live);
  if (!last) return {};
  const kept = leaves(fieldsOf(last, meta, true)).filter((p) => {
    const have = valueAt(live, p);
    if (!have.found) return false;
    const tail = p[p.length - 1] ?? '';
    // A list item or set member is the same item when it is there at all; its fields are compared on their own.
    if (tail.startsWith('k:') || tail.startsWith('v:')) return true;
    const was = valueAt(last, p);
    return was.found && isDeepStrictEqual(was.value, have.value);
  });
  return fromPaths(kept);
}

/** After kubectl applied `applied`, keep an existing annotation equal to it (never adds one). */
export function syncLastApplied(obj: KubeObject, applied: KubeObject): void {
  const annotations = obj.metadata.annotations;
  if (annotations?.[lastAppliedAnnotation] === undefined) return;
  const config = structuredClone(applied);
  const own = config.metadata.annotations;
  if (own) {
    delete own[lastAppliedAnnotation];
    if (Object.keys(own).length === 0) delete config.metadata.annotations;
  }
  annotations[lastAppliedAnnotation] = JSON.stringify(config);
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  // Too large to keep up to date: drop it rather than keep a stale one (as Kubernetes does).
  if (size > maxAnnotationsBytes) delete annotations[lastAppliedAnnotation];
}
