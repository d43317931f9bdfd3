// Which of a job's pods are finished and not yet counted, and which may lose the tracking
// finalizer now (Kubernetes' job tracking with finalizers, KEP-2307). A pod's result is
// first written into status.uncountedTerminatedPods (or, for Indexed jobs, completedIndexes),
// then its finalizer is removed, then it moves to the succeeded/failed counters: a
// controller restarting anywhere in between neither loses nor double-counts a pod.

import { podIndex } from './indexes.js';
import { matchPodFailurePolicy } from './podFailurePolicy.js';
import { trackingFinalizer, type Job, type Pod } from './types.js';

export const hasTrackingFinalizer = (p: Pod): boolean => p.metadata.finalizers?.includes(trackingFinalizer) ?? false;
export const isFinishedPod = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** Not finished and not being deleted: the pods that count as active. */
export const isActivePod = (p: Pod): boolean => !isFinishedPod(p) && !p.metadata.deletionTimestamp;
/** Being deleted and not finished: Kubernetes' `terminating` count. */
export const isTerminatingPod = (p: Pod): boolean => !isFinishedPod(p) && !!p.metadata.deletionTimestamp;
export const isReadyPod = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * Whether a pod counts as failed: it failed, or (unless the job replaces only Failed pods)
 * it is being deleted without having succeeded, so orphaned and evicted pods that never
 * reach a phase still count. A job with a podFailurePolicy waits for the phase, whose exit
 * codes and conditions the policy reads (Kubernetes' onlyReplaceFailedPods).
 */
export function isFailedPod(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

export const isIndexed = (job: Job): boolean => job.spec?.completionMode === 'Indexed';

export interface Tracking {
  /** Pods whose success or failure this sync counts for the first time. */
  newSucceeded: Pod[];
  newFailed: Pod[];
  /** Failed pods a podFailurePolicy Ignore rule matched: they lose the finalizer without counting. */
  ignored: Pod[];
  /** Uids to add to uncountedTerminatedPods (Indexed successes go to completedIndexes instead). */
  uncountedSucceeded: string[];
  uncountedFailed: string[];
  /** Indexes that succeeded for the first time (Indexed jobs). */
  newCompletedIndexes: number[];
  /** Pods whose finalizer can be removed once the above is written. */
  removeFinalizer: Pod[];
  /** Uids of pods still holding the finalizer (including removals not yet seen in the cache). */
  withFinalizer: Set<string>;
}

export interface TrackingInput {
  job: Job;
  pods: readonly Pod[];
  /** Uids whose finalizer removal this controller made and its cache has not shown yet. */
  removalsInFlight: ReadonlySet<string>;
  /** The terminal condition the job is heading to, if any: every pod may then lose its finalizer. */
  finishing?: 'Failed' | 'Complete';
  /** Indexed jobs: the indexes already completed. */
  completed: ReadonlySet<number>;
}

export function track(input: TrackingInput): Tracking {
  const { job, pods, removalsInFlight, finishing, completed } = input;
  const status = job.status ?? {};
  const counted = { succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []), failed: new Set(status.uncountedTerminatedPods?.failed ?? []) };
  const indexed = isIndexed(job);
  const completions = job.spec?.completions ?? 0;
  const out: Tracking = { newSucceeded: [], newFailed: [], ignored: [], uncountedSucceeded: [], uncountedFailed: [], newCompletedIndexes: [], removeFinalizer: [], withFinalizer: new Set() };
  const newIndexes = new Set<number>();
  for (const pod of pods) {
    const uid = pod.metadata.uid ?? '';
    if (removalsInFlight.has(uid)) {
      out.withFinalizer.add(uid);
      continue;
    }
    if (!hasTrackingFinalizer(pod)) continue;
    out.withFinalizer.add(uid);
    const failed = isFailedPod(pod, job);
    const canRemove = finishing !== undefined || !!job.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || failed;
    if (!canRemove) continue;
    out.removeFinalizer.push(pod);
    if (pod.status?.phase === 'Succeeded' && !counted.failed.has(uid)) {
      if (indexed) {
        const ix = podIndex(pod, completions);
        if (ix !== undefined && !completed.has(ix) && !newIndexes.has(ix)) {
          newIndexes.add(ix);
          out.newSucceeded.push(pod);
        }
      } else if (!counted.succeeded.has(uid)) {
        out.uncountedSucceeded.push(uid);
        out.newSucceeded.push(pod);
      }
    } else if (failed || finishing === 'Failed') {
      // When the job fails, every pod that did not succeed is a failure.
      if (counted.failed.has(uid)) continue;
      if (indexed && podIndex(pod, completions) === undefined) continue;
      if (!matchPodFailurePolicy(job.spec?.podFailurePolicy, pod).countFailed) {
        out.ignored.push(pod);
        continue;
      }
      out.uncountedFailed.push(uid);
      out.newFailed.push(pod);
    }
  }
  out.newCompletedIndexes = [...newIndexes].sort((a, b) => a - b);
  return out;
}
