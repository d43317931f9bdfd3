// The Deployment controller: turns each Deployment into ReplicaSets, one per pod template,
// and moves replicas between them by the Deployment's strategy. A level-based Reconciler over
// shared informers of Deployments, ReplicaSets and (for Recreate's "old pods gone" check) Pods;
// handlers only enqueue. Every sync reads the caches, takes one step, writes the status.

import { controllerOf, controllerRef } from '../../common/api/ownerRefs.js';
import type { Informer } from '../../common/client/informer.js';
import { ControllerBase, type ControllerDeps } from '../../common/controller/base.js';
import { controllerKey, enqueueMapped, enqueueObject } from '../../common/controller/handlers.js';
import { controllerUIDIndex, indexers, namespaceIndex, orphansByNamespaceIndex } from '../../common/controller/indexers.js';
import { keyString, TerminalError, type InformerSource, type ObjectKey, type ReconcileResult } from '../../common/controller/types.js';
import { labelSelectorFromObject, type LabelSelector } from '../../common/selectors/labels.js';
import { isRollingUpdate } from './fenceposts.js';
import { findNewReplicaSet, findOldReplicaSets } from './replicaSets.js';
import { rolloutRecreate, rolloutRolling, syncScale, syncStatusOnly } from './rollout.js';
import { isScalingEvent } from './scaling.js';
import { pausedConditionStatus } from './status.js';
import { SyncContext } from './syncContext.js';
import { deploymentsResource, podsResource, replicaSetsResource, type Deployment, type Pod, type ReplicaSet } from './types.js';

export const deploymentControllerName = 'deployment';

export type DeploymentControllerOptions = ControllerDeps;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function selectorOf(obj: Deployment | ReplicaSet): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(obj.spec.selector);
  } catch {
    return undefined;
  }
}

const isReplicaSetRef = (ref: { apiVersion: string; kind: string } | undefined): boolean => ref?.kind === 'ReplicaSet' && ref.apiVersion.split('/')[0] === 'apps';

export class DeploymentController extends ControllerBase {
  private deployments: Informer<Deployment> | undefined;
  private replicaSets: Informer<ReplicaSet> | undefined;
  private pods: Informer<Pod> | undefined;

  constructor(opts: DeploymentControllerOptions) {
    super({ name: deploymentControllerName, defaultWorkers: 5 }, opts);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    // Indexes instead of scans of whole caches: a sync reads its own ReplicaSets (and, for
    // Recreate, their pods) and the namespace's orphans, whatever the size of the cluster.
    const deployments = (this.deployments = source.informer<Deployment>(deploymentsResource, { indexers: indexers(namespaceIndex) }));
    const replicaSets = (this.replicaSets = source.informer<ReplicaSet>(replicaSetsResource, { indexers: indexers(controllerUIDIndex, orphansByNamespaceIndex) }));
    this.pods = source.informer<Pod>(podsResource, { indexers: indexers(controllerUIDIndex) });
    deployments.addEventHandler(enqueueObject(enqueue));
    replicaSets.addEventHandler(enqueueMapped<ReplicaSet>(enqueue, (rs) => this.deploymentsFor(rs)));
    // Recreate waits for old pods to be gone: their deletion (or end) is what it waits for.
    const podGone = (pod: Pod): void => {
      const k = this.recreateDeploymentOf(pod);
      if (k) enqueue(k);
    };
    this.pods.addEventHandler({
      onDelete: podGone,
      onUpdate: (old, pod) => {
        const ended = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
        if (ended(pod) && !ended(old)) podGone(pod);
      },
    });
  }

  /** The Deployment controlling a ReplicaSet, or for an orphan every Deployment that selects it. */
  private deploymentsFor(rs: ReplicaSet): ObjectKey[] {
    const owner = controllerKey(rs, deploymentsResource);
    if (owner) return [owner];
    if (controllerOf(rs) || !this.deployments) return [];
    return this.deployments.store
      .byIndex(namespaceIndex, rs.metadata.namespace ?? '')
      .filter((d) => selectorOf(d)?.matches(rs.metadata.labels ?? {}))
      .map((d) => ({ namespace: d.metadata.namespace, name: d.metadata.name ?? '' }));
  }

  private recreateDeploymentOf(pod: Pod): ObjectKey | undefined {
    const ref = controllerOf(pod);
    if (!isReplicaSetRef(ref) || !this.replicaSets || !this.deployments) return undefined;
    const rs = this.replicaSets.store.get(`${pod.metadata.namespace ?? ''}/${ref!.name}`);
    if (!rs || rs.metadata.uid !== ref!.uid) return undefined;
    const k = controllerKey(rs, deploymentsResource);
    const d = k && this.deployments.store.get(keyString(k));
    return d && !isRollingUpdate(d) ? k : undefined;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.deployments || !this.replicaSets || !this.pods) throw new Error('the Deployment controller reconciled before watch() wired its informers');
    const k = keyString(key);
    const cached = this.deployments.store.get(k);
    if (!cached) return;
    const d = structuredClone(cached);
    d.apiVersion ??= 'apps/v1';
    d.kind ??= 'Deployment';
    const log = this.logger.child({ key: k });
    const selector = selectorOf(d);
    if (!selector || (!Object.keys(d.spec.selector?.matchLabels ?? {}).length && !d.spec.selector?.matchExpressions?.length)) {
      // The API server refuses such Deployments; one that got in cannot be fixed by retrying.
      this.events.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      throw new TerminalError(`Deployment ${k} has an empty or invalid selector`);
    }
    const ctx = new SyncContext({ api: this.api, events: this.events, clock: this.clock, logger: log }, d);
    const rsList = await this.claimReplicaSets(ctx, selector);
    if (d.metadata.deletionTimestamp) return syncStatusOnly(ctx, rsList);

    const paused = pausedConditionStatus(ctx.d, ctx.now());
    if (paused) await ctx.writeStatus(paused);
    if (ctx.d.spec.paused) return syncScale(ctx, rsList);
    const newRS = findNewReplicaSet(ctx.d, rsList);
    if (isScalingEvent(ctx.d, [newRS, ...findOldReplicaSets(rsList, newRS)])) return syncScale(ctx, rsList);
    try {
      if (isRollingUpdate(ctx.d)) return await rolloutRolling(ctx, rsList);
      return await rolloutRecreate(ctx, rsList, this.podsOf(ctx.d, rsList));
    } catch (e) {
      log.debug('sync failed', { error: message(e) });
      throw e;
    }
  }

  /** Pods of the Deployment's ReplicaSets (Recreate only). */
  private podsOf(d: Deployment, rsList: readonly ReplicaSet[]): Pod[] {
    return rsList.flatMap((rs) => this.pods!.store.byIndex(controllerUIDIndex, rs.metadata.uid ?? '').filter((p) => p.metadata.namespace === d.metadata.namespace));
  }

  /**
   * The Deployment's ReplicaSets: those it controls, plus matching orphans, which it adopts
   * (unless it is being deleted). ReplicaSets controlled by others are never touched.
   */
  private async claimReplicaSets(ctx: SyncContext, selector: LabelSelector): Promise<ReplicaSet[]> {
    const d = ctx.d;
    const store = this.replicaSets!.store;
    // Owner references never cross namespaces; one that does names another object.
    const out: ReplicaSet[] = store.byIndex(controllerUIDIndex, d.metadata.uid ?? '').filter((rs) => rs.metadata.namespace === d.metadata.namespace).map((rs) => structuredClone(rs));
    if (d.metadata.deletionTimestamp) return out;
    for (const rs of store.byIndex(orphansByNamespaceIndex, d.metadata.namespace ?? '')) {
      if (rs.metadata.deletionTimestamp || !selector.matches(rs.metadata.labels ?? {})) continue;
      const adopted = structuredClone(rs);
      adopted.apiVersion ??= 'apps/v1';
      adopted.kind ??= 'ReplicaSet';
      adopted.metadata.ownerReferences = [...(adopted.metadata.ownerReferences ?? []), controllerRef(d, 'apps/v1', 'Deployment')];
      out.push(await ctx.updateReplicaSet(adopted));
      ctx.deps.logger.info('adopted replica set', { replicaSet: rs.metadata.name });
    }
    return out;
  }
}
