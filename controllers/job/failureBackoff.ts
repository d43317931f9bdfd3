// How long a job waits before replacing failed pods: 10 s after the first failure since the
// last success, doubling per further failure up to 6 minutes (Kubernetes' pod failure
// back-off), counted from when the last failed pod finished. One record per job, kept in
// memory as Kubernetes does: after a controller restart replacements start at once.

import { backoffDelay, type BackoffPolicy } from '../../common/backoff.js';
import type { Pod } from './types.js';

export const podFailureBackoff: BackoffPolicy = { initialMs: 10_000, maxMs: 6 * 60_000 };

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** Epoch ms when the last counted failure finished. */
  lastFailureMs?: number;
}

const emptyRecord: BackoffRecord = { failuresAfterLastSuccess: 0 };

/** When a pod finished: its containers' last finish, else its deletion or creation time, else `now`. */
export function finishedAt(pod: Pod, now: number): number {
  let last: number | undefined;
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && (last === undefined || t > last)) last = t;
  }
  if (last !== undefined) return last;
  for (const ts of [pod.metadata.deletionTimestamp, pod.metadata.creationTimestamp]) {
    const t = Date.parse(ts ?? '');
    if (!Number.isNaN(t)) return t;
  }
  return now;
}

/**
 * The record after this sync's newly counted pods: a success resets the count, and only
 * failures that finished after the last new success count again.
 */
export function nextRecord(prev: BackoffRecord | undefined, newSucceeded: Pod[], newFailed: Pod[], now: number): BackoffRecord {
  const rec = prev ?? emptyRecord;
  const failedTimes = newFailed.map((p) => finishedAt(p, now)).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return rec;
    return { failuresAfterLastSuccess: rec.failuresAfterLastSuccess + failedTimes.length, lastFailureMs: failedTimes[failedTimes.length - 1]! };
  }
  const lastSuccess = Math.max(...newSucceeded.map((p) => finishedAt(p, now)));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return after.length === 0 ? { failuresAfterLastSuccess: 0 } : { failuresAfterLastSuccess: after.length, lastFailureMs: after[after.length - 1]! };
}

/** How long replacements must still wait at `now` (0: create now). */
export function remainingBackoffMs(rec: BackoffRecord | undefined, now: number, policy: BackoffPolicy = podFailureBackoff): number {
  if (!rec || rec.failuresAfterLastSuccess === 0 || rec.lastFailureMs === undefined) return 0;
  const delay = backoffDelay(policy, rec.failuresAfterLastSuccess - 1);
  return Math.max(0, rec.lastFailureMs + delay - now);
}
