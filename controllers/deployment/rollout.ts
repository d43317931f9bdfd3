// The four ways a sync can go, as in Kubernetes' deployment controller: a rolling update step,
// a Recreate step, a scaling event (or a paused Deployment: sizes and history only, no rollout),
// and status only (a Deployment being deleted). Each ends by writing the status and says when
// to look again for the progress deadline.

import { deploymentComplete, getCondition, requeueForDeadline } from './conditions.js';
import { replicaSetsAndSyncRevision } from './newReplicaSet.js';
import { oldPodsRunning } from './recreate.js';
import { activeReplicaSets } from './replicaSets.js';
import { replicaSetsToCleanUp, revisionOf } from './revisions.js';
import { autoRollbackEnabled, autoRollbackTarget, rollbackTo, wasAvailable } from './rollback.js';
import { newReplicaSetSize, planOldReplicaSetsScaleDown } from './rolling.js';
import { planScale } from './scaling.js';
import { calculateStatus, rolloutStatus } from './status.js';
import type { SyncContext } from './syncContext.js';
import { conditionTypes, deploymentReplicas, deploymentsResource, reasons, rsReplicas, wasAvailableLabel, type Deployment, type Pod, type ReplicaSet } from './types.js';

export interface SyncOutcome {
  requeueAfterMs?: number;
}

function replace(list: ReplicaSet[], rs: ReplicaSet): ReplicaSet[] {
  return list.map((r) => (r.metadata.name === rs.metadata.name ? rs : r));
}

async function cleanup(ctx: SyncContext, oldRSs: readonly ReplicaSet[]): Promise<void> {
  for (const rs of replicaSetsToCleanUp(ctx.d, oldRSs)) await ctx.deleteReplicaSet(rs);
}

export async function rolloutRolling(ctx: SyncContext, rsList: readonly ReplicaSet[]): Promise<SyncOutcome> {
  const { newRS: found, oldRSs: olds } = await replicaSetsAndSyncRevision(ctx, rsList, true);
  let newRS = found;
  let oldRSs = olds;
  const desired = deploymentReplicas(ctx.d);
  const statusBefore = ctx.d.status ?? {};

  // Grow (or, after a scale-down of the Deployment, shrink) the new ReplicaSet.
  if (newRS && rsReplicas(newRS) !== desired) {
    const size = rsReplicas(newRS) > desired ? desired : newReplicaSetSize(ctx.d, [...oldRSs, newRS], newRS);
    const r = await ctx.scaleForRollout(newRS, size);
    newRS = r.rs;
    if (r.scaled) return syncRolloutStatus(ctx, newRS, oldRSs);
  }

  // Shrink old ReplicaSets as far as availability allows.
  const plan = planOldReplicaSetsScaleDown(ctx.d, newRS, activeReplicaSets(oldRSs));
  for (const [name, size] of plan.sizes) {
    const rs = oldRSs.find((r) => r.metadata.name === name);
    if (!rs) continue;
    oldRSs = replace(oldRSs, (await ctx.scaleForRollout(rs, size)).rs);
  }
  if (plan.removed > 0) return syncRolloutStatus(ctx, newRS, oldRSs);

  if (deploymentComplete(ctx.d, statusBefore)) await cleanup(ctx, oldRSs);
  return syncRolloutStatus(ctx, newRS, oldRSs);
}

export async function rolloutRecreate(ctx: SyncContext, rsList: readonly ReplicaSet[], pods: readonly Pod[]): Promise<SyncOutcome> {
  let { newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, rsList, false);
  const statusBefore = ctx.d.status ?? {};

  // Every old pod goes first.
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    const r = await ctx.scaleForRollout(rs, 0);
    oldRSs = replace(oldRSs, r.rs);
    scaledDown ||= r.scaled;
  }
  if (scaledDown) return syncRolloutStatus(ctx, newRS, oldRSs);
  // ... and is gone, terminating ones included, before a new one starts.
  if (oldPodsRunning(newRS, oldRSs, pods)) return syncRolloutStatus(ctx, newRS, oldRSs);

  if (!newRS) ({ newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, rsList, true));
  if (newRS) newRS = (await ctx.scaleForRollout(newRS, deploymentReplicas(ctx.d))).rs;
  if (deploymentComplete(ctx.d, statusBefore)) await cleanup(ctx, oldRSs);
  return syncRolloutStatus(ctx, newRS, oldRSs);
}

/** A scaling event, or a paused Deployment: sizes (proportionally during a rollout) and history. */
export async function syncScale(ctx: SyncContext, rsList: readonly ReplicaSet[]): Promise<SyncOutcome> {
  let { newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, rsList, false);
  const sizes = planScale(ctx.d, newRS, oldRSs);
  for (const rs of [newRS, ...oldRSs]) {
    const size = rs && sizes.get(rs.metadata.name ?? '');
    if (!rs || size === undefined) continue;
    const stored = (await ctx.scaleReplicaSet(rs, size)).rs;
    if (rs === newRS) newRS = stored;
    else oldRSs = replace(oldRSs, stored);
  }
  if (ctx.d.spec.paused) await cleanup(ctx, oldRSs);
  await ctx.writeStatus(calculateStatus(ctx.d, [...oldRSs, newRS], newRS, ctx.now()));
  return {};
}

export async function syncStatusOnly(ctx: SyncContext, rsList: readonly ReplicaSet[]): Promise<SyncOutcome> {
  const { newRS, oldRSs } = await replicaSetsAndSyncRevision(ctx, rsList, false);
  await ctx.writeStatus(calculateStatus(ctx.d, [...oldRSs, newRS], newRS, ctx.now()));
  return {};
}

/**
 * Writes the rollout's status, remembers a completed revision (Gantry's was-available label),
 * and, for Deployments that opted in, rolls a rollout that exceeded its deadline back.
 */
async function syncRolloutStatus(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<SyncOutcome> {
  const now = ctx.now();
  const all = [...oldRSs, newRS];
  const next = rolloutStatus(ctx.d, all, newRS, now);
  if (newRS && deploymentComplete(ctx.d, next) && !wasAvailable(newRS)) {
    const labelled = structuredClone(newRS);
    labelled.metadata.labels = { ...(labelled.metadata.labels ?? {}), [wasAvailableLabel]: 'true' };
    newRS = await ctx.updateReplicaSet(labelled);
  }
  await ctx.writeStatus(next);
  if (getCondition(next, conditionTypes.progressing)?.reason === reasons.timedOut && autoRollbackEnabled(ctx.d)) {
    const target = autoRollbackTarget(newRS, oldRSs);
    if (target && newRS) {
      await autoRollback(ctx, newRS, target);
      return {};
    }
  }
  const after = requeueForDeadline(ctx.d, next, now);
  return after !== undefined ? { requeueAfterMs: after } : {};
}

async function autoRollback(ctx: SyncContext, failing: ReplicaSet, target: ReplicaSet): Promise<void> {
  const { template, annotations } = rollbackTo(ctx.d, target);
  const next = structuredClone(ctx.d);
  next.spec.template = template;
  next.metadata.annotations = annotations;
  ctx.d = await ctx.deps.api.update<Deployment>(deploymentsResource, next);
  const msg =
    `Rolled back to revision ${revisionOf(target)} (replica set ${target.metadata.name}), the last revision that became available: ` +
    `the rollout of revision ${revisionOf(failing)} (replica set ${failing.metadata.name}) made no progress for ${ctx.d.spec.progressDeadlineSeconds}s (ProgressDeadlineExceeded)`;
  ctx.deps.events.event(ctx.d, 'Warning', 'AutomaticRollback', msg);
  ctx.deps.logger.info('automatic rollback', { from: revisionOf(failing), to: revisionOf(target), replicaSet: target.metadata.name });
}
