// Which Job events sync at once and which wait for the batch (Kubernetes' syncJobBatchPeriod).
// A Job with many pods hears of every pod's creation, scheduling, start and end, and of its
// own status writes; syncing on each spends the controller on syncs that each move one pod.
// So pod events, and Job updates that leave the spec alone (our own status writes among
// them), queue the Job's key one batch period later: the queue keeps the earliest pending
// time, so everything within one period makes one sync. A new, deleted or re-specified Job
// (generation bumped, or its deletion started) syncs at once: that is a user waiting.
//
// Off by default: measured with bench/jobs.ts (1,000 completions, parallelism 100, 50 hollow
// nodes, quiet machine), a 1 s batch took 10.6 s to Complete against 8.5 s syncing on every
// event, and 100 ms took 9.0 s, with the same controller-manager and API-server CPU: the
// controller is not what limits a Job here, while waiting for the batch delays each next pod.
// Kubernetes' 1 s (syncJobBatchPeriod) is there for controllers with many churning Jobs.

import { isDeepStrictEqual } from 'node:util';
import type { Job } from './types.js';

/** 0: sync on every event (see above); Kubernetes' syncJobBatchPeriod is 1000. */
export const defaultSyncBatchPeriodMs = 0;

/** Whether an update of a Job asks for a sync now rather than with the next batch. */
export function isPromptJobUpdate(old: Job, cur: Job): boolean {
  if (old.metadata.generation !== cur.metadata.generation) return true;
  if ((old.metadata.deletionTimestamp === undefined) !== (cur.metadata.deletionTimestamp === undefined)) return true;
  // The API server bumps generation on spec changes; an object without one (never from the API server) is judged by its spec.
  return cur.metadata.generation === undefined && !isDeepStrictEqual(old.spec, cur.spec);
}
