// Which fields of other managers an apply conflicts with, by Kubernetes' rule
// (structured-merge-diff): only what the apply changes can conflict. Values equal to the
// live ones are shared (the applier becomes a co-owner); a list item or a map is never
// itself a value, only its leaves are, and an atomic list or map is compared whole;
// fields the applier leaves out keep their live value, so server-side defaults are no
// difference. Update managers (client-side apply, edit, scale, patch) and other appliers
// are treated alike.

import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import { ApiError, ConflictError, type FieldCause } from '../../common/errors.js';
import type { PatchMeta } from '../patch/patchMeta.js';
import { changedFields, describePath, fieldsOf, hasPath, type FieldPath } from './fieldSet.js';
import { setOf } from './managedFields.js';

export interface Conflict {
  /** Which managedFields entry owns the field. */
  index: number;
  manager: string;
  apiVersion: string;
  path: FieldPath;
}

export interface Applier {
  manager: string;
  subresource?: string | undefined;
  /** The API version of the request, for entries that name none. */
  apiVersion: string;
}

/** The fields owned (per `entries`) by other managers of the same subresource that turning `current` into `merged` changes. */
export function findConflicts(entries: ManagedFieldsEntry[], current: KubeObject, merged: KubeObject, meta: PatchMeta, applier: Applier): Conflict[] {
  const { changed } = changedFields(current, fieldsOf(current, meta, true), merged, fieldsOf(merged, meta, true));
  const conflicts: Conflict[] = [];
  entries.forEach((e, index) => {
    if ((e.subresource ?? '') !== (applier.subresource ?? '')) return;
    if (e.manager === applier.manager && e.operation === 'Apply') return;
    const owned = setOf(e);
    for (const path of changed) if (hasPath(owned, path)) conflicts.push({ index, manager: e.manager ?? '', apiVersion: e.apiVersion ?? applier.apiVersion, path });
  });
  return conflicts;
}

/** The 409 Kubernetes answers: one FieldManagerConflict cause per field and owner. */
export function conflictError(resource: { plural: string; group?: string | undefined }, name: string, conflicts: Conflict[]): ApiError {
  const causes: FieldCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: describePath(c.path) }));
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${describePath(c.path)}`);
  const err = new ConflictError({ resource: resource.plural, group: resource.group, name }, '', causes);
  return new ApiError('Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`, err.details);
}
