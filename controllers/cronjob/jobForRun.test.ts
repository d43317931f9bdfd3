import { expect } from 'chai';
import { jobForRun, jobNameFor, rfc1123z, rfc3339InZone } from './jobForRun.js';
import type { CronJob } from './types.js';

describe('the Job of a CronJob run', () => {
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'x', namespace: 'ns', uid: 'u-1' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { metadata: { labels: { app: 'x' }, annotations: { note: 'n' } }, spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } } },
    },
  };

  it('is named after the scheduled time in minutes since the epoch', () => {
    expect(jobNameFor('x', Date.parse('2026-01-01T00:00:00Z'))).to.equal('x-29453760');
    expect(jobNameFor('x', Date.parse('2026-01-01T00:00:59Z'))).to.equal('x-29453760');
  });

  it('carries the template, the controller reference and the scheduled-timestamp annotation', () => {
    const job = jobForRun(cj, Date.parse('2026-01-01T00:01:00Z'));
    expect(job.metadata).to.deep.equal({
      name: 'x-29453761',
      namespace: 'ns',
      labels: { app: 'x' },
      annotations: { note: 'n', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-01-01T00:01:00Z' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'x', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
    });
    expect(job.spec).to.deep.equal({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } });
    job.spec!.backoffLimit = 9;
    expect(cj.spec!.jobTemplate!.spec!.backoffLimit, 'the template is copied, not shared').to.equal(2);
  });

  const zones: { tz: string; at: string; want: string }[] = [
    { tz: 'UTC', at: '2026-01-01T00:00:00Z', want: '2026-01-01T00:00:00Z' },
    { tz: 'Asia/Tokyo', at: '2026-01-01T00:00:00Z', want: '2026-01-01T09:00:00+09:00' },
    { tz: 'America/New_York', at: '2026-07-01T06:30:00Z', want: '2026-07-01T02:30:00-04:00' },
    { tz: 'Asia/Kolkata', at: '2026-01-01T00:00:00Z', want: '2026-01-01T05:30:00+05:30' },
    { tz: 'America/St_Johns', at: '2026-01-01T00:00:00Z', want: '2025-12-31T20:30:00-03:30' },
  ];
  for (const z of zones) it(`the annotation in ${z.tz}: ${z.want}`, () => expect(rfc3339InZone(Date.parse(z.at), z.tz)).to.equal(z.want));

  it('MissSchedule writes times as Go RFC1123Z in UTC', () => expect(rfc1123z(Date.parse('2026-01-01T00:05:00Z'))).to.equal('Thu, 01 Jan 2026 00:05:00 +0000'));
});
