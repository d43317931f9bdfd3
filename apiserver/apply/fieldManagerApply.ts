// Server-side apply and field ownership, recorded in metadata.managedFields as
// Kubernetes does: an Apply entry per applier holding the fields it declared, and an
// Update entry per writer of other kinds holding the fields it changed.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import type { Clock } from '../../common/clock.js';
import { rfc3339 } from '../../common/clock.js';
import { ApiError, BadRequestError, ConflictError, NotFoundError, type FieldCause } from '../../common/errors.js';
import { openApiPatchMeta, type PatchMeta } from '../patch/patchMeta.js';
import { applyStrategicMergePatch } from '../patch/strategicMergePatch.js';
import type { ResourceStore, WriteResult } from '../registry/resourceStore.js';
import type { ApplyRequest, ServerSideApply } from './serverSideApply.js';
import { describePath, fieldsOf, fromPaths, hasPath, leaves, removeAt, valueAt, without, type FieldPath, type FieldSet } from './fieldSet.js';

/** What the store calls on every non-apply write to keep ownership current. */
export interface FieldTracker {
  /** Returns the managedFields for `next` written by `manager` over `old` (undefined on create). */
  track(definition: string, apiVersion: string, old: KubeObject | undefined, next: KubeObject, manager: string, subresource?: string, scope?: FieldScope): ManagedFieldsEntry[] | undefined;
}

/**
 * Which fields a write may own. For kinds with a status subresource, writers of the main
 * resource never own status and status writers own only status (Kubernetes' reset fields).
 */
export type FieldScope = 'all' | 'main' | 'status';

function scoped(set: FieldSet, scope: FieldScope): FieldSet {
  if (scope === 'all') return set;
  if (scope === 'status') return set['f:status'] ? { 'f:status': set['f:status'] } : {};
  const { 'f:status': _status, ...rest } = set;
  return rest;
}

function sameSlot(e: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', subresource?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');
}

function setOf(e: ManagedFieldsEntry): FieldSet {
  return (e.fieldsV1 ?? {}) as FieldSet;
}

export class FieldManager implements FieldTracker, ServerSideApply {
  private readonly metas = new Map<string, PatchMeta>();

  constructor(
    private readonly definitions: Record<string, unknown>,
    private readonly clock: Clock,
  ) {}

  private meta(definition: string): PatchMeta {
    let m = this.metas.get(definition);
    if (!m) this.metas.set(definition, (m = openApiPatchMeta(this.definitions, definition)));
    return m;
  }

  private entry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, set: FieldSet, subresource?: string): ManagedFieldsEntry {
    const e: ManagedFieldsEntry = { manager, operation, apiVersion, time: rfc3339(this.clock.now()), fieldsType: 'FieldsV1', fieldsV1: set };
    if (subresource) e.subresource = subresource;
    return e;
  }

  track(definition: string, apiVersion: string, old: KubeObject | undefined, next: KubeObject, manager: string, subresource?: string, scope: FieldScope = 'all'): ManagedFieldsEntry[] | undefined {
    const meta = this.meta(definition);
    const newSet = scoped(fieldsOf(next, meta, true), scope);
    if (!old) return Object.keys(newSet).length ? [this.entry(manager, 'Update', apiVersion, newSet, subresource)] : undefined;
    const previous = old.metadata.managedFields ?? [];
    const oldSet = scoped(fieldsOf(old, meta, true), scope);
    const changed = leaves(newSet).filter((p) => !hasPath(oldSet, p) || !isDeepStrictEqual(valueAt(old, p), valueAt(next, p)));
    const removed = leaves(oldSet).filter((p) => !hasPath(newSet, p));
    if (changed.length === 0 && removed.length === 0) return old.metadata.managedFields;
    const out: ManagedFieldsEntry[] = [];
    let mine: FieldSet = {};
    for (const e of previous) {
      const trimmed = without(setOf(e), [...changed, ...removed]);
      if (sameSlot(e, manager, 'Update', subresource)) {
        mine = trimmed;
        continue;
      }
      if (Object.keys(trimmed).length) out.push({ ...e, fieldsV1: trimmed });
    }
    const merged = fromPaths([...leaves(mine), ...changed]);
    if (Object.keys(merged).length) out.push(this.entry(manager, 'Update', apiVersion, merged, subresource));
    return out.length ? out : undefined;
  }

  async apply(req: ApplyRequest): Promise<WriteResult> {
    const { store, namespace, name, manager } = req;
    const applied = structuredClone(req.applied);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw new BadRequestError(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    applied.metadata.name = name;
    if (applied.apiVersion === undefined || applied.kind === undefined) {
      throw new BadRequestError('apply requires the object to carry apiVersion and kind');
    }
    const definition = store.descriptor.definition;
    const meta = this.meta(definition);
    const appliedSet = fieldsOf(applied, meta, true);
    const opts = { ...req.opts, applying: true };
    const exists = await store.get(namespace, name).then(
      () => true,
      (e: unknown) => {
        if (e instanceof NotFoundError) return false;
        throw e;
      },
    );
    if (!exists) {
      if (req.subresource) throw new NotFoundError({ resource: store.descriptor.plural, group: store.descriptor.group, name });
      const obj = structuredClone(applied);
      obj.metadata.managedFields = [this.entry(manager, 'Apply', store.apiVersion, appliedSet)];
      try {
        return await store.create(namespace, obj, opts);
      } catch (e) {
        // Someone created it meanwhile: apply over theirs.
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
    }
    return store.guaranteedUpdate(namespace, name, (current) => this.merge(store, current, applied, appliedSet, meta, req), opts, req.subresource);
  }

  private merge(store: ResourceStore, current: KubeObject, applied: KubeObject, appliedSet: FieldSet, meta: PatchMeta, req: ApplyRequest): KubeObject {
    const entries = current.metadata.managedFields ?? [];
    const conflicts: { manager: string; apiVersion: string; path: FieldPath }[] = [];
    for (const e of entries) {
      if (sameSlot(e, req.manager, 'Apply', req.subresource)) continue;
      if ((e.subresource ?? '') !== (req.subresource ?? '')) continue;
      const owned = setOf(e);
      for (const p of leaves(appliedSet)) {
        if (!hasPath(owned, p)) continue;
        const have = valueAt(current, p);
        const want = valueAt(applied, p);
        if (have.found && want.found && !isDeepStrictEqual(have.value, want.value)) conflicts.push({ manager: e.manager ?? '', apiVersion: e.apiVersion ?? store.apiVersion, path: p });
      }
    }
    if (conflicts.length && !req.force) throw conflictError(store, req.name, conflicts);

    // The applied configuration wins for every field it names; lists merge by key.
    const merged = applyStrategicMergePatch(current, applied, meta) as KubeObject;
    merged.metadata.resourceVersion = current.metadata.resourceVersion;

    const forced = new Map<string, FieldPath[]>();
    for (const c of conflicts) forced.set(c.manager, [...(forced.get(c.manager) ?? []), c.path]);
    const others: ManagedFieldsEntry[] = [];
    let previous: FieldSet = {};
    for (const e of entries) {
      if (sameSlot(e, req.manager, 'Apply', req.subresource)) {
        previous = setOf(e);
        continue;
      }
      const trimmed = forced.has(e.manager ?? '') ? without(setOf(e), forced.get(e.manager ?? '')!) : setOf(e);
      if (Object.keys(trimmed).length) others.push({ ...e, fieldsV1: trimmed });
    }
    // Fields this manager applied before but no longer declares are removed, unless someone else owns them.
    for (const p of leaves(previous)) {
      if (hasPath(appliedSet, p)) continue;
      if (others.some((e) => hasPath(setOf(e), p))) continue;
      removeAt(merged, p);
    }
    const own = entries.find((e) => sameSlot(e, req.manager, 'Apply', req.subresource));
    const sameAsBefore = own && isDeepStrictEqual(own.fieldsV1, appliedSet);
    const mine = sameAsBefore ? own : this.entry(req.manager, 'Apply', store.apiVersion, appliedSet, req.subresource);
    merged.metadata.managedFields = [...others, mine];
    return merged;
  }
}

function conflictError(store: ResourceStore, name: string, conflicts: { manager: string; apiVersion: string; path: FieldPath }[]): ApiError {
  const causes: FieldCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: describePath(c.path) }));
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${describePath(c.path)}`);
  const err = new ConflictError({ resource: store.descriptor.plural, group: store.descriptor.group, name }, '', causes);
  return new ApiError('Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`, err.details);
}
