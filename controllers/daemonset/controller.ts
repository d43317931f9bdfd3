// The DaemonSet controller: one pod per eligible node (eligibility.ts), placed by the
// scheduler through a node-name affinity (podForDaemonSet.ts); pods of nodes that are gone
// or may no longer run them are deleted; a rolling update replaces old pods within
// maxUnavailable, OnDelete waits for users to delete them (decide.ts); history is kept as
// ControllerRevisions (revisions.ts); the status counters make `kubectl rollout status` finish.
//
// One sync: decide on the cached DaemonSet, nodes and pods -> history -> delete/create pods ->
// write the status if it changed.

import { isDeepStrictEqual } from 'node:util';
import { objectKey, type Informer } from '../../common/client/informer.js';
import { ExpectingControllerBase, type ExpectingControllerDeps } from '../../common/controller/base.js';
import { observeChildren } from '../../common/controller/expectations.js';
import { NotLeaderError } from '../../common/controller/fencedApi.js';
import { controllerKey, enqueueObject } from '../../common/controller/handlers.js';
import { controllerUIDIndex, indexers } from '../../common/controller/indexers.js';
import { keyOf, keyString, type InformerSource, type ObjectKey, type ReconcileResult } from '../../common/controller/types.js';
import { NotFoundError, TimeoutError } from '../../common/errors.js';
import { applyHistoryPlan } from '../history/writer.js';
import { decide, type Deletion } from './decide.js';
import { podForDaemonSet, targetNodeOf } from './podForDaemonSet.js';
import { daemonSetHash, planHistory } from './revisions.js';
import {
  controllerRevisionsResource,
  daemonSetsResource,
  nodesResource,
  podsResource,
  templateGenerationAnnotation,
  type ControllerRevision,
  type DaemonSet,
  type DaemonSetStatus,
  type Node,
  type Pod,
} from './types.js';

export const daemonSetControllerName = 'daemonset';

export type DaemonSetControllerOptions = ExpectingControllerDeps;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class DaemonSetController extends ExpectingControllerBase {
  private daemonSets: Informer<DaemonSet> | undefined;
  private pods: Informer<Pod> | undefined;
  private nodes: Informer<Node> | undefined;
  private revisions: Informer<ControllerRevision> | undefined;

  constructor(opts: DaemonSetControllerOptions) {
    super({ name: daemonSetControllerName, defaultWorkers: 2 }, opts);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const daemonSets = (this.daemonSets = source.informer<DaemonSet>(daemonSetsResource));
    const pods = (this.pods = source.informer<Pod>(podsResource, { indexers: indexers(controllerUIDIndex) }));
    const nodes = (this.nodes = source.informer<Node>(nodesResource));
    this.revisions = source.informer<ControllerRevision>(controllerRevisionsResource, { indexers: indexers(controllerUIDIndex) });
    const enqueueDs = (ds: DaemonSet): void => enqueue(keyOf(ds));
    daemonSets.addEventHandler(enqueueObject(enqueue));

    pods.addEventHandler(observeChildren<Pod>(this.expectations, (pod) => controllerKey(pod, daemonSetsResource), (_pod, owner) => owner && enqueue(owner)));
    // Any node change may change where every DaemonSet should run.
    const all = (): void => {
      for (const ds of daemonSets.store.list()) enqueueDs(ds);
    };
    nodes.addEventHandler({
      onAdd: all,
      onUpdate: (old, node) => {
        if (old.metadata.resourceVersion !== node.metadata.resourceVersion && (!isDeepStrictEqual(old.metadata.labels, node.metadata.labels) || !isDeepStrictEqual(old.spec, node.spec))) all();
      },
      onDelete: all,
    });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.daemonSets || !this.pods || !this.nodes || !this.revisions) throw new Error('the DaemonSet controller reconciled before watch() wired its informers');
    const k = keyString(key);
    const ds = this.daemonSets.store.get(k);
    if (!ds) {
      this.expectations.forget(k);
      return;
    }
    const uid = ds.metadata.uid ?? '';
    const pods = this.pods.store.byIndex(controllerUIDIndex, uid);
    const hash = daemonSetHash(ds);
    const canManage = this.expectations.satisfied(k) && !ds.metadata.deletionTimestamp;
    const errors: unknown[] = [];
    // History never holds the daemons back: a failed write is retried (the error is thrown at the end).
    if (canManage) await this.syncHistory(ds, hash, this.revisions.store.byIndex(controllerUIDIndex, uid), pods).catch((e: unknown) => errors.push(e));
    const decision = decide({ ds, nodes: this.nodes.store.list(), pods, hash, now: this.clock.now(), canManage });

    if (decision.delete.length) await this.deletePods(k, ds, decision.delete, errors);
    if (decision.create.length) await this.createPods(k, ds, decision.create, hash, errors);
    const status: DaemonSetStatus = { ...decision.status };
    // As Kubernetes' JSON writes it: the optional counters are left out at zero.
    for (const f of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (status[f] === 0) delete status[f];
    if (ds.status?.conditions !== undefined) status.conditions = ds.status.conditions;
    if (!isDeepStrictEqual(status, ds.status ?? {})) {
      try {
        await this.api.updateStatus<DaemonSet>(daemonSetsResource, { ...ds, status });
      } catch (e) {
        if (!(e instanceof NotFoundError)) errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
    return decision.requeueAfterMs !== undefined ? { requeueAfterMs: decision.requeueAfterMs } : undefined;
  }

  private async syncHistory(ds: DaemonSet, hash: string, revisions: ControllerRevision[], pods: Pod[]): Promise<void> {
    await applyHistoryPlan(this.api, ds.metadata.namespace, planHistory(ds, hash, revisions, pods));
  }

  private async createPods(k: string, ds: DaemonSet, nodes: string[], hash: string, errors: unknown[]): Promise<void> {
    const generation = ds.metadata.annotations?.[templateGenerationAnnotation] ?? '1';
    this.expectations.expectCreations(k, nodes.length);
    this.logger.info('creating daemon pods', { key: k, count: nodes.length });
    await Promise.all(
      nodes.map(async (node) => {
        try {
          const pod = await this.api.create<Pod>(podsResource, ds.metadata.namespace, podForDaemonSet(ds, node, hash, generation));
          this.events.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
        } catch (e) {
          // A timed-out create may still happen: the informer (or the expectations' expiry) will tell.
          if (e instanceof TimeoutError) return;
          this.expectations.creationObserved(k);
          if (!(e instanceof NotLeaderError)) this.events.event(ds, 'Warning', 'FailedCreate', `Error creating: ${message(e)}`);
          errors.push(e);
        }
      }),
    );
  }

  private async deletePods(k: string, ds: DaemonSet, deletions: Deletion[], errors: unknown[]): Promise<void> {
    this.expectations.expectDeletions(
      k,
      deletions.map((d) => objectKey(d.pod)),
    );
    await Promise.all(
      deletions.map(async ({ pod, why }) => {
        const name = pod.metadata.name ?? '';
        if (why === 'failed') this.events.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace ?? ''}/${name} on node ${targetNodeOf(pod) ?? ''}, will try to kill it`);
        try {
          await this.api.delete(podsResource, pod.metadata.namespace, name, { preconditions: { uid: pod.metadata.uid } });
          this.events.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (e) {
          this.expectations.deletionObserved(k, objectKey(pod));
          if (e instanceof NotFoundError) return;
          if (!(e instanceof NotLeaderError)) this.events.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${message(e)}`);
          errors.push(e);
        }
      }),
    );
  }
}
