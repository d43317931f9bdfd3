// The garbage collector: deletes objects whose owners are all gone, and carries out the
// owner-side half of the three deletion modes the API server starts:
//   - background: the owner goes at once; its dependents then find their owner absent;
//   - foreground: the owner keeps a deletionTimestamp and the `foregroundDeletion` finalizer
//     until no dependent with blockOwnerDeletion is left; its dependents are deleted first;
//   - orphan: the owner keeps the `orphan` finalizer until its dependents no longer
//     reference it.
// The queue holds uids (graph nodes), as Kubernetes' attemptToDelete queue does: a key's
// `name` is an object's uid, not its name.

import type { KubeObject } from '../../common/api/meta.js';
import { builtinResources, type ResourceDescriptor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import type { Clock } from '../../common/clock.js';
import type { ControllerRegistration, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from '../../common/controller/types.js';
import { ConflictError, InvalidError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { foregroundFinalizer, hasFinalizer, isBeingDeleted, isDeletingDependents, orphanFinalizer, OwnerGraph, type GraphNode } from './graph.js';
import { OwnerResolver } from './ownerResolver.js';
import { removeFinalizerPatch, removeOwnerRefsPatch, unblockOwnerRefsPatch, type JsonPatchOp } from './patches.js';
import { planDependent, type OwnerState, type Plan } from './plan.js';

export const garbageCollectorName = 'garbagecollector';

export interface GarbageCollectorConfig {
  /** Concurrent workers (distinct uids). */
  workers: number;
  /** How soon to look again while the informers have not synced. */
  syncWaitMs: number;
}

export const garbageCollectorDefaults: GarbageCollectorConfig = { workers: 4, syncWaitMs: 500 };

export interface GarbageCollectorDeps {
  api: Api;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  config?: Partial<GarbageCollectorConfig>;
  /** The kinds to watch; default every built-in kind that can own or be owned. */
  resources?: readonly ResourceDescriptor[];
}

/**
 * Every served kind except events, which Kubernetes' collector ignores too: they are many,
 * short-lived and never own anything.
 */
export function collectableResources(all: readonly ResourceDescriptor[] = builtinResources): ResourceDescriptor[] {
  return all.filter((r) => !(r.group === '' && r.plural === 'events') && (!r.verbs || (r.verbs.includes('watch') && r.verbs.includes('delete'))));
}

const fieldManager = 'garbage-collector';

export class GarbageCollector implements Reconciler {
  readonly graph = new OwnerGraph();
  private readonly resolver: OwnerResolver;
  private readonly informers: Informer<KubeObject>[] = [];
  private enqueue: (key: ObjectKey) => void = () => undefined;
  private readonly logger: Logger;
  readonly config: GarbageCollectorConfig;

  constructor(
    private readonly deps: GarbageCollectorDeps,
    readonly resources: readonly ResourceDescriptor[] = deps.resources ?? collectableResources(),
  ) {
    this.resolver = new OwnerResolver(deps.api, this.graph, builtinResources);
    this.logger = deps.logger.child({ controller: garbageCollectorName });
    this.config = { ...garbageCollectorDefaults, ...deps.config };
  }

  /** One informer per kind; their events update the graph and enqueue the uids it names. */
  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.enqueue = enqueue;
    const add = (uids: string[]): void => {
      for (const uid of uids) enqueue({ name: uid });
    };
    for (const r of this.resources) {
      const inf = source.informer<KubeObject>(r);
      this.informers.push(inf);
      inf.addEventHandler({
        onAdd: (obj) => add(this.graph.observe(r, obj)),
        onUpdate: (_old, obj) => add(this.graph.observe(r, obj)),
        onDelete: (obj) => add(this.graph.forget(obj)),
      });
    }
  }

  private synced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    // "No blocking dependent is left" means something only once every kind has been listed.
    if (!this.synced()) return { requeueAfterMs: this.config.syncWaitMs };
    const node = this.graph.get(key.name);
    if (!node || node.virtual || !node.object || !node.resource) return;
    const log = this.logger.child({ key: `${node.resource.plural}/${node.namespace ? `${node.namespace}/` : ''}${node.name}`, uid: node.uid });
    const obj = node.object;
    if (isBeingDeleted(obj)) {
      if (hasFinalizer(obj, orphanFinalizer)) return this.orphanDependents(node, log);
      if (isDeletingDependents(obj)) return this.processDeletingDependents(node, log);
      return;
    }
    if (!obj.metadata.ownerReferences?.length) return;
    // The common case costs no request: every owner observed, where the reference says.
    if (this.ownersObservedAndSolid(node)) return;
    return this.collect(node, log);
  }

  private ownersObservedAndSolid(node: GraphNode): boolean {
    return node.owners.every((ref) => {
      const owner = this.graph.get(ref.uid);
      if (!owner || owner.virtual || !owner.resource || owner.name !== ref.name || owner.resource.kind !== ref.kind) return false;
      if (owner.resource.namespaced && owner.namespace !== node.namespace) return false;
      return !isDeletingDependents(owner.object);
    });
  }

  /** Orphan propagation: the dependents forget this owner, then the owner may go. */
  private async orphanDependents(node: GraphNode, log: Logger): Promise<void> {
    const owner = new Set([node.uid]);
    for (const dep of this.graph.dependentsOf(node.uid)) {
      if (!dep.resource || !dep.object) continue;
      await this.patchMeta(dep.resource, dep.object, (o) => removeOwnerRefsPatch(o, owner));
      log.debug('orphaned a dependent', { dependent: dep.name, dependentUid: dep.uid });
    }
    await this.patchMeta(node.resource!, node.object!, (o) => removeFinalizerPatch(o, orphanFinalizer));
    log.info('orphaned the dependents; removed the orphan finalizer');
  }

  /** Foreground propagation, the owner's side: done once no dependent blocks it. */
  private async processDeletingDependents(node: GraphNode, log: Logger): Promise<void> {
    const blocking = this.graph.blockingDependents(node.uid);
    if (blocking.length === 0) {
      await this.patchMeta(node.resource!, node.object!, (o) => removeFinalizerPatch(o, foregroundFinalizer));
      log.info('no blocking dependents left; removed the foregroundDeletion finalizer');
      return;
    }
    // Dependents that wait on their own dependents are already on their way.
    for (const d of blocking) if (!isDeletingDependents(d.object)) this.enqueue({ name: d.uid });
    log.debug('waiting for blocking dependents', { remaining: blocking.length });
  }

  /** A dependent: is any owner still there? */
  private async collect(node: GraphNode, log: Logger): Promise<void> {
    const r = node.resource!;
    // Decide on the object as it is now, not as the cache last saw it.
    let latest: KubeObject;
    try {
      latest = await this.deps.api.get(r, node.namespace, node.name);
    } catch (e) {
      if (e instanceof NotFoundError) return; // its delete event follows
      throw e;
    }
    if (latest.metadata.uid !== node.uid || isBeingDeleted(latest)) return;
    const owners = new Map<string, OwnerState>();
    for (const ref of latest.metadata.ownerReferences ?? []) {
      const resolved = await this.resolver.resolve(latest, ref);
      owners.set(ref.uid, resolved.state);
      if (resolved.invalidNamespace) this.deps.recorder.event(latest, 'Warning', 'OwnerRefInvalidNamespace', resolved.invalidNamespace);
    }
    const dependents = this.graph.dependentsOf(node.uid);
    const plan = planDependent({
      object: latest,
      owners,
      hasDependents: dependents.length > 0,
      dependentDeletingDependents: dependents.some((d) => isDeletingDependents(d.object)),
    });
    await this.carryOut(r, latest, plan, log);
  }

  private async carryOut(r: ResourceDescriptor, obj: KubeObject, plan: Plan, log: Logger): Promise<void> {
    switch (plan.action) {
      case 'keep':
        return;
      case 'removeOwnerRefs': {
        const gone = new Set(plan.ownerUids);
        await this.patchMeta(r, obj, (o) => removeOwnerRefsPatch(o, gone));
        log.info('removed references to owners that are gone or deleting their dependents', { owners: plan.ownerUids });
        return;
      }
      case 'delete': {
        if (plan.unblock.length) {
          const unblock = new Set(plan.unblock);
          await this.patchMeta(r, obj, (o) => unblockOwnerRefsPatch(o, unblock));
        }
        try {
          await this.deps.api.delete(r, obj.metadata.namespace, obj.metadata.name ?? '', { propagationPolicy: plan.policy, preconditions: { uid: obj.metadata.uid ?? '' } });
          log.info('deleted an object whose owners are gone', { policy: plan.policy });
        } catch (e) {
          // Gone already, or replaced by a newer object of the same name: nothing to collect.
          if (e instanceof NotFoundError || e instanceof ConflictError) return;
          throw e;
        }
      }
    }
  }

  /**
   * Applies a guarded patch built from `obj`; when the copy proved stale (a failed test,
   * 422) it is built again from a fresh read. An object that is gone needs nothing.
   */
  private async patchMeta(r: ResourceDescriptor, obj: KubeObject, build: (o: KubeObject) => JsonPatchOp[] | undefined): Promise<void> {
    let current = obj;
    for (let attempt = 0; ; attempt++) {
      const patch = build(current);
      if (!patch) return;
      try {
        await this.deps.api.patch(r, current.metadata.namespace, current.metadata.name ?? '', 'json', patch, { fieldManager });
        return;
      } catch (e) {
        if (e instanceof NotFoundError) return;
        if (!(e instanceof InvalidError || e instanceof ConflictError) || attempt > 0) throw e;
      }
      try {
        current = await this.deps.api.get(r, obj.metadata.namespace, obj.metadata.name ?? '');
      } catch (e) {
        if (e instanceof NotFoundError) return;
        throw e;
      }
      if (current.metadata.uid !== obj.metadata.uid) return;
    }
  }
}

/** The ControllerRegistration the controller manager runs. */
export function garbageCollectorController(deps: GarbageCollectorDeps): ControllerRegistration {
  const gc = new GarbageCollector(deps);
  return {
    name: garbageCollectorName,
    reconciler: gc,
    workers: gc.config.workers,
    watch: (source, enqueue) => gc.watch(source, enqueue),
  };
}
