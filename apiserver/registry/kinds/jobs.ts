// batch/v1 Jobs and CronJobs: server-side defaults as Kubernetes sets them, the selector a
// Job gets when it names none (the controller-uid labels of Kubernetes 1.27+), and the
// checks in jobValidation.ts and cronSchedule.ts.

import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';
import type { Strategy } from '../strategy.js';
import { cronScheduleProblem, timeZoneProblem } from './cronSchedule.js';
import { defaultPodFailurePolicy } from './jobPodFailurePolicy.js';
import { jobLabels, validateJob, validateJobSpec, validateJobUpdate } from './jobValidation.js';
import { defaultPodTemplate } from './podDefaults.js';

type Obj = Record<string, unknown>;

const specOf = (o: KubeObject | Obj): Obj => (isObject(o.spec) ? o.spec : (o.spec = {}));

/** What SetDefaults_Job does to a Job's spec (and to the job's own labels). */
function defaultJob(job: KubeObject): void {
  const spec = specOf(job);
  // A non-parallel job may leave both unset: both become 1. Completions alone unset means
  // "until one pod succeeds" (a work queue), so it stays unset.
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  // A podFailurePolicy reads a failed pod's exit codes: its pods are replaced only once Failed.
  defaultPodFailurePolicy(spec);
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  defaultPodTemplate(spec.template);
  // A job without labels of its own takes its pods' (so `get jobs -l job-name=x` works).
  const templateLabels = isObject(spec.template) && isObject(spec.template.metadata) ? spec.template.metadata.labels : undefined;
  if (isObject(templateLabels) && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...(templateLabels as Record<string, string>) };
}

/**
 * Kubernetes' generateSelector: the pods get the job's name and uid as labels (both the
 * batch.kubernetes.io/ and the legacy spelling), and the selector picks the uid, which
 * only this job's pods carry. Labels the client set are left alone (a conflicting one is
 * refused by validation).
 */
function generateSelector(job: KubeObject): void {
  const spec = specOf(job);
  const template = isObject(spec.template) ? spec.template : (spec.template = {});
  const meta = isObject(template.metadata) ? template.metadata : (template.metadata = {});
  const labels = (isObject(meta.labels) ? meta.labels : (meta.labels = {})) as Record<string, string>;
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  labels[jobLabels.legacyJobName] ??= name;
  labels[jobLabels.jobName] ??= name;
  labels[jobLabels.legacyControllerUid] ??= uid;
  labels[jobLabels.controllerUid] ??= uid;
  const selector = isObject(spec.selector) ? spec.selector : (spec.selector = {});
  const matchLabels = (isObject(selector.matchLabels) ? selector.matchLabels : (selector.matchLabels = {})) as Record<string, string>;
  matchLabels[jobLabels.controllerUid] ??= uid;
}

export const jobStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults: defaultJob,
  prepareForCreate(job) {
    job.status = {};
    // Kubernetes defaults while decoding, before any check: a condition pattern without a
    // status (required by the schema) is `True` by then.
    defaultPodFailurePolicy(specOf(job));
    if (specOf(job).manualSelector !== true) generateSelector(job);
  },
  prepareForUpdate(job) {
    defaultPodFailurePolicy(specOf(job));
  },
  validate: validateJob,
  validateUpdate: validateJobUpdate,
};

const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'] as const;
/** A CronJob's jobs are named `<cronjob>-<minutes since epoch>` (11 characters) and must stay 63-character labels. */
const maxCronJobNameLength = 52;

function defaultCronJob(cj: KubeObject): void {
  const spec = specOf(cj);
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobTemplate = isObject(spec.jobTemplate) ? spec.jobTemplate : undefined;
  // Only the pod template inside is defaulted: the Job's own defaults apply when the job is made.
  if (jobTemplate && isObject(jobTemplate.spec)) defaultPodTemplate(jobTemplate.spec.template);
}

function validateCronJob(cj: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const name = cj.metadata.name ?? '';
  if (name.length > maxCronJobNameLength) out.push(fe.invalid('metadata.name', name, `must be no more than ${maxCronJobNameLength} characters`));
  const spec = specOf(cj);
  if (typeof spec.schedule === 'string') {
    const problem = cronScheduleProblem(spec.schedule);
    if (problem) out.push(fe.invalid('spec.schedule', spec.schedule, problem));
    if (spec.schedule.includes('TZ')) out.push(fe.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  if (typeof spec.timeZone === 'string') {
    const problem = timeZoneProblem(spec.timeZone);
    if (problem) out.push(fe.invalid('spec.timeZone', spec.timeZone, problem));
  }
  const policy = spec.concurrencyPolicy;
  if (!(concurrencyPolicies as readonly unknown[]).includes(policy)) out.push(fe.notSupported('spec.concurrencyPolicy', policy ?? '', concurrencyPolicies));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    const v = spec[f];
    if (typeof v === 'number' && v < 0) out.push(fe.invalid(`spec.${f}`, v, 'must be greater than or equal to 0'));
  }
  const jobTemplate = isObject(spec.jobTemplate) ? spec.jobTemplate : undefined;
  if (!jobTemplate || !isObject(jobTemplate.spec)) out.push(fe.required('spec.jobTemplate.spec'));
  else out.push(...validateJobSpec(jobTemplate.spec, 'spec.jobTemplate.spec'));
  return out;
}

export const cronJobStrategy: Strategy = {
  hasStatus: true,
  tracksGeneration: true,
  defaults: defaultCronJob,
  prepareForCreate(cj) {
    cj.status = {};
  },
  validate: validateCronJob,
};
