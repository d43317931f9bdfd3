// The ReplicaSet controller: keeps `spec.replicas` active pods matching a set's selector,
// each carrying the set's controller reference. A level-based Reconciler over two shared
// informers (ReplicaSets, Pods): a sync claims pods (adopts matching orphans, releases owned
// pods that stopped matching), creates the missing ones in slow-start batches or deletes the
// least valuable extras, and writes the status. Expectations keep it from acting twice on
// a cache that has not yet seen its own writes.

import { isDeepStrictEqual } from 'node:util';
import { controllerOf, controllerRef } from '../../common/api/ownerRefs.js';
import { objectKey, type Informer } from '../../common/client/informer.js';
import { ExpectingControllerBase, type ExpectingControllerDeps } from '../../common/controller/base.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import { enqueueObject } from '../../common/controller/handlers.js';
import { keyOf, keyString, TerminalError, type InformerSource, type ObjectKey, type ReconcileResult } from '../../common/controller/types.js';
import { ConflictError, NotFoundError, TimeoutError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { labelSelectorFromObject, type LabelSelector } from '../../common/selectors/labels.js';
import { PodIndex } from './podIndex.js';
import { isPodActive } from './podState.js';
import { podFromTemplate } from './podTemplate.js';
import { rankForScaleDown } from './ranking.js';
import { slowStartBatch } from './slowStart.js';
import { computeStatus, nextAvailabilityCheckMs, statusChanged, type ManageFailure } from './status.js';
import { podsResource, replicaSetKind, replicaSetsResource, type Pod, type ReplicaSet } from './types.js';

export const replicaSetControllerName = 'replicaset';

/** Kubernetes' burstReplicas: at most this many creations or deletions per sync. */
export const defaultBurstReplicas = 500;

export interface ReplicaSetControllerOptions extends ExpectingControllerDeps {
  burstReplicas?: number;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isReplicaSetRef(ref: { apiVersion: string; kind: string } | undefined): boolean {
  return ref !== undefined && ref.kind === replicaSetKind.kind && ref.apiVersion.split('/')[0] === 'apps';
}

export class ReplicaSetController extends ExpectingControllerBase {
  private readonly burst: number;
  private readonly podIndex = new PodIndex();
  private sets: Informer<ReplicaSet> | undefined;
  private pods: Informer<Pod> | undefined;

  constructor(opts: ReplicaSetControllerOptions) {
    super({ name: replicaSetControllerName, defaultWorkers: 5 }, opts);
    this.burst = opts.burstReplicas ?? defaultBurstReplicas;
  }

  /**
   * Wires the informers. Besides enqueueing, the pod handlers tick off expectations and keep
   * the namespace index: both must see every event, which only the handlers do (as in
   * client-go's ReplicaSet controller).
   */
  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const sets = (this.sets = source.informer<ReplicaSet>(replicaSetsResource));
    const pods = (this.pods = source.informer<Pod>(podsResource));
    const enqueueSet = (rs: ReplicaSet): void => enqueue(keyOf(rs));
    sets.addEventHandler(enqueueObject(enqueue));

    const owner = (pod: Pod): ReplicaSet | undefined => {
      const ref = controllerOf(pod);
      if (!isReplicaSetRef(ref)) return undefined;
      const rs = sets.store.get(`${pod.metadata.namespace ?? ''}/${ref!.name}`);
      return rs && rs.metadata.uid === ref!.uid ? rs : undefined;
    };
    const matchingSets = (pod: Pod): ReplicaSet[] =>
      sets.store.list().filter((rs) => {
        if (rs.metadata.namespace !== pod.metadata.namespace) return false;
        try {
          return labelSelectorFromObject(rs.spec?.selector).matches(pod.metadata.labels);
        } catch {
          return false;
        }
      });
    const podGone = (pod: Pod): void => {
      const rs = owner(pod);
      if (!rs) return;
      this.expectations.deletionObserved(objectKey(rs), objectKey(pod));
      enqueueSet(rs);
    };

    pods.addEventHandler({
      onAdd: (pod) => {
        this.podIndex.add(pod);
        // After a restart a pod may first show up already terminating.
        if (pod.metadata.deletionTimestamp) return podGone(pod);
        const rs = owner(pod);
        if (rs) {
          this.expectations.creationObserved(objectKey(rs));
          return enqueueSet(rs);
        }
        // Someone else's pod: not ours to look at. An orphan: whoever matches may adopt it.
        if (controllerOf(pod)) return;
        for (const m of matchingSets(pod)) enqueueSet(m);
      },
      onUpdate: (old, pod) => {
        this.podIndex.update(old, pod);
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const labelsChanged = !isDeepStrictEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
        if (pod.metadata.deletionTimestamp) {
          podGone(pod);
          if (labelsChanged) podGone(old);
          return;
        }
        const refChanged = !isDeepStrictEqual(controllerOf(old), controllerOf(pod));
        if (refChanged) {
          const was = owner(old);
          if (was) enqueueSet(was);
        }
        const rs = owner(pod);
        if (rs) return enqueueSet(rs);
        if (controllerOf(pod)) return;
        if (labelsChanged || refChanged) for (const m of matchingSets(pod)) enqueueSet(m);
      },
      onDelete: (pod) => {
        this.podIndex.remove(pod);
        podGone(pod);
      },
    });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.sets || !this.pods) throw new Error('the ReplicaSet controller reconciled before watch() wired its informers');
    const k = keyString(key);
    const rs = this.sets.store.get(k);
    if (!rs) {
      this.expectations.forget(k);
      return;
    }
    const log = this.logger.child({ key: k });
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(rs.spec?.selector);
    } catch (e) {
      // The API server validates selectors; one that does not compile cannot be fixed by retrying.
      throw new TerminalError(`ReplicaSet ${k} has an invalid selector: ${message(e)}`, { cause: e });
    }
    const needsSync = this.expectations.satisfied(k) && !rs.metadata.deletionTimestamp;
    const active = this.podIndex
      .candidates(rs.metadata.uid ?? '', key.namespace ?? '')
      .map((pk) => this.pods!.store.get(pk))
      .filter((p): p is Pod => p !== undefined && isPodActive(p));
    const pods = await this.claimPods(rs, selector, active, log);

    let failure: ManageFailure | undefined;
    let manageError: unknown;
    if (needsSync) ({ failure, error: manageError } = await this.manageReplicas(rs, pods, log));
    else log.debug('waiting for expectations', { pending: this.expectations.pending(k) });

    const now = this.clock.now();
    const next = computeStatus(rs, pods, failure, now);
    if (statusChanged(rs.status, next)) await this.writeStatus(rs, next);
    if (manageError !== undefined) throw manageError;
    const after = nextAvailabilityCheckMs(rs, pods, now);
    return after !== undefined ? { requeueAfterMs: after } : undefined;
  }

  /**
   * The set's pods: those it controls that still match, plus matching orphans it adopts.
   * Pods it controls that no longer match are released (their controller reference removed).
   */
  private async claimPods(rs: ReplicaSet, selector: LabelSelector, pods: Pod[], log: Logger): Promise<Pod[]> {
    const owned: Pod[] = [];
    const errors: unknown[] = [];
    let adoptable: boolean | undefined;
    const deleting = !!rs.metadata.deletionTimestamp;
    for (const pod of pods) {
      const ref = controllerOf(pod);
      const matches = selector.matches(pod.metadata.labels);
      if (ref) {
        if (ref.uid !== rs.metadata.uid) continue;
        if (matches) {
          owned.push(pod);
          continue;
        }
        if (deleting) continue;
        await this.release(rs, pod, log).catch((e: unknown) => errors.push(e));
        continue;
      }
      if (!matches || deleting || pod.metadata.deletionTimestamp) continue;
      // The cache may hold a set that was deleted and re-created under the same name: ask the API once.
      adoptable ??= await this.canAdopt(rs);
      if (!adoptable) continue;
      try {
        owned.push(await this.adopt(rs, pod, log));
      } catch (e) {
        if (!(e instanceof NotFoundError)) errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
    return owned;
  }

  private async canAdopt(rs: ReplicaSet): Promise<boolean> {
    try {
      const fresh = await this.api.get<ReplicaSet>(replicaSetsResource, rs.metadata.namespace, rs.metadata.name ?? '');
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /** A strategic-merge patch adding our reference; the resourceVersion makes it fail if the pod changed meanwhile. */
  private async adopt(rs: ReplicaSet, pod: Pod, log: Logger): Promise<Pod> {
    const ref = controllerRef(rs, replicaSetKind.apiVersion, replicaSetKind.kind);
    const patched = await this.api.patch<Pod>(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', {
      metadata: { ownerReferences: [ref], resourceVersion: pod.metadata.resourceVersion },
    });
    log.info('adopted pod', { pod: pod.metadata.name });
    return patched;
  }

  private async release(rs: ReplicaSet, pod: Pod, log: Logger): Promise<void> {
    try {
      await this.api.patch(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', {
        metadata: { ownerReferences: [{ $patch: 'delete', uid: rs.metadata.uid }], resourceVersion: pod.metadata.resourceVersion },
      });
      log.info('released pod that no longer matches the selector', { pod: pod.metadata.name });
    } catch (e) {
      // Gone already: nothing left to release.
      if (!(e instanceof NotFoundError)) throw e;
    }
  }

  private async manageReplicas(rs: ReplicaSet, pods: Pod[], log: Logger): Promise<{ failure?: ManageFailure; error?: unknown }> {
    const k = objectKey(rs);
    const want = rs.spec?.replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) {
      const count = Math.min(-diff, this.burst);
      this.expectations.expectCreations(k, count);
      log.info('creating pods', { want, have: pods.length, count });
      const result = await slowStartBatch(count, 1, () => this.createPod(rs));
      // Failed and skipped creations will never show up in the informer.
      this.expectations.creationObserved(k, count - result.successes);
      if (result.errors.length) {
        if (result.skipped) log.info('slow start skipped creations after a failure', { skipped: result.skipped });
        return { failure: { reason: 'FailedCreate', message: message(result.errors[0]) }, error: result.errors[0] };
      }
      return {};
    }
    if (diff > 0) {
      const count = Math.min(diff, this.burst);
      const victims = rankForScaleDown(pods).slice(0, count);
      this.expectations.expectDeletions(k, victims.map((p) => objectKey(p)));
      log.info('deleting pods', { want, have: pods.length, count });
      const results = await Promise.allSettled(victims.map((p) => this.deletePod(rs, p)));
      const errors: unknown[] = [];
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        // The pod's deletion will not be observed: stop waiting for it.
        this.expectations.deletionObserved(k, objectKey(victims[i]!));
        errors.push(r.reason);
      });
      if (errors.length) return { failure: { reason: 'FailedDelete', message: message(errors[0]) }, error: errors[0] };
    }
    return {};
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    try {
      const pod = await this.api.create<Pod>(podsResource, rs.metadata.namespace, podFromTemplate(rs));
      this.events.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
    } catch (e) {
      // A timed-out create may still happen; the informer will tell (or the expectations expire).
      if (e instanceof TimeoutError) return;
      // A deposed leader's refusal is not the template's fault: no event for it.
      if (e instanceof NotLeaderError) throw e;
      this.events.event(rs, 'Warning', 'FailedCreate', `Error creating: ${message(e)}`);
      throw e;
    }
  }

  private async deletePod(rs: ReplicaSet, pod: Pod): Promise<void> {
    const name = pod.metadata.name ?? '';
    try {
      await this.api.delete(podsResource, pod.metadata.namespace, name, { preconditions: { uid: pod.metadata.uid } });
      this.events.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (e) {
      if (e instanceof NotFoundError) {
        this.expectations.deletionObserved(objectKey(rs), objectKey(pod));
        return;
      }
      if (e instanceof NotLeaderError) throw e;
      this.events.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${message(e)}`);
      throw e;
    }
  }

  /** Writes the status; on a conflict, once more onto the current object (status is ours alone). */
  private async writeStatus(rs: ReplicaSet, status: ReplicaSet['status']): Promise<void> {
    try {
      await this.api.updateStatus<ReplicaSet>(replicaSetsResource, { ...rs, status });
    } catch (e) {
      if (e instanceof NotFoundError) return;
      if (!(e instanceof ConflictError)) throw e;
      let fresh: ReplicaSet;
      try {
        fresh = await this.api.get<ReplicaSet>(replicaSetsResource, rs.metadata.namespace, rs.metadata.name ?? '');
      } catch (e2) {
        if (e2 instanceof NotFoundError) return;
        throw e2;
      }
      if (fresh.metadata.uid !== rs.metadata.uid) return;
      await this.api.updateStatus<ReplicaSet>(replicaSetsResource, { ...fresh, status });
    }
  }
}
