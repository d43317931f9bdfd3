// When a finished Job's time is up, as Kubernetes' TTL-after-finished controller reads it:
// `ttlSecondsAfterFinished` after the lastTransitionTime of its Complete or Failed
// condition. A Job without the field, not finished, or already being deleted is not ours.

import type { Job } from '../job/types.js';

export type Expiry =
  | { state: 'not-ours' }
  /** Finished, but its condition carries no time: nothing can be said (Kubernetes logs an error). */
  | { state: 'unknown-finish' }
  | { state: 'alive'; remainingMs: number }
  | { state: 'expired' };

/** The lastTransitionTime (ms) of the True Complete or Failed condition; null when finished without one; undefined when not finished. */
export function finishedAt(job: Job): number | null | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (!c) return undefined;
  const t = c.lastTransitionTime === undefined ? NaN : Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? null : t;
}

export function expiry(job: Job & { spec?: { ttlSecondsAfterFinished?: number } }, now: number): Expiry {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || job.metadata.deletionTimestamp) return { state: 'not-ours' };
  const at = finishedAt(job);
  if (at === undefined) return { state: 'not-ours' };
  if (at === null) return { state: 'unknown-finish' };
  const remainingMs = at + ttl * 1000 - now;
  return remainingMs > 0 ? { state: 'alive', remainingMs } : { state: 'expired' };
}
