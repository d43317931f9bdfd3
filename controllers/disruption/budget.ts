// The arithmetic of a PodDisruptionBudget's status, as Kubernetes' disruption controller
// does it: how many pods are expected, how many must stay healthy, how many are, and so how
// many may be disrupted now. Pure: the controller hands in the pods and their expected count.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { rfc3339 } from '../../common/clock.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isObject(v) ? v : {});

/** How long an evicted pod may take to get its deletionTimestamp before it counts again (upstream DeletionTimeout). */
export const deletionTimeoutMs = 2 * 60_000;

/** An IntOrString against a total, percentages rounded up (upstream GetScaledValueFromIntOrPercent(.., true)). */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: ${JSON.stringify(v)}`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

export interface BudgetInput {
  pdb: KubeObject;
  /** The pods the budget's selector selects. */
  pods: KubeObject[];
  /** The sum of the scales of the pods' controllers (needed for maxUnavailable and a percentage minAvailable). */
  expectedScale: () => number;
  now: number;
}

export interface BudgetOutcome {
  status: Obj;
  /** When an entry of disruptedPods expires and the budget should be counted again. */
  recheckAt?: number;
}

function podReady(pod: KubeObject): boolean {
  const conditions = obj(pod.status).conditions;
  return Array.isArray(conditions) && conditions.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
}

/** disruptedPods entries still waiting for their pod's deletion; those older than the timeout are dropped. */
export function pendingDisruptions(pdb: KubeObject, pods: KubeObject[], now: number): { disrupted: Record<string, string>; recheckAt?: number } {
  const recorded = obj(obj(pdb.status).disruptedPods);
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = recorded[pod.metadata.name ?? ''];
    if (typeof at !== 'string') continue;
    const expires = Date.parse(at) + deletionTimeoutMs;
    if (!(expires > now)) continue;
    disrupted[pod.metadata.name!] = at;
    recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
  }
  return recheckAt === undefined ? { disrupted } : { disrupted, recheckAt };
}

/** Healthy: Ready, not being deleted, and not evicted a moment ago. */
export function countHealthy(pods: KubeObject[], disrupted: Record<string, string>): number {
  return pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && podReady(p)).length;
}

/** expectedPods and desiredHealthy from the spec (upstream getExpectedPodCount). */
export function expectations(spec: Obj, pods: KubeObject[], expectedScale: () => number): { expected: number; desired: number } {
  const maxUnavailable = spec.maxUnavailable as number | string | undefined | null;
  const minAvailable = spec.minAvailable as number | string | undefined | null;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expected = expectedScale();
    return { expected, desired: Math.max(0, expected - scaledValue(maxUnavailable, expected)) };
  }
  if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable };
  if (typeof minAvailable === 'string') {
    const expected = expectedScale();
    return { expected, desired: scaledValue(minAvailable, expected) };
  }
  return { expected: 0, desired: 0 };
}

function condition(previous: unknown, status: 'True' | 'False', reason: string, message: string, observedGeneration: number, now: number): Obj {
  const was = (Array.isArray(previous) ? previous : []).find((c) => isObject(c) && c.type === 'DisruptionAllowed') as Obj | undefined;
  const lastTransitionTime = was && was.status === status && typeof was.lastTransitionTime === 'string' ? was.lastTransitionTime : rfc3339(now);
  return { type: 'DisruptionAllowed', status, observedGeneration, lastTransitionTime, reason, message };
}

/** The budget's next status; throws when the expected count cannot be known (the controller then fails safe). */
export function budgetStatus(input: BudgetInput): BudgetOutcome {
  const { pdb, pods, now } = input;
  const { expected, desired } = expectations(obj(pdb.spec), pods, input.expectedScale);
  const pending = pendingDisruptions(pdb, pods, now);
  const healthy = countHealthy(pods, pending.disrupted);
  const allowed = Math.max(0, healthy - desired);
  const generation = Number(pdb.metadata.generation ?? 0);
  const status: Obj = {
    observedGeneration: generation,
    ...(Object.keys(pending.disrupted).length ? { disruptedPods: pending.disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    conditions: [allowed > 0 ? condition(obj(pdb.status).conditions, 'True', 'SufficientPods', '', generation, now) : condition(obj(pdb.status).conditions, 'False', 'InsufficientPods', '', generation, now)],
  };
  return pending.recheckAt === undefined ? { status } : { status, recheckAt: pending.recheckAt };
}

/** What upstream's failSafe writes when the budget cannot be computed: no disruptions, SyncFailed. */
export function failSafeStatus(pdb: KubeObject, message: string, now: number): Obj {
  const previous = obj(pdb.status);
  const observed = Number(previous.observedGeneration ?? 0);
  return { ...previous, disruptionsAllowed: 0, conditions: [condition(previous.conditions, 'False', 'SyncFailed', message, observed, now)] };
}
