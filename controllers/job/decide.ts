// One sync's decisions for a job, from a snapshot of it and its pods at `now` (Kubernetes'
// syncJob and manageJob, without the API calls): whether it has failed (a podFailurePolicy
// FailJob rule, back-off limit, deadline) or completed, which pods to create (counts, or indexes for Indexed jobs) and
// which to delete, and when to look again (the deadline, the failure back-off).

import { rankForScaleDown } from '../replicaset/ranking.js';
import { holds, findCondition } from './conditions.js';
import { firstPendingIndexes, podIndex } from './indexes.js';
import { isIndexed } from './tracking.js';
import { conditionTypes, reasons, type Job, type Pod } from './types.js';

/** Kubernetes' MaxPodCreateDeletePerSync. */
export const maxPodChangesPerSync = 500;

export interface Finishing {
  type: 'Failed' | 'Complete';
  reason: string;
  message: string;
}

export const backoffLimitExceeded: Finishing = { type: 'Failed', reason: reasons.backoffLimitExceeded, message: 'Job has reached the specified backoff limit' };
export const deadlineExceeded: Finishing = { type: 'Failed', reason: reasons.deadlineExceeded, message: 'Job was active longer than specified deadline' };
export const completionsReached: Finishing = { type: 'Complete', reason: reasons.completionsReached, message: 'Reached expected number of succeeded pods' };

export interface DecideInput {
  job: Job;
  now: number;
  /** Active pods (not finished, not being deleted). */
  active: readonly Pod[];
  terminating: number;
  /** Successes and failures so far, counted, uncounted and new (Indexed: completed indexes). */
  succeeded: number;
  failed: number;
  /** Indexed jobs: completed indexes, including new ones. */
  completed: ReadonlySet<number>;
  /** Replacements must wait this long for the pod-failure back-off (0: none). */
  backoffRemainingMs: number;
  /** Expectations are met and the job is not being deleted: pods may be created or deleted. */
  canManage: boolean;
  /** A failed pod matched a podFailurePolicy FailJob rule: the condition message (podFailurePolicy.ts). */
  failJobMessage?: string;
}

export interface Decision {
  finishing?: Finishing;
  /** Active pods to delete: on failure they count as failed (finalizers kept), else they are simply removed. */
  remove: { pods: Pod[]; countAsFailed: boolean };
  /** Pods to create: one entry per pod, its index for Indexed jobs. */
  create: (number | undefined)[];
  /** Active pods after the deletions and creations. */
  activeAfter: number;
  /** The Suspended condition to ensure (only when pods were managed this sync). */
  suspended?: boolean;
  requeueAfterMs?: number;
}

const minRequeue = (a: number | undefined, b: number): number => (a === undefined ? b : Math.min(a, b));

/** OnFailure pods restart in place: their containers' restarts count against the back-off limit. */
function pastBackoffLimitOnFailure(job: Job, active: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of active) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Milliseconds left before activeDeadlineSeconds passes; undefined when no deadline runs. */
function deadlineRemainingMs(job: Job, now: number): number | undefined {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = Date.parse(job.status?.startTime ?? '');
  if (deadline === undefined || Number.isNaN(start) || job.spec?.suspend === true) return undefined;
  return start + deadline * 1000 - now;
}

/** Indexed jobs: pods sharing an index with an older pod, or with no valid index, go first. */
function duplicateOrInvalid(active: readonly Pod[], completions: number, completed: ReadonlySet<number>): Pod[] {
  const out: Pod[] = [];
  const seen = new Set<number>();
  const byAge = [...active].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  for (const p of byAge) {
    const ix = podIndex(p, completions);
    if (ix === undefined || seen.has(ix) || completed.has(ix)) out.push(p);
    else seen.add(ix);
  }
  return out;
}

function wantActive(job: Job, active: number, succeeded: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  // A work queue: once one pod succeeded, let the others finish and start no more.
  if (completions === undefined) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

export function decide(input: DecideInput): Decision {
  const { job, now, active, succeeded, failed, completed } = input;
  const spec = job.spec ?? {};
  const status = job.status ?? {};
  let requeueAfterMs: number | undefined;

  // A terminal condition already on its way (written in an earlier sync) stands.
  let finishing: Finishing | undefined;
  const target = findCondition(status.conditions, conditionTypes.failureTarget);
  if (target?.status === 'True') finishing = { type: 'Failed', reason: target.reason ?? '', message: target.message ?? '' };
  else if (holds(status.conditions, conditionTypes.successCriteriaMet)) finishing = completionsReached;
  // A FailJob rule ends the job before backoffLimit or the deadline are looked at.
  if (!finishing && input.failJobMessage !== undefined) finishing = { type: 'Failed', reason: reasons.podFailurePolicy, message: input.failJobMessage };
  if (!finishing) {
    const remaining = deadlineRemainingMs(job, now);
    if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, active)) finishing = backoffLimitExceeded;
    else if (remaining !== undefined && remaining <= 0) finishing = deadlineExceeded;
    else if (remaining !== undefined) requeueAfterMs = remaining;
  }

  if (finishing) {
    return { finishing, remove: { pods: [...active], countAsFailed: finishing.type === 'Failed' }, create: [], activeAfter: 0, requeueAfterMs };
  }

  let remove: Pod[] = [];
  const create: (number | undefined)[] = [];
  let suspended: boolean | undefined;
  if (input.canManage) {
    suspended = spec.suspend === true;
    if (suspended) {
      remove = [...active];
    } else {
      const want = wantActive(job, active.length, succeeded);
      const indexed = isIndexed(job);
      const completions = spec.completions ?? 0;
      if (indexed) remove = duplicateOrInvalid(active, completions, completed);
      const excess = active.length - remove.length - want;
      if (excess > 0) {
        const left = active.filter((p) => !remove.includes(p));
        remove = [...remove, ...rankForScaleDown(left).slice(0, excess)];
      }
      remove = remove.slice(0, maxPodChangesPerSync);
      const terminating = spec.podReplacementPolicy === 'Failed' ? input.terminating : 0;
      const missing = want - (active.length - remove.length) - terminating;
      if (remove.length === 0 && missing > 0) {
        if (input.backoffRemainingMs > 0) {
          requeueAfterMs = minRequeue(requeueAfterMs, input.backoffRemainingMs);
        } else {
          const count = Math.min(missing, maxPodChangesPerSync);
          if (indexed) {
            const running = new Set(active.map((p) => podIndex(p, completions)).filter((ix): ix is number => ix !== undefined));
            create.push(...firstPendingIndexes(new Set(completed), running, count, completions));
          } else {
            for (let i = 0; i < count; i++) create.push(undefined);
          }
        }
      }
    }
  }
  const activeAfter = active.length - remove.length + create.length;
  const complete = spec.completions === undefined ? succeeded > 0 && activeAfter === 0 : succeeded >= spec.completions && activeAfter === 0;
  if (complete) return { finishing: completionsReached, remove: { pods: remove, countAsFailed: false }, create, activeAfter, requeueAfterMs };
  return { remove: { pods: remove, countAsFailed: false }, create, activeAfter, ...(suspended !== undefined ? { suspended } : {}), requeueAfterMs };
}
