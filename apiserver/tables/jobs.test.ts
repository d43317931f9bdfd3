import { expect } from 'chai';
import { HOUR, MINUTE, NOW, SECOND, ago, make } from './fixtures.js';
import { cronJobPrinter, jobPrinter } from './jobs.js';
import type { TablePrinter } from './types.js';

const headers = (p: TablePrinter, priority: number): string =>
  p.columns
    .filter((c) => c.priority === priority)
    .map((c) => c.name.toUpperCase())
    .join(' ');

describe('job and cronjob columns', () => {
  it('jobs: kubectl\'s columns', () => {
    expect(headers(jobPrinter, 0)).to.equal('NAME STATUS COMPLETIONS DURATION AGE');
    expect(headers(jobPrinter, 1)).to.equal('CONTAINERS IMAGES SELECTOR');
  });
  it('cronjobs: kubectl\'s columns', () => {
    expect(headers(cronJobPrinter, 0)).to.equal('NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE');
    expect(headers(cronJobPrinter, 1)).to.equal('CONTAINERS IMAGES SELECTOR');
  });
});

describe('jobPrinter', () => {
  const template = { spec: { containers: [{ name: 'c', image: 'busybox' }, { name: 'd', image: 'alpine:3' }] } };
  const selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } };
  const cond = (type: string, status = 'True') => ({ type, status });
  const cases: { name: string; spec?: object; status?: object; meta?: Record<string, unknown>; want: unknown[] }[] = [
    {
      name: 'running, not yet started: no duration',
      spec: { completions: 3, parallelism: 1, template, selector },
      want: ['j', 'Running', '0/3', '', '10m', 'c,d', 'busybox,alpine:3', 'batch.kubernetes.io/controller-uid=u1'],
    },
    { name: 'running: duration until now', spec: { completions: 3 }, status: { startTime: ago(90 * SECOND), succeeded: 1 }, want: ['j', 'Running', '1/3', '90s', '10m', '', '', '<none>'] },
    {
      name: 'complete: start to completion',
      spec: { completions: 1 },
      status: { startTime: ago(HOUR), completionTime: ago(HOUR - 5 * MINUTE), succeeded: 1, conditions: [cond('SuccessCriteriaMet'), cond('Complete')] },
      want: ['j', 'Complete', '1/1', '5m', '10m', '', '', '<none>'],
    },
    { name: 'failed', spec: { completions: 1 }, status: { failed: 7, conditions: [cond('FailureTarget'), cond('Failed')] }, want: ['j', 'Failed', '0/1', '', '10m', '', '', '<none>'] },
    { name: 'failure target before failed', spec: { completions: 2 }, status: { conditions: [cond('FailureTarget')] }, want: ['j', 'FailureTarget', '0/2', '', '10m', '', '', '<none>'] },
    { name: 'suspended', spec: { completions: 2 }, status: { conditions: [cond('Suspended')] }, want: ['j', 'Suspended', '0/2', '', '10m', '', '', '<none>'] },
    { name: 'resumed: a False condition does not count', spec: { completions: 2 }, status: { conditions: [cond('Suspended', 'False')] }, want: ['j', 'Running', '0/2', '', '10m', '', '', '<none>'] },
    { name: 'terminating', spec: { completions: 2 }, meta: { deletionTimestamp: ago(0) }, want: ['j', 'Terminating', '0/2', '', '10m', '', '', '<none>'] },
    { name: 'work queue with parallelism', spec: { parallelism: 4 }, want: ['j', 'Running', '0/1 of 4', '', '10m', '', '', '<none>'] },
    { name: 'work queue with one pod', spec: { parallelism: 1 }, want: ['j', 'Running', '0/1', '', '10m', '', '', '<none>'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(jobPrinter.cells(make('Job', 'j', { spec: tc.spec, status: tc.status }, tc.meta), NOW)).to.deep.equal(tc.want));
  }
});

describe('cronJobPrinter', () => {
  const jobTemplate = { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
  const cases: { name: string; spec: object; status?: object; want: unknown[] }[] = [
    { name: 'never scheduled', spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate }, want: ['cj', '*/5 * * * *', '<none>', 'False', 0, '<none>', '10m', 'c', 'busybox', '<none>'] },
    {
      name: 'time zone, suspended, two active jobs',
      spec: { schedule: '@hourly', timeZone: 'Europe/Paris', suspend: true, jobTemplate },
      status: { active: [{ name: 'a' }, { name: 'b' }], lastScheduleTime: ago(3 * MINUTE) },
      want: ['cj', '@hourly', 'Europe/Paris', 'True', 2, '3m', '10m', 'c', 'busybox', '<none>'],
    },
    { name: 'suspend unset', spec: { schedule: '0 0 * * *' }, want: ['cj', '0 0 * * *', '<none>', '<unset>', 0, '<none>', '10m', '', '', '<none>'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(cronJobPrinter.cells(make('CronJob', 'cj', { spec: tc.spec, status: tc.status }), NOW)).to.deep.equal(tc.want));
  }
});
