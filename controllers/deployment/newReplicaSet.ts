// Finding or creating the Deployment's new ReplicaSet, and keeping revisions in order. The new
// ReplicaSet is named `<deployment>-<pod-template-hash>`. If that name is taken by a ReplicaSet
// that is not this template's (a hash collision, or someone else's object), the Deployment's
// status.collisionCount goes up and the next try hashes differently.

import { controllerOf, controllerRef } from '../../common/api/ownerRefs.js';
import { AlreadyExistsError } from '../../common/errors.js';
import { getCondition, hasProgressDeadline, newCondition, setCondition } from './conditions.js';
import { maxSurge } from './fenceposts.js';
import { equalIgnoringHash, templateHash } from './hash.js';
import { findNewReplicaSet, findOldReplicaSets } from './replicaSets.js';
import { maxRevision, setNewReplicaSetAnnotations } from './revisions.js';
import { newReplicaSetSize } from './rolling.js';
import type { SyncContext } from './syncContext.js';
import { annotations, conditionTypes, deploymentReplicas, podTemplateHashLabel, reasons, replicaSetsResource, type Deployment, type ReplicaSet } from './types.js';

export interface ReplicaSetsOfDeployment {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The new and old ReplicaSets, with the new one's revision (max of the old + 1), annotations
 * and minReadySeconds brought up to date, and the Deployment's revision annotation following it.
 * With `create`, a missing new ReplicaSet is created.
 */
export async function replicaSetsAndSyncRevision(ctx: SyncContext, rsList: readonly ReplicaSet[], create: boolean): Promise<ReplicaSetsOfDeployment> {
  const existing = findNewReplicaSet(ctx.d, rsList);
  const oldRSs = findOldReplicaSets(rsList, existing);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) return { newRS: await syncExisting(ctx, existing, newRevision), oldRSs };
  if (!create) return { newRS: undefined, oldRSs };
  return { newRS: await createNew(ctx, oldRSs, newRevision), oldRSs };
}

function replicaAnnotations(d: Deployment): { desired: number; max: number } {
  const desired = deploymentReplicas(d);
  return { desired, max: desired + maxSurge(d) };
}

async function syncExisting(ctx: SyncContext, existing: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
  let rs = existing;
  const next = structuredClone(existing);
  const annotationsChanged = setNewReplicaSetAnnotations(ctx.d, next, newRevision, true, replicaAnnotations(ctx.d));
  const minReadyChanged = (next.spec.minReadySeconds ?? 0) !== (ctx.d.spec.minReadySeconds ?? 0);
  if (annotationsChanged || minReadyChanged) {
    if (minReadyChanged) next.spec.minReadySeconds = ctx.d.spec.minReadySeconds ?? 0;
    rs = await ctx.updateReplicaSet(next);
  }
  await ctx.setDeploymentRevision(rs.metadata.annotations?.[annotations.revision]);
  // A Deployment that never had a Progressing condition starts being watched for progress now.
  if (hasProgressDeadline(ctx.d) && !getCondition(ctx.d.status, conditionTypes.progressing)) {
    const status = structuredClone(ctx.d.status ?? {});
    setCondition(status, newCondition(conditionTypes.progressing, 'True', reasons.foundNewRS, `Found new replica set "${rs.metadata.name}"`, ctx.now()));
    await ctx.writeStatus(status);
  }
  return rs;
}

/** The ReplicaSet a Deployment's current template asks for, not yet sized. */
export function buildNewReplicaSet(d: Deployment, hash: string): ReplicaSet {
  const template = structuredClone(d.spec.template ?? {});
  const tmeta = (template.metadata ??= {});
  tmeta.labels = { ...(tmeta.labels ?? {}), [podTemplateHashLabel]: hash };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [podTemplateHashLabel]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...tmeta.labels },
      ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
}

async function createNew(ctx: SyncContext, oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
  const d = ctx.d;
  const rs = buildNewReplicaSet(d, templateHash(d.spec.template, d.status?.collisionCount));
  setNewReplicaSetAnnotations(d, rs, newRevision, false, replicaAnnotations(d));
  const size = newReplicaSetSize(d, oldRSs, rs);
  rs.spec.replicas = size;
  let created: ReplicaSet;
  let alreadyExisted = false;
  try {
    created = await ctx.deps.api.create<ReplicaSet>(replicaSetsResource, rs.metadata.namespace, rs);
  } catch (e) {
    if (e instanceof AlreadyExistsError) {
      // Our own earlier create, not yet in the cache? Then it is ours and has this template.
      const found = await ctx.deps.api.get<ReplicaSet>(replicaSetsResource, rs.metadata.namespace, rs.metadata.name ?? '');
      if (controllerOf(found)?.uid === d.metadata.uid && equalIgnoringHash(found.spec.template, d.spec.template)) {
        created = found;
        alreadyExisted = true;
      } else {
        const status = structuredClone(d.status ?? {});
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        await ctx.writeStatus(status);
        ctx.deps.logger.info('pod-template-hash collision; bumped collisionCount', { replicaSet: rs.metadata.name, collisionCount: status.collisionCount });
        throw e;
      }
    } else {
      const msg = `Failed to create new replica set "${rs.metadata.name}": ${message(e)}`;
      if (hasProgressDeadline(d)) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition(conditionTypes.progressing, 'False', reasons.failedRSCreate, msg, ctx.now()));
        await ctx.writeStatus(status).catch(() => undefined);
      }
      ctx.deps.events.event(ctx.d, 'Warning', reasons.failedRSCreate, msg);
      throw e;
    }
  }
  if (!alreadyExisted && size > 0) ctx.deps.events.event(ctx.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${size}`);
  await ctx.setDeploymentRevision(created.metadata.annotations?.[annotations.revision] ?? String(newRevision));
  if (!alreadyExisted && hasProgressDeadline(ctx.d)) {
    const status = structuredClone(ctx.d.status ?? {});
    setCondition(status, newCondition(conditionTypes.progressing, 'True', reasons.newRSCreated, `Created new replica set "${created.metadata.name}"`, ctx.now()));
    await ctx.writeStatus(status);
  }
  return created;
}
