// pods/eviction: a delete that asks the pod's PodDisruptionBudget first. The budget's status
// (written by the disruption controller) says how many pods may go; an eviction spends one
// of those with a resourceVersion precondition on the budget, so two concurrent evictions
// cannot both take the last allowance, and records the pod in status.disruptedPods so the
// controller does not count it as healthy while it terminates. Before the delete, a pod that
// has not ended gets the DisruptionTarget condition (EvictionByEvictionAPI), which a Job's
// podFailurePolicy can match. Pod-level decisions follow Kubernetes' pkg/registry/core/pod/storage/eviction.go.

import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import { rfc3339 } from '../../../common/clock.js';
import { disruptions, isTerminalPhase, withDisruptionTarget, type PodConditionLike } from '../../../common/api/disruptionTarget.js';
import { ApiError, ConflictError, ForbiddenError } from '../../../common/errors.js';
import { labelSelectorFromObject } from '../../../common/selectors/labels.js';
import type { DeleteOptions } from '../options.js';
import type { ResourceStore } from '../resourceStore.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isObject(v) ? v : {});

/** What an eviction refused by a budget says (Kubernetes' wording, which kubectl drain prints). */
export const violatesBudgetMessage = 'Cannot evict pod as it would violate the pod\'s disruption budget.';
/** Upstream's bound on status.disruptedPods: evictions the controller has not caught up with. */
export const maxDisruptedPods = 2000;
const conflictRetries = 20;

export type EvictionDecision =
  /** Delete without touching a budget. */
  | { action: 'delete'; why: string }
  /** Spend one disruption of this budget, then delete. */
  | { action: 'spend'; pdb: KubeObject };

function podReady(pod: KubeObject): boolean {
  const conditions = obj(pod.status).conditions;
  return Array.isArray(conditions) && conditions.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
}

/** Budgets whose selector selects the pod; in policy/v1 an empty selector selects every pod, a missing one none. */
export function budgetsForPod(pod: KubeObject, pdbs: readonly KubeObject[]): KubeObject[] {
  const labels = pod.metadata.labels ?? {};
  return pdbs.filter((pdb) => {
    const sel = obj(pdb.spec).selector;
    if (!isObject(sel)) return false;
    try {
      return labelSelectorFromObject(sel as Parameters<typeof labelSelectorFromObject>[0]).matches(labels);
    } catch {
      return false;
    }
  });
}

/** Whether and how a pod may be evicted, given the budgets of its namespace. Throws 500 when several budgets select it. */
export function decideEviction(pod: KubeObject, pdbs: readonly KubeObject[]): EvictionDecision {
  const phase = obj(pod.status).phase;
  // A pod that is not running (or already going) takes nothing from any budget.
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending') return { action: 'delete', why: `phase ${String(phase)}` };
  if (pod.metadata.deletionTimestamp) return { action: 'delete', why: 'already being deleted' };
  const matching = budgetsForPod(pod, pdbs);
  if (matching.length === 0) return { action: 'delete', why: 'no budget' };
  if (matching.length > 1) throw new ApiError('InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const pdb = matching[0]!;
  if (!podReady(pod)) {
    const spec = obj(pdb.spec);
    const status = obj(pdb.status);
    if (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { action: 'delete', why: 'unhealthy, AlwaysAllow' };
    const current = Number(status.currentHealthy ?? 0);
    const desired = Number(status.desiredHealthy ?? 0);
    // IfHealthyBudget: an unhealthy pod may go while the budget is met; it counts for nothing.
    if (desired > 0 && current >= desired) return { action: 'delete', why: 'unhealthy, budget healthy' };
  }
  return { action: 'spend', pdb };
}

function tooManyRequests(causeMessage: string): ApiError {
  return new ApiError('TooManyRequests', violatesBudgetMessage, { causes: [{ reason: 'DisruptionBudget', message: causeMessage }] });
}

/** Upstream's checkAndDecrement: the budget with one disruption spent on `podName`, or the refusal. */
export function spendDisruption(pdb: KubeObject, podName: string, now: number): KubeObject {
  const name = pdb.metadata.name ?? '';
  const status = obj(pdb.status);
  if (Number(status.observedGeneration ?? 0) < Number(pdb.metadata.generation ?? 0)) {
    throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = Number(status.disruptionsAllowed ?? 0);
  const ref = { resource: 'poddisruptionbudgets', group: 'policy', name };
  const forbidden = (why: string) => new ForbiddenError(`poddisruptionbudgets.policy "${name}" is forbidden: ${why}`, ref);
  if (allowed < 0) throw forbidden('pdb disruptions allowed is negative');
  const disrupted = obj(status.disruptedPods);
  if (Object.keys(disrupted).length > maxDisruptedPods) throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) {
    throw tooManyRequests(`The disruption budget ${name} needs ${Number(status.desiredHealthy ?? 0)} healthy pods and has ${Number(status.currentHealthy ?? 0)} currently`);
  }
  const out = structuredClone(pdb);
  const next: Obj = { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...disrupted, [podName]: rfc3339(now) } };
  if (allowed - 1 === 0) {
    const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c) => !(isObject(c) && c.type === 'DisruptionAllowed'));
    const was = (Array.isArray(status.conditions) ? status.conditions : []).find((c) => isObject(c) && c.type === 'DisruptionAllowed') as Obj | undefined;
    const changed = !was || was.status !== 'False';
    conditions.push({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: Number(status.observedGeneration ?? 0), lastTransitionTime: changed ? rfc3339(now) : was.lastTransitionTime });
    next.conditions = conditions;
  }
  out.status = next;
  return out;
}

export interface EvictionStores {
  pods: ResourceStore;
  podDisruptionBudgets: ResourceStore;
  now: () => number;
}

/** Evicts pod `name`: checks and spends its budget (retrying on a concurrent spend), then deletes it. */
export async function evictPod(stores: EvictionStores, namespace: string, name: string, opts: DeleteOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const pod = await stores.pods.get(namespace, name);
    const pdbs = (await stores.podDisruptionBudgets.list(namespace)).items;
    const decision = decideEviction(pod, pdbs);
    if (decision.action === 'spend') {
      const spent = spendDisruption(decision.pdb, name, stores.now());
      if (!opts.dryRun) {
        try {
          // spent.metadata.resourceVersion is the budget we read: a precondition, not a retry.
          await stores.podDisruptionBudgets.update(namespace, spent.metadata.name!, spent, {}, 'status');
        } catch (e) {
          if (e instanceof ConflictError && attempt < conflictRetries) {
            await new Promise((r) => setTimeout(r, 10 * attempt));
            continue;
          }
          throw e;
        }
      }
    }
    if (!opts.dryRun) await markDisrupted(stores, namespace, name);
    await stores.pods.delete(namespace, name, opts);
    return;
  }
}

/**
 * Sets DisruptionTarget on a pod that has not ended and is not already going, under the
 * resourceVersion it was read at; a pod its agent changed meanwhile is read again (the budget,
 * already spent, is not asked twice).
 */
async function markDisrupted(stores: EvictionStores, namespace: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const pod = await stores.pods.get(namespace, name);
    const status = obj(pod.status);
    if (isTerminalPhase(status.phase) || pod.metadata.deletionTimestamp) return;
    const conditions = withDisruptionTarget(Array.isArray(status.conditions) ? (status.conditions as PodConditionLike[]) : [], disruptions.evictionApi, stores.now());
    if (!conditions) return;
    try {
      await stores.pods.update(namespace, name, { ...pod, status: { ...status, conditions } }, {}, 'status');
      return;
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= conflictRetries) throw e;
    }
  }
}
