// `kubectl get jobs` and `kubectl get cronjobs`, with kubectl's columns and cells.

import type { V1CronJob, V1Job, V1JobCondition } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { humanDuration } from '../../common/duration.js';
import { formatLabelSelectorObject } from '../../common/selectors/labels.js';
import { age, ageColumn, as, containerCells, containersColumns, int, nameColumn, nameOf, sinceCell, timeOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import { Since, type TemplateCell } from './timed.js';

const holds = (conditions: V1JobCondition[] | undefined, type: string): boolean => (conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** The STATUS cell: the first of these that applies, in kubectl's order. */
function jobStatus(job: V1Job): string {
  const conditions = job.status?.conditions;
  if (holds(conditions, 'Complete')) return 'Complete';
  if (holds(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (holds(conditions, 'Suspended')) return 'Suspended';
  if (holds(conditions, 'FailureTarget')) return 'FailureTarget';
  if (holds(conditions, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** `succeeded/completions`; a work-queue job (no completions) needs one success, run by `parallelism` pods. */
function completions(job: V1Job): string {
  const succeeded = int(job.status?.succeeded);
  const want = job.spec?.completions;
  if (typeof want === 'number') return `${succeeded}/${int(want)}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** From start to completion, or to now while running (rendered when served); empty before the job started. */
function duration(job: V1Job): TemplateCell {
  const start = timeOf(job.status?.startTime);
  if (start === undefined) return '';
  const end = timeOf(job.status?.completionTime);
  return end === undefined ? new Since(start) : humanDuration(end - start);
}

export const jobPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded, out of the completions wanted.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn,
    ...containersColumns('A label query over pods that should match the pod count.'),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const job = as<V1Job>(obj);
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [nameOf(obj), jobStatus(job), completions(job), duration(job), age(obj), names, images, formatLabelSelectorObject(job.spec?.selector)];
  },
});

/** kubectl's printBoolPtr. */
const boolCell = (v: boolean | undefined): string => (v === undefined ? '<unset>' : v ? 'True' : 'False');

export const cronJobPrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Schedule', 'string', 'The schedule in Cron format.'),
    column('Timezone', 'string', 'The time zone name for the given schedule.'),
    column('Suspend', 'boolean', 'Whether the controller suspends subsequent executions.'),
    column('Active', 'integer', 'Pointers to currently running jobs.'),
    column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    ...containersColumns('A label query over pods that should match the pod count.'),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const cj = as<V1CronJob>(obj);
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime === undefined ? '<none>' : sinceCell(cj.status.lastScheduleTime);
    return [
      nameOf(obj),
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      boolCell(cj.spec?.suspend),
      (cj.status?.active ?? []).length,
      last,
      age(obj),
      names,
      images,
      formatLabelSelectorObject(jobSpec?.selector),
    ];
  },
});
