// Server-side apply and field ownership, recorded in metadata.managedFields as
// Kubernetes does: an Apply entry per applier holding the fields it declared, and an
// Update entry per writer of other kinds holding the fields it changed.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ManagedFieldsEntry } from '../../common/api/meta.js';
import type { Clock } from '../../common/clock.js';
import { rfc3339 } from '../../common/clock.js';
import { ApiError, BadRequestError, InvalidError, NotFoundError } from '../../common/errors.js';
import { openApiPatchMeta, type PatchMeta } from '../patch/patchMeta.js';
import type { ResourceStore, WriteResult } from '../registry/resourceStore.js';
import type { ApplyRequest, ServerSideApply } from './serverSideApply.js';
import { changedFields, fieldsOf, fromPaths, hasPath, leaves, removeAt, valueAt, without, type FieldSet } from './fieldSet.js';
import { mergeApplied } from './applyMerge.js';
import { conflictError, findConflicts } from './conflicts.js';
import { rekeyEntries } from './legacyKeys.js';
import { fieldsFromLastApplied, kubectlApplyManager, syncLastApplied } from './lastApplied.js';
import { checkManagedFields, explicitManagedFields, ownsNothing, setOf, sortManagedFields } from './managedFields.js';

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

/**
 * The part of an object whose fields a scope can own: a status write's field set is that of
 * status alone, so the rest of the object (spec, metadata) is not walked on every status write.
 */
function inScope(obj: KubeObject, scope: FieldScope): Record<string, unknown> {
  if (scope !== 'status') return obj;
  return Object.hasOwn(obj, 'status') ? { status: obj.status } : {};
}

function sameSlot(e: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', subresource?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');
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
    // Entries the writer set explicitly replace the stored ones (kubectl's client-side ->
    // server-side apply migration does this); the writer's own changes are then recorded on top.
    const explicit = explicitManagedFields(next.metadata.managedFields, subresource);
    const given = explicit && !isDeepStrictEqual(explicit, old?.metadata.managedFields) ? explicit : undefined;
    if (given) {
      const causes = checkManagedFields(given);
      if (causes.length) {
        const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : undefined;
        throw new InvalidError(next.kind ?? 'Object', next.metadata.name ?? '', causes, group);
      }
    }
    const previous = rekeyEntries(given ?? old?.metadata.managedFields ?? [], old ?? next, meta);
    const newSet = scoped(fieldsOf(inScope(next, scope), meta, true), scope);
    const oldSet = old ? scoped(fieldsOf(inScope(old, scope), meta, true), scope) : {};
    const { changed, removed } = changedFields(old, oldSet, next, newSet);
    if (changed.length === 0 && removed.length === 0 && !given) return old?.metadata.managedFields;
    const out: ManagedFieldsEntry[] = [];
    let mine: ManagedFieldsEntry | undefined;
    for (const e of previous) {
      if (ownsNothing(e)) continue;
      const trimmed = without(setOf(e), [...changed, ...removed]);
      if (sameSlot(e, manager, 'Update', subresource)) {
        mine = { ...e, fieldsV1: trimmed };
        continue;
      }
      if (Object.keys(trimmed).length) out.push({ ...e, fieldsV1: trimmed });
    }
    if (changed.length) {
      // The writer takes what it changed; its entry's time says when it last took something.
      out.push(this.entry(manager, 'Update', apiVersion, fromPaths([...(mine ? leaves(setOf(mine)) : []), ...changed]), subresource));
    } else if (mine && Object.keys(setOf(mine)).length) {
      out.push(mine);
    }
    return out.length ? sortManagedFields(out) : undefined;
  }

  async apply(req: ApplyRequest): Promise<WriteResult> {
    const { store, namespace, name, manager } = req;
    const applied = structuredClone(req.applied);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw new BadRequestError(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    applied.metadata.name = name;
    if (applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
      throw new BadRequestError('metadata.managedFields must be nil');
    }
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
      // Applied onto nothing: the same rules (duplicate keys refused, nulls dropped) as onto a live object.
      const obj = mergeApplied({ apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} }, applied, meta);
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
    const stored = current.metadata.managedFields ?? [];
    const entries = rekeyEntries(stored, current, meta);
    // The applied configuration wins for every field it names; lists merge by key.
    const merged = mergeApplied(current, applied, meta);
    merged.metadata.resourceVersion = current.metadata.resourceVersion;
    let conflicts = findConflicts(entries, current, merged, meta, { manager: req.manager, subresource: req.subresource, apiVersion: store.apiVersion });
    if (conflicts.length && !req.force && req.manager === kubectlApplyManager) {
      // Upgrading from client-side apply: what the last-applied annotation shows the
      // client-side applier set (and still holds) is kubectl's to take.
      const allowed = fieldsFromLastApplied(current, meta);
      const real = conflicts.filter((c) => !hasPath(allowed, c.path));
      if (real.length) conflicts = real;
      else req = { ...req, force: true };
    }
    if (conflicts.length && !req.force) throw conflictError(store.descriptor, req.name, conflicts);

    const others: ManagedFieldsEntry[] = [];
    let own: ManagedFieldsEntry | undefined;
    entries.forEach((e, index) => {
      if (sameSlot(e, req.manager, 'Apply', req.subresource)) {
        own = e;
        return;
      }
      const lost = conflicts.filter((c) => c.index === index).map((c) => c.path);
      const trimmed = lost.length ? without(setOf(e), lost) : setOf(e);
      if (Object.keys(trimmed).length) others.push({ ...e, fieldsV1: trimmed });
    });
    // Fields this manager applied before but no longer declares are removed, unless someone else owns them.
    for (const p of leaves(own ? setOf(own) : {})) {
      if (hasPath(appliedSet, p)) continue;
      // A path the configuration still reaches was recorded under an older key (e.g. ports by
      // port alone, before port and protocol): still declared, never pruned.
      if (valueAt(applied, p).found) continue;
      if (others.some((e) => hasPath(setOf(e), p))) continue;
      removeAt(merged, p);
    }
    if (req.manager === kubectlApplyManager) syncLastApplied(merged, applied);
    const unchanged = own && isDeepStrictEqual(own.fieldsV1, appliedSet) && isDeepStrictEqual(withoutManagedFields(merged), withoutManagedFields(current));
    const mine = unchanged ? own! : this.entry(req.manager, 'Apply', store.apiVersion, appliedSet, req.subresource);
    const next = sortManagedFields([...others, mine]);
    // Entries stored in another order (or with older item keys) are not a change worth a write.
    merged.metadata.managedFields = sameEntries(next, entries) ? stored : next;
    return merged;
  }
}

function sameEntries(a: ManagedFieldsEntry[], b: ManagedFieldsEntry[]): boolean {
  return a.length === b.length && a.every((e) => b.some((f) => isDeepStrictEqual(e, f)));
}

function withoutManagedFields(obj: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _rv, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}
