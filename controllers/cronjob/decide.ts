// One sync's decisions at an injected time, as Kubernetes' cronjob controller (v2) makes
// them, without I/O so tables can test them:
//   reconcileActive  which Jobs left status.active (finished, gone), lastSuccessfulTime
//   plan             whether a run is due now: none (suspended, being deleted), invalid
//                    (schedule or zone), wait (nothing due, too late, already done, Forbid),
//                    or run (after deleting the active Jobs under Replace)
//   requeueAfterMs   when the next run is due
//   historyToPrune   the oldest finished Jobs beyond the history limits
// After an outage only the most recent missed run is made (never one per miss), and only
// when it is younger than startingDeadlineSeconds.

import { findCondition } from '../job/conditions.js';
import type { Job } from '../job/types.js';
import { jobNameFor, rfc1123z } from './jobForRun.js';
import { parseSchedule, runsBetween, ScheduleError, type Schedule } from './schedule.js';
import { eventReasons, maxMissedSchedules, nextScheduleDeltaMs, type CronJob, type CronJobStatus, type ObjectReference } from './types.js';

export interface EventNote {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** `Complete` or `Failed` once the Job has finished (the condition is True), else undefined. */
export function finishedAs(job: Job): 'Complete' | 'Failed' | undefined {
  for (const type of ['Complete', 'Failed'] as const) if (findCondition(job.status?.conditions, type)?.status === 'True') return type;
  return undefined;
}

const time = (s: string | undefined): number | undefined => (s === undefined ? undefined : Date.parse(s));

/**
 * The status after looking at the CronJob's Jobs (those it controls, from the cache):
 * finished ones leave `active` (SawCompletedJob), active ones that are `missing` from the API
 * leave it too (MissingJob); the newest completionTime of a Complete one is lastSuccessfulTime.
 * An unfinished Job it controls but does not list is only reported (UnexpectedJob), as
 * Kubernetes does: its run is recorded when the controller tries to create it again.
 */
export function reconcileActive(cj: CronJob, jobs: readonly Job[], missing: ReadonlySet<string>): { status: CronJobStatus; events: EventNote[] } {
  const status: CronJobStatus = structuredClone(cj.status ?? {});
  const events: EventNote[] = [];
  let active = [...(status.active ?? [])];
  const listed = (uid: string | undefined): boolean => active.some((r) => r.uid === uid);
  for (const job of jobs) {
    const finished = finishedAs(job);
    const name = job.metadata.name ?? '';
    if (!listed(job.metadata.uid) && finished === undefined) {
      events.push({ type: 'Warning', reason: eventReasons.unexpectedJob, message: `Saw a job that the controller did not create or forgot: ${name}` });
    } else if (listed(job.metadata.uid) && finished !== undefined) {
      active = active.filter((r) => r.uid !== job.metadata.uid);
      events.push({ type: 'Normal', reason: eventReasons.sawCompletedJob, message: `Saw completed job: ${name}, condition: ${finished}` });
    }
    const completed = time(job.status?.completionTime);
    if (finished === 'Complete' && completed !== undefined && (status.lastSuccessfulTime === undefined || completed > time(status.lastSuccessfulTime)!)) {
      status.lastSuccessfulTime = job.status!.completionTime;
    }
  }
  const seen = new Set(jobs.map((j) => j.metadata.uid));
  for (const ref of active.filter((r) => !seen.has(r.uid) && missing.has(r.uid ?? ''))) {
    active = active.filter((r) => r !== ref);
    events.push({ type: 'Normal', reason: eventReasons.missingJob, message: `Active job went missing: ${ref.name ?? ''}` });
  }
  if (active.length) status.active = active;
  else delete status.active;
  return { status, events };
}

export type Plan =
  | { action: 'none'; why: 'deleting' | 'suspended' }
  | { action: 'invalid'; event: EventNote }
  | { action: 'wait'; events: EventNote[] }
  | { action: 'run'; scheduledTime: number; replace: ObjectReference[]; events: EventNote[] };

/** The CronJob's schedule, or the Warning that says why it has none. */
export function scheduleOf(cj: CronJob): Schedule | EventNote {
  const tz = cj.spec?.timeZone;
  if (tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch (e) {
      return { type: 'Warning', reason: eventReasons.unknownTimeZone, message: `invalid timeZone: ${JSON.stringify(tz)}: ${(e as Error).message}` };
    }
  }
  try {
    return parseSchedule(cj.spec?.schedule ?? '', tz);
  } catch (e) {
    const why = e instanceof ScheduleError ? e.message : String(e);
    return { type: 'Warning', reason: eventReasons.unparseableSchedule, message: `unparseable schedule: ${JSON.stringify(cj.spec?.schedule ?? '')} : ${why}` };
  }
}

interface Runs {
  /** No run before this counts: the last run, else the creation; with the deadline, no earlier than now minus it. */
  earliest: number;
  mostRecent: number | undefined;
  /** Runs in (earliest, now], exact up to maxMissedSchedules + 1, estimated beyond as Kubernetes does. */
  missed: number;
}

function runs(cj: CronJob, now: number, schedule: Schedule, withDeadline: boolean): Runs {
  let earliest = time(cj.status?.lastScheduleTime) ?? time(cj.metadata.creationTimestamp) ?? now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (withDeadline && deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000);
  const { last, count } = runsBetween(schedule, earliest, now, maxMissedSchedules + 1);
  let missed = count;
  if (count > maxMissedSchedules) {
    // Kubernetes' estimate: the time since the first miss over the gap between two runs.
    const t1 = schedule.next(earliest)!;
    const gap = Math.max(1000, (schedule.next(t1) ?? t1 + 1000) - t1);
    missed = Math.floor((now - t1) / gap) + 1;
  }
  return { earliest, mostRecent: last, missed };
}

export function plan(cj: CronJob, now: number): Plan {
  if (cj.metadata.deletionTimestamp) return { action: 'none', why: 'deleting' };
  if (cj.spec?.suspend === true) return { action: 'none', why: 'suspended' };
  const schedule = scheduleOf(cj);
  if (!('next' in schedule)) return { action: 'invalid', event: schedule };
  const events: EventNote[] = [];
  // The misses counted for the warning start at the deadline, as Kubernetes counts them; the
  // run considered is the most recent since the last one, so a run skipped for the deadline
  // is reported (MissSchedule) rather than silently never seen.
  const { missed } = runs(cj, now, schedule, true);
  const { mostRecent } = runs(cj, now, schedule, false);
  if (missed > maxMissedSchedules) {
    events.push({ type: 'Warning', reason: eventReasons.tooManyMissedTimes, message: `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew` });
  }
  if (mostRecent === undefined) return { action: 'wait', events };
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline !== undefined && mostRecent + deadline * 1000 < now) {
    events.push({ type: 'Warning', reason: eventReasons.missSchedule, message: `Missed scheduled time to start a job: ${rfc1123z(mostRecent)}` });
    return { action: 'wait', events };
  }
  const active = cj.status?.active ?? [];
  const name = jobNameFor(cj.metadata.name ?? '', mostRecent);
  if (active.some((r) => r.name === name) || time(cj.status?.lastScheduleTime) === mostRecent) return { action: 'wait', events };
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    events.push({ type: 'Normal', reason: eventReasons.jobAlreadyActive, message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return { action: 'wait', events };
  }
  return { action: 'run', scheduledTime: mostRecent, replace: policy === 'Replace' ? [...active] : [], events };
}

/** How long until the run after the most recent one (plus a little), or undefined when none will come. */
export function requeueAfterMs(cj: CronJob, now: number): number | undefined {
  if (cj.metadata.deletionTimestamp || cj.spec?.suspend === true) return undefined;
  const schedule = scheduleOf(cj);
  if (!('next' in schedule)) return undefined;
  const { earliest, mostRecent } = runs(cj, now, schedule, false);
  const next = schedule.next(mostRecent ?? earliest);
  return next === undefined ? undefined : Math.max(0, next + nextScheduleDeltaMs - now);
}

/** Kubernetes' order: by startTime (jobs without one last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const [x, y] = [time(a.status?.startTime), time(b.status?.startTime)];
  if (x === undefined && y !== undefined) return 1;
  if (x !== undefined && y === undefined) return -1;
  if (x === y) return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  return x! - y!;
}

/** The oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit (an unset limit keeps all). */
export function historyToPrune(cj: CronJob, jobs: readonly Job[]): Job[] {
  const out: Job[] = [];
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit, Failed: cj.spec?.failedJobsHistoryLimit };
  for (const kind of ['Complete', 'Failed'] as const) {
    const limit = limits[kind];
    if (limit === undefined) continue;
    const finished = jobs.filter((j) => finishedAs(j) === kind && !j.metadata.deletionTimestamp).sort(byStartTime);
    out.push(...finished.slice(0, Math.max(0, finished.length - limit)));
  }
  return out;
}
