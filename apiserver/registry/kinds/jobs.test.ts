import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { cronScheduleProblem, timeZoneProblem } from './cronSchedule.js';
import { cronJobStrategy, jobStrategy } from './jobs.js';

type Obj = Record<string, unknown>;
const template = (restartPolicy: string | null = 'Never', labels?: Record<string, string>): Obj => ({
  ...(labels ? { metadata: { labels } } : {}),
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(restartPolicy ? { restartPolicy } : {}) },
});

/** A Job as the store admits it on create: uid set, prepareForCreate, defaults, validate. */
function admitJob(spec: Obj, meta: Obj = {}): { job: KubeObject; causes: FieldCause[] } {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'u-1', ...meta }, spec: structuredClone(spec) } as KubeObject;
  jobStrategy.prepareForCreate!(job);
  jobStrategy.defaults!(job);
  return { job, causes: jobStrategy.validate!(job) };
}

const fields = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

describe('job strategy: defaults', () => {
  it('a plain job: Kubernetes\' defaults and the generated selector and labels', () => {
    const { job, causes } = admitJob({ template: template() });
    expect(causes).to.deep.equal([]);
    const spec = job.spec as Obj;
    expect(spec).to.include({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' });
    expect(spec.selector).to.deep.equal({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    const labels = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' };
    expect(((spec.template as Obj).metadata as Obj).labels).to.deep.equal(labels);
    expect(job.metadata.labels, 'the job takes its pods\' labels').to.deep.equal(labels);
    expect(job.status).to.deep.equal({});
    // The pod template gets the pod defaults (describe shows them).
    expect((spec.template as { spec: Obj }).spec).to.include({ terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst' });
  });

  const counts: { name: string; spec: Obj; completions: unknown; parallelism: unknown }[] = [
    { name: 'neither set: both 1', spec: {}, completions: 1, parallelism: 1 },
    { name: 'parallelism only: a work queue, completions stay unset', spec: { parallelism: 3 }, completions: undefined, parallelism: 3 },
    { name: 'completions only: parallelism 1', spec: { completions: 5 }, completions: 5, parallelism: 1 },
  ];
  for (const tc of counts) {
    it(`counts: ${tc.name}`, () => {
      const spec = admitJob({ template: template(), ...tc.spec }).job.spec as Obj;
      expect(spec.completions).to.equal(tc.completions);
      expect(spec.parallelism).to.equal(tc.parallelism);
    });
  }

  it('a job with labels of its own keeps them', () => {
    const { job } = admitJob({ template: template('Never', { app: 'x' }) }, { labels: { team: 'a' } });
    expect(job.metadata.labels).to.deep.equal({ team: 'a' });
  });

  it('manualSelector: the client\'s selector is kept and nothing is generated', () => {
    const { job, causes } = admitJob({ manualSelector: true, selector: { matchLabels: { app: 'x' } }, template: template('Never', { app: 'x' }) });
    expect(causes).to.deep.equal([]);
    expect((job.spec as Obj).selector).to.deep.equal({ matchLabels: { app: 'x' } });
    expect((((job.spec as Obj).template as Obj).metadata as Obj).labels).to.deep.equal({ app: 'x' });
  });
});

describe('job strategy: validation', () => {
  const cases: { name: string; spec: Obj; meta?: Obj; want: string[] }[] = [
    { name: 'restartPolicy Always (the pod default) is refused', spec: { template: template(null) }, want: ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'] },
    { name: 'OnFailure is fine', spec: { template: template('OnFailure') }, want: [] },
    { name: 'negative counts', spec: { template: template(), parallelism: -1, completions: -2, backoffLimit: -3, activeDeadlineSeconds: -4 }, want: [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.completions: Invalid value: -2: must be greater than or equal to 0',
      'spec.activeDeadlineSeconds: Invalid value: -4: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -3: must be greater than or equal to 0',
    ] },
    { name: 'Indexed needs completions', spec: { template: template(), completionMode: 'Indexed', parallelism: 2 }, want: ['spec.completions: Required value: when completion mode is Indexed'] },
    { name: 'Indexed with completions', spec: { template: template(), completionMode: 'Indexed', completions: 3 }, want: [] },
    { name: 'Indexed caps completions', spec: { template: template(), completionMode: 'Indexed', completions: 100_001 }, want: ['spec.completions: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed'] },
    { name: 'unknown completion mode', spec: { template: template(), completionMode: 'Sorted' }, want: ['spec.completionMode: Unsupported value: "Sorted": supported values: "NonIndexed", "Indexed"'] },
    { name: 'no containers', spec: { template: { spec: { restartPolicy: 'Never' } } }, want: ['spec.template.spec.containers: Required value'] },
    { name: 'a selector without manualSelector is not the generated one', spec: { selector: { matchLabels: { app: 'x' } }, template: template('Never', { app: 'x' }) }, want: ['spec.selector: Invalid value: {"matchLabels":{"app":"x","batch.kubernetes.io/controller-uid":"u-1"}}: `selector` not auto-generated'] },
    { name: 'another job\'s uid in the template labels', spec: { template: template('Never', { 'controller-uid': 'other' }) }, want: ['spec.template.metadata.labels[controller-uid]: Invalid value: "other": must be \'u-1\''] },
    { name: 'manual selector that misses the template', spec: { manualSelector: true, selector: { matchLabels: { app: 'y' } }, template: template('Never', { app: 'x' }) }, want: ['spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`'] },
    { name: 'manual selector left empty', spec: { manualSelector: true, selector: {}, template: template('Never', { app: 'x' }) }, want: ['spec.selector: Invalid value: {}: empty selector is invalid for job'] },
    { name: 'podFailurePolicy with no rules is accepted (rules are checked in jobPodFailurePolicy.test.ts)', spec: { template: template(), podFailurePolicy: { rules: [] } }, want: [] },
    { name: 'successPolicy is not supported yet', spec: { template: template(), successPolicy: { rules: [] } }, want: ['spec.successPolicy: Forbidden: not supported by this server yet'] },
  ];
  for (const tc of cases) it(tc.name, () => expect(fields(admitJob(tc.spec, tc.meta).causes)).to.deep.equal(tc.want));

  it('updates: selector, completions, completion mode and template are immutable; parallelism and suspend are not', () => {
    const old = admitJob({ template: template(), completions: 3 }).job;
    const ok = structuredClone(old);
    Object.assign(ok.spec as Obj, { parallelism: 5, suspend: true, activeDeadlineSeconds: 60 });
    expect(jobStrategy.validateUpdate!(ok, old)).to.deep.equal([]);
    const bad = structuredClone(old);
    const spec = bad.spec as Obj;
    Object.assign(spec, { completions: 4, completionMode: 'Indexed', selector: { matchLabels: { a: 'b' } } });
    ((spec.template as { spec: { containers: Obj[] } }).spec.containers[0]!).image = 'alpine';
    expect(jobStrategy.validateUpdate!(bad, old).map((c) => c.field)).to.deep.equal(['spec.selector', 'spec.completions', 'spec.completionMode', 'spec.template']);
  });
});

describe('cronjob strategy', () => {
  const admit = (spec: Obj, name = 'nightly'): { cj: KubeObject; causes: FieldCause[] } => {
    const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default', uid: 'u-2' }, spec: structuredClone(spec) } as KubeObject;
    cronJobStrategy.prepareForCreate!(cj);
    cronJobStrategy.defaults!(cj);
    return { cj, causes: cronJobStrategy.validate!(cj) };
  };
  const jobTemplate = { spec: { template: template('OnFailure') } };

  it('defaults: Allow, not suspended, history 3/1, pod defaults in the template', () => {
    const { cj, causes } = admit({ schedule: '*/1 * * * *', jobTemplate });
    expect(causes).to.deep.equal([]);
    expect(cj.spec).to.include({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    const podSpec = (((cj.spec as Obj).jobTemplate as Obj).spec as { template: { spec: Obj } }).template.spec;
    expect(podSpec).to.include({ dnsPolicy: 'ClusterFirst' });
    expect(((cj.spec as Obj).jobTemplate as { spec: Obj }).spec.completions, 'job defaults wait for the job').to.equal(undefined);
  });

  const cases: { name: string; spec: Obj; name_?: string; want: string[] }[] = [
    { name: 'a macro', spec: { schedule: '@hourly', jobTemplate }, want: [] },
    { name: 'a time zone', spec: { schedule: '0 3 * * MON-FRI', timeZone: 'Europe/Paris', jobTemplate }, want: [] },
    { name: 'out of range minute', spec: { schedule: '61 * * * *', jobTemplate }, want: ['spec.schedule: Invalid value: "61 * * * *": Constraint error, got value 61 expected range 0-59'] },
    { name: 'four fields', spec: { schedule: '* * * *', jobTemplate }, want: ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'] },
    { name: 'seconds are not standard cron', spec: { schedule: '0 * * * * *', jobTemplate }, want: ['spec.schedule: Invalid value: "0 * * * * *": expected exactly 5 fields, found 6: [0 * * * * *]'] },
    { name: 'TZ in the schedule', spec: { schedule: 'CRON_TZ=UTC 0 * * * *', jobTemplate }, want: [
      'spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": expected exactly 5 fields, found 6: [CRON_TZ=UTC 0 * * * *]',
      'spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ] },
    { name: 'unknown time zone', spec: { schedule: '@daily', timeZone: 'Mars/Olympus', jobTemplate }, want: ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'] },
    { name: 'bad concurrency policy', spec: { schedule: '@daily', concurrencyPolicy: 'Sometimes', jobTemplate }, want: ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'] },
    { name: 'the job template is checked like a job', spec: { schedule: '@daily', jobTemplate: { spec: { template: template(null) } } }, want: ['spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'] },
    { name: 'name too long for its jobs\' names', name_: 'n'.repeat(53), spec: { schedule: '@daily', jobTemplate }, want: [`metadata.name: Invalid value: "${'n'.repeat(53)}": must be no more than 52 characters`] },
  ];
  for (const tc of cases) it(tc.name, () => expect(fields(admit(tc.spec, tc.name_).causes)).to.deep.equal(tc.want));
});

describe('cron schedules and time zones', () => {
  const schedules: [string, boolean][] = [
    ['*/5 * * * *', true], ['0 0 1 1 *', true], ['@annually', true], ['@midnight', true], ['@every 1h30m', true], ['@every soon', false],
    ['0 0 30 2 *', true], ['0 0 ? * *', true], ['0 0 L * *', false], ['0 0 * * MON#1', false], ['5-1 * * * *', false], ['@sometimes', false], ['', false],
  ];
  for (const [s, ok] of schedules) it(`${JSON.stringify(s)} is ${ok ? 'valid' : 'invalid'}`, () => expect(cronScheduleProblem(s) === undefined).to.equal(ok));
  const zones: [string, boolean][] = [['UTC', true], ['America/New_York', true], ['Local', false], ['Etc/GMT+5', true], ['../etc/passwd', false], ['Nowhere/City', false]];
  for (const [z, ok] of zones) it(`time zone ${z} is ${ok ? 'valid' : 'invalid'}`, () => expect(timeZoneProblem(z) === undefined).to.equal(ok));
});
