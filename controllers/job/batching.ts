// Which Job events sync at once and which wait for the batch (Kubernetes' syncJobBatchPeriod).
// A Job with many pods hears of every pod's creation, scheduling, start and end, and of its
// own status writes; syncing on each spends the controller on syncs that each move one pod.
// So pod events, and Job updates that leave the spec alone (our own status writes among
// them), queue the Job's key one batch period later: the queue keeps the earliest pending
// time, so everything within one period makes one sync. A new, deleted or re-specified Job
// (generation bumped, or its deletion started) syncs at once: that is a user waiting.

import { isDeepStrictEqual } from 'node:util';
import type { Job } from './types.js';

/** Kubernetes' syncJobBatchPeriod. */
export const defaultSyncBatchPeriodMs = 1000;

/** Whether an update of a Job asks for a sync now rather than with the next batch. */
export function isPromptJobUpdate(old: Job, cur: Job): boolean {
  if (old.metadata.generation !== cur.metadata.generation) return true;
  if ((old.metadata.deletionTimestamp === undefined) !== (cur.metadata.deletionTimestamp === undefined)) return true;
  // The API server bumps generation on spec changes; an object without one (never from the API server) is judged by its spec.
  return cur.metadata.generation === undefined && !isDeepStrictEqual(old.spec, cur.spec);
}
