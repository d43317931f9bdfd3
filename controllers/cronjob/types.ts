// The wire shapes the CronJob controller reads and writes, and the names Kubernetes gives
// its events and the annotation it puts on every Job it creates. Timestamps stay RFC 3339.

import type { KubeObject, ObjectMeta } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { JobSpec } from '../job/types.js';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: Pick<ObjectMeta, 'labels' | 'annotations'> & Record<string, unknown>; spec?: JobSpec };
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export interface CronJob extends KubeObject {
  spec?: CronJobSpec;
  status?: CronJobStatus;
}

export const cronJobsResource = resourceFor('CronJob', 'batch');

/** The ownerReference kind and apiVersion of the Jobs a CronJob creates. */
export const cronJobKind = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;

/** The scheduled time (RFC 3339, in the CronJob's time zone) of the run a Job is. */
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** Event reasons, as Kubernetes' cronjob controller (v2) records them. */
export const eventReasons = {
  successfulCreate: 'SuccessfulCreate',
  failedCreate: 'FailedCreate',
  successfulDelete: 'SuccessfulDelete',
  failedDelete: 'FailedDelete',
  sawCompletedJob: 'SawCompletedJob',
  missingJob: 'MissingJob',
  unexpectedJob: 'UnexpectedJob',
  missSchedule: 'MissSchedule',
  jobAlreadyActive: 'JobAlreadyActive',
  tooManyMissedTimes: 'TooManyMissedTimes',
  unparseableSchedule: 'UnparseableSchedule',
  unknownTimeZone: 'UnknownTimeZone',
} as const;

/** Kubernetes warns past this many missed start times since the last run (or the deadline). */
export const maxMissedSchedules = 100;
/** Requeue a little after the next scheduled time, so the sync finds it due. */
export const nextScheduleDeltaMs = 100;
