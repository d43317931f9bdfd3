// The StatefulSet controller: pods `<set>-<ordinal>` with a stable identity and their own
// claims, created in order and removed in reverse (decide.ts), history as ControllerRevisions
// (revisions.ts, on ../history), claims' owners following the retention policy
// (retention.ts), and the status `kubectl rollout status sts/x` reads.
//
// One sync: claim pods and revisions (adopt matching orphans, release what stopped matching)
// -> revisions (a hash collision only raises status.collisionCount) -> decide on the cache ->
// claim owners, claims, pods -> the status when it changed. Creates and deletes in flight are
// tracked with the ReplicaSet controller's expectations: until the cache shows them, a sync
// only counts.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../common/api/meta.js';
import { controllerOf, controllerRef } from '../../common/api/ownerRefs.js';
import { objectKey, type Informer } from '../../common/client/informer.js';
import { ExpectingControllerBase, type ExpectingControllerDeps } from '../../common/controller/base.js';
import { observeChildren } from '../../common/controller/expectations.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import { controllerKey, enqueueObject } from '../../common/controller/handlers.js';
import { controllerUIDIndex, indexers, namespaceIndex } from '../../common/controller/indexers.js';
import { keyOf, keyString, TerminalError, type InformerSource, type ObjectKey, type ReconcileResult } from '../../common/controller/types.js';
import { AlreadyExistsError, ConflictError, NotFoundError, TimeoutError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { labelSelectorFromObject, type LabelSelector } from '../../common/selectors/labels.js';
import { controllerRevisionsResource } from '../history/types.js';
import { applyHistoryPlan } from '../history/writer.js';
import { claimObjects } from './claim.js';
import { decide, type Creation, type Decision, type Deletion } from './decide.js';
import { isMemberOf } from './identity.js';
import { resolveRevisions } from './revisions.js';
import {
  claimsResource,
  podsResource,
  statefulSetKind,
  statefulSetsResource,
  type ControllerRevision,
  type PersistentVolumeClaim,
  type Pod,
  type StatefulSet,
  type StatefulSetStatus,
} from './types.js';

export const statefulSetControllerName = 'statefulset';

export type StatefulSetControllerOptions = ExpectingControllerDeps;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const nameOf = (o: KubeObject): string => o.metadata.name ?? '';

export class StatefulSetController extends ExpectingControllerBase {
  private sets: Informer<StatefulSet> | undefined;
  private pods: Informer<Pod> | undefined;
  private revisions: Informer<ControllerRevision> | undefined;
  private claims: Informer<PersistentVolumeClaim> | undefined;

  constructor(opts: StatefulSetControllerOptions) {
    super({ name: statefulSetControllerName, defaultWorkers: 5 }, opts);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const sets = (this.sets = source.informer<StatefulSet>(statefulSetsResource, { indexers: indexers(namespaceIndex) }));
    const pods = (this.pods = source.informer<Pod>(podsResource, { indexers: indexers(controllerUIDIndex, namespaceIndex) }));
    const revisions = (this.revisions = source.informer<ControllerRevision>(controllerRevisionsResource, { indexers: indexers(controllerUIDIndex, namespaceIndex) }));
    const claims = (this.claims = source.informer<PersistentVolumeClaim>(claimsResource, { indexers: indexers(namespaceIndex) }));
    const enqueueSet = (set: StatefulSet): void => enqueue(keyOf(set));
    sets.addEventHandler(enqueueObject(enqueue));

    const inNamespace = (o: KubeObject): StatefulSet[] => sets.store.byIndex(namespaceIndex, o.metadata.namespace ?? '');
    const ownerOf = (o: KubeObject): ObjectKey | undefined => controllerKey(o, statefulSetsResource);
    /** The sets that may adopt an orphan: same namespace, matching selector (and name, for a pod). */
    const adopters = (o: KubeObject, pod: boolean): StatefulSet[] =>
      inNamespace(o).filter((set) => {
        if (pod && !isMemberOf(set, o as Pod)) return false;
        try {
          return labelSelectorFromObject(set.spec?.selector).matches(o.metadata.labels);
        } catch {
          return false;
        }
      });
    const touch = (o: KubeObject, pod: boolean, owner = ownerOf(o)): void => {
      if (owner) return enqueue(owner);
      if (!controllerOf(o)) for (const set of adopters(o, pod)) enqueueSet(set);
    };
    pods.addEventHandler(observeChildren<Pod>(this.expectations, ownerOf, (pod, owner) => touch(pod, true, owner)));
    // A changed owner or labels may concern the set it had before.
    pods.addEventHandler({
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion !== pod.metadata.resourceVersion && (!isDeepStrictEqual(controllerOf(old), controllerOf(pod)) || !isDeepStrictEqual(old.metadata.labels, pod.metadata.labels))) touch(old, true);
      },
    });
    revisions.addEventHandler({ onAdd: (r) => touch(r, false), onUpdate: (_old, r) => touch(r, false), onDelete: (r) => touch(r, false) });
    // A claim concerns the sets whose claim names it could be (`<template>-<set>-<ordinal>`).
    const claimChanged = (claim: PersistentVolumeClaim): void => {
      for (const set of inNamespace(claim)) {
        if ((set.spec?.volumeClaimTemplates ?? []).some((t) => nameOf(claim).startsWith(`${t.metadata?.name ?? ''}-${nameOf(set)}-`))) enqueueSet(set);
      }
    };
    claims.addEventHandler({ onAdd: claimChanged, onUpdate: (_old, c) => claimChanged(c), onDelete: claimChanged });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.sets || !this.pods || !this.revisions || !this.claims) throw new Error('the StatefulSet controller reconciled before watch() wired its informers');
    const k = keyString(key);
    const set = this.sets.store.get(k);
    if (!set) {
      this.expectations.forget(k);
      return;
    }
    const log = this.logger.child({ key: k });
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(set.spec?.selector);
    } catch (e) {
      throw new TerminalError(`StatefulSet ${k} has an invalid selector: ${message(e)}`, { cause: e });
    }
    const ns = set.metadata.namespace ?? '';
    const candidates = <T extends KubeObject>(inf: Informer<T>): T[] => inf.store.byIndex(namespaceIndex, ns).filter((o) => !controllerOf(o) || controllerOf(o)!.uid === set.metadata.uid);
    const pods = await this.claim(set, selector, candidates(this.pods), podsResource, (p) => isMemberOf(set, p), log);
    const revisions = await this.claim(set, selector, candidates(this.revisions), controllerRevisionsResource, () => true, log);

    const state = resolveRevisions(set, revisions, pods);
    if (state.collision) {
      // Another revision holds the name the template hashes to: hash again with a new count.
      const collisionCount = (set.status?.collisionCount ?? 0) + 1;
      log.info('revision name collision: raising collisionCount', { collisionCount });
      await this.writeStatus(set, { ...(set.status ?? { replicas: 0 }), collisionCount });
      return;
    }
    const canManage = this.expectations.satisfied(k) && !set.metadata.deletionTimestamp;
    if (canManage) await applyHistoryPlan(this.api, ns, state.plan);

    const claims = new Map(this.claims.store.byIndex(namespaceIndex, ns).map((c) => [nameOf(c), c]));
    const decision = decide({ set, pods, claims, current: state.current, update: state.update, now: this.clock.now(), canManage });
    if (decision.waiting) log.debug('waiting', { why: decision.waiting });
    const errors: unknown[] = [];
    await this.carryOut(k, set, decision, errors);

    const status: StatefulSetStatus = { ...decision.status };
    // As Kubernetes' JSON writes it: these counters are left out at zero.
    for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (status[f] === 0) delete status[f];
    if (set.status?.conditions !== undefined) status.conditions = set.status.conditions;
    if (!isDeepStrictEqual(status, set.status ?? {})) await this.writeStatus(set, status).catch((e: unknown) => errors.push(e));
    if (errors.length) throw errors[0];
    return decision.requeueAfterMs !== undefined ? { requeueAfterMs: decision.requeueAfterMs } : undefined;
  }

  /** Claim owners, then identity labels and restored claims, then deletions, then creations (claims before their pod). */
  private async carryOut(k: string, set: StatefulSet, d: Decision, errors: unknown[]): Promise<void> {
    const before = errors.length;
    await Promise.all(
      d.claimOwners.map(({ claim, ownerReferences }) =>
        this.api
          .patch(claimsResource, claim.metadata.namespace, nameOf(claim), 'merge', { metadata: { ownerReferences, resourceVersion: claim.metadata.resourceVersion } })
          .catch((e: unknown) => {
            if (!(e instanceof NotFoundError)) errors.push(e);
          }),
      ),
    );
    // A scale-down must not delete a pod before its claims say what becomes of them.
    const claimsSettled = errors.length === before;
    await Promise.all(d.restoreClaims.map((c) => this.createClaim(set, c, nameOf(c)).catch((e: unknown) => errors.push(e))));
    await Promise.all(
      d.relabel.map(async ({ pod, labels }) => {
        try {
          await this.api.patch(podsResource, pod.metadata.namespace, nameOf(pod), 'merge', { metadata: { labels, resourceVersion: pod.metadata.resourceVersion } });
          this.events.event(set, 'Normal', 'SuccessfulUpdate', `update Pod ${nameOf(pod)} in StatefulSet ${nameOf(set)} successful`);
        } catch (e) {
          if (!(e instanceof NotFoundError)) errors.push(e);
        }
      }),
    );
    if (claimsSettled) await this.deletePods(k, set, d.delete, errors);
    if (d.create.length) await this.createPods(k, set, d.create, errors);
  }

  private async createClaim(set: StatefulSet, claim: PersistentVolumeClaim, pod: string): Promise<void> {
    try {
      await this.api.create(claimsResource, set.metadata.namespace, claim);
      this.events.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${nameOf(claim)} Pod ${pod} in StatefulSet ${nameOf(set)} success`);
    } catch (e) {
      // Made by an earlier sync whose create the cache has not shown yet.
      if (e instanceof AlreadyExistsError) return;
      if (!(e instanceof NotLeaderError)) this.events.event(set, 'Warning', 'FailedCreate', `create Claim ${nameOf(claim)} for Pod ${pod} in StatefulSet ${nameOf(set)} failed error: ${message(e)}`);
      throw e;
    }
  }

  private async createPods(k: string, set: StatefulSet, creations: Creation[], errors: unknown[]): Promise<void> {
    this.expectations.expectCreations(k, creations.length);
    await Promise.all(
      creations.map(async ({ pod, claims }) => {
        const name = nameOf(pod);
        let claimsMade = false;
        try {
          for (const c of claims) await this.createClaim(set, c, name);
          claimsMade = true;
          await this.api.create<Pod>(podsResource, set.metadata.namespace, pod);
          this.logger.info('created pod', { key: k, pod: name });
          this.events.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${nameOf(set)} successful`);
        } catch (e) {
          // A timed-out create may still happen: the informer (or the expectations' expiry) will tell.
          if (e instanceof TimeoutError) return;
          this.expectations.creationObserved(k);
          // Someone else's pod holds the name (ours would be in the cache: expectations wait for
          // it): no event, as Kubernetes, but try again later.
          if (e instanceof AlreadyExistsError) return void errors.push(e);
          // A failed claim has its own event.
          if (claimsMade && !(e instanceof NotLeaderError)) this.events.event(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${nameOf(set)} failed error: ${message(e)}`);
          errors.push(e);
        }
      }),
    );
  }

  private async deletePods(k: string, set: StatefulSet, deletions: Deletion[], errors: unknown[]): Promise<void> {
    if (!deletions.length) return;
    this.expectations.expectDeletions(
      k,
      deletions.map((d) => objectKey(d.pod)),
    );
    await Promise.all(
      deletions.map(async ({ pod, why }) => {
        const name = nameOf(pod);
        if (why === 'failed') {
          const failed = pod.status?.phase === 'Failed';
          this.events.event(set, 'Warning', failed ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod', `StatefulSet ${set.metadata.namespace ?? ''}/${nameOf(set)} is recreating ${failed ? 'failed' : 'terminated'} Pod ${name}`);
        }
        try {
          await this.api.delete(podsResource, pod.metadata.namespace, name, { preconditions: { uid: pod.metadata.uid } });
          this.logger.info('deleted pod', { key: k, pod: name, why });
          this.events.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in StatefulSet ${nameOf(set)} successful`);
        } catch (e) {
          this.expectations.deletionObserved(k, objectKey(pod));
          // Gone, or a new pod of that name already: nothing left to delete.
          if (e instanceof NotFoundError || e instanceof ConflictError) return;
          if (!(e instanceof NotLeaderError)) this.events.event(set, 'Warning', 'FailedDelete', `delete Pod ${name} in StatefulSet ${nameOf(set)} failed error: ${message(e)}`);
          errors.push(e);
        }
      }),
    );
  }

  /** The set's own objects of one kind; adopts matching orphans and releases what stopped matching. */
  private async claim<T extends KubeObject>(set: StatefulSet, selector: LabelSelector, objects: T[], resource: typeof podsResource, member: (o: T) => boolean, log: Logger): Promise<T[]> {
    const c = claimObjects(set, selector, objects, member);
    const owned = [...c.owned];
    const errors: unknown[] = [];
    for (const o of c.release) {
      try {
        await this.api.patch(resource, o.metadata.namespace, nameOf(o), 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid: set.metadata.uid }], resourceVersion: o.metadata.resourceVersion } });
        log.info('released an object that no longer matches', { kind: resource.kind, name: nameOf(o) });
      } catch (e) {
        if (!(e instanceof NotFoundError)) errors.push(e);
      }
    }
    if (c.adopt.length && (await this.canAdopt(set))) {
      for (const o of c.adopt) {
        try {
          owned.push(
            await this.api.patch<T>(resource, o.metadata.namespace, nameOf(o), 'strategic', {
              metadata: { ownerReferences: [controllerRef(set, statefulSetKind.apiVersion, statefulSetKind.kind)], resourceVersion: o.metadata.resourceVersion },
            }),
          );
          log.info('adopted', { kind: resource.kind, name: nameOf(o) });
        } catch (e) {
          if (!(e instanceof NotFoundError)) errors.push(e);
        }
      }
    }
    if (errors.length) throw errors[0];
    return owned;
  }

  /** The cache may hold a set deleted and made again under the same name: ask the API before adopting. */
  private async canAdopt(set: StatefulSet): Promise<boolean> {
    try {
      const fresh = await this.api.get<StatefulSet>(statefulSetsResource, set.metadata.namespace, nameOf(set));
      return fresh.metadata.uid === set.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /** Writes the status; on a conflict, once more onto the current object (status is ours alone). */
  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    try {
      await this.api.updateStatus<StatefulSet>(statefulSetsResource, { ...set, status });
    } catch (e) {
      if (e instanceof NotFoundError) return;
      if (!(e instanceof ConflictError)) throw e;
      let fresh: StatefulSet;
      try {
        fresh = await this.api.get<StatefulSet>(statefulSetsResource, set.metadata.namespace, nameOf(set));
      } catch (e2) {
        if (e2 instanceof NotFoundError) return;
        throw e2;
      }
      if (fresh.metadata.uid !== set.metadata.uid) return;
      await this.api.updateStatus<StatefulSet>(statefulSetsResource, { ...fresh, status });
    }
  }
}
