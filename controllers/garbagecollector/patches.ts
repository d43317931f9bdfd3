// The collector's writes to other objects' metadata, as JSON patches (RFC 6902) guarded by
// `test` operations: each names the object's uid and the exact list entries it changes, so a
// patch built from a stale copy fails (422) instead of removing the wrong entry, and the
// caller builds it again from a fresh read. Kubernetes uses strategic-merge `$patch: delete`
// directives keyed by uid for the same purpose.

import type { KubeObject } from '../../common/api/meta.js';

export type JsonPatchOp = { op: 'test' | 'replace' | 'add'; path: string; value: unknown } | { op: 'remove'; path: string };

function uidGuard(obj: KubeObject): JsonPatchOp[] {
  return [{ op: 'test', path: '/metadata/uid', value: obj.metadata.uid ?? '' }];
}

/** Removes the owner references whose uid is in `ownerUids`; undefined when there are none. */
export function removeOwnerRefsPatch(obj: KubeObject, ownerUids: ReadonlySet<string>): JsonPatchOp[] | undefined {
  const refs = obj.metadata.ownerReferences ?? [];
  const ops: JsonPatchOp[] = [];
  // Highest index first, so every removal leaves the indexes still to come unchanged.
  for (let i = refs.length - 1; i >= 0; i--) {
    const r = refs[i]!;
    if (!ownerUids.has(r.uid)) continue;
    ops.push({ op: 'test', path: `/metadata/ownerReferences/${i}/uid`, value: r.uid }, { op: 'remove', path: `/metadata/ownerReferences/${i}` });
  }
  return ops.length ? [...uidGuard(obj), ...ops] : undefined;
}

/** Sets blockOwnerDeletion to false on the references to `ownerUids` that block. */
export function unblockOwnerRefsPatch(obj: KubeObject, ownerUids: ReadonlySet<string>): JsonPatchOp[] | undefined {
  const refs = obj.metadata.ownerReferences ?? [];
  const ops: JsonPatchOp[] = [];
  refs.forEach((r, i) => {
    if (!ownerUids.has(r.uid) || r.blockOwnerDeletion !== true) return;
    ops.push({ op: 'test', path: `/metadata/ownerReferences/${i}/uid`, value: r.uid }, { op: 'replace', path: `/metadata/ownerReferences/${i}/blockOwnerDeletion`, value: false });
  });
  return ops.length ? [...uidGuard(obj), ...ops] : undefined;
}

/** Removes every occurrence of `finalizer`; undefined when the object does not hold it. */
export function removeFinalizerPatch(obj: KubeObject, finalizer: string): JsonPatchOp[] | undefined {
  const fs = obj.metadata.finalizers ?? [];
  const ops: JsonPatchOp[] = [];
  for (let i = fs.length - 1; i >= 0; i--) {
    if (fs[i] !== finalizer) continue;
    ops.push({ op: 'test', path: `/metadata/finalizers/${i}`, value: finalizer }, { op: 'remove', path: `/metadata/finalizers/${i}` });
  }
  return ops.length ? [...uidGuard(obj), ...ops] : undefined;
}
