import { expect } from 'chai';
import type { Job } from '../job/types.js';
import { historyToPrune, plan, reconcileActive, requeueAfterMs, type Plan } from './decide.js';
import type { CronJob, CronJobSpec, CronJobStatus } from './types.js';

const at = (s: string): number => Date.parse(s);
const created = '2026-01-01T00:00:00Z';

function cronJob(spec: CronJobSpec = {}, status: CronJobStatus = {}, meta: Partial<CronJob['metadata']> = {}): CronJob {
  return { metadata: { name: 'x', namespace: 'ns', uid: 'cj-uid', creationTimestamp: created, ...meta }, spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', ...spec }, status };
}

function job(name: string, opts: { finished?: 'Complete' | 'Failed'; startTime?: string; completionTime?: string } = {}): Job {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}` },
    status: {
      ...(opts.startTime ? { startTime: opts.startTime } : {}),
      ...(opts.completionTime ? { completionTime: opts.completionTime } : {}),
      ...(opts.finished ? { conditions: [{ type: opts.finished, status: 'True' }] } : {}),
    },
  };
}
const ref = (name: string): { kind: string; name: string; namespace: string; uid: string } => ({ kind: 'Job', name, namespace: 'ns', uid: `uid-${name}` });

/** A plan as one line: the action, the run's time, what it replaces, and the events' reasons. */
function summary(p: Plan): string {
  switch (p.action) {
    case 'none':
      return `none (${p.why})`;
    case 'invalid':
      return `invalid ${p.event.reason}`;
    case 'wait':
      return ['wait', ...p.events.map((e) => e.reason)].join(' ');
    case 'run':
      return [`run ${new Date(p.scheduledTime).toISOString().slice(11, 19)}`, ...p.replace.map((r) => `replace ${r.name ?? ''}`), ...p.events.map((e) => e.reason)].join(' ');
  }
}

describe('CronJob decisions', () => {
  const plans: { name: string; cj: CronJob; now: string; want: string; message?: RegExp }[] = [
    { name: 'before the first run: wait', cj: cronJob(), now: '2026-01-01T00:04:59Z', want: 'wait' },
    { name: 'the first run is due', cj: cronJob(), now: '2026-01-01T00:05:00Z', want: 'run 00:05:00' },
    { name: 'a run already made (lastScheduleTime) is not made again', cj: cronJob({}, { lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T00:07:00Z', want: 'wait' },
    { name: 'a run whose Job is active by name is not made again', cj: cronJob({}, { active: [ref('x-29453765')], lastScheduleTime: '2026-01-01T00:00:00Z' }), now: '2026-01-01T00:05:30Z', want: 'wait' },
    { name: 'after an outage: one run, the most recent missed one', cj: cronJob({}, { lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T01:02:00Z', want: 'run 01:00:00' },
    { name: 'a missed run inside startingDeadlineSeconds still runs', cj: cronJob({ startingDeadlineSeconds: 120 }), now: '2026-01-01T00:06:59Z', want: 'run 00:05:00' },
    { name: 'a missed run older than startingDeadlineSeconds is skipped', cj: cronJob({ startingDeadlineSeconds: 60 }), now: '2026-01-01T00:06:01Z', want: 'wait MissSchedule' },
    {
      name: 'MissSchedule when the most recent run is just past the deadline',
      cj: cronJob({ schedule: '* * * * *', startingDeadlineSeconds: 10 }, { lastScheduleTime: '2026-01-01T00:00:00Z' }),
      now: '2026-01-01T00:01:10.500Z',
      want: 'wait MissSchedule',
      message: /^Missed scheduled time to start a job: Thu, 01 Jan 2026 00:01:00 \+0000$/,
    },
    { name: 'exactly 100 missed runs: no warning', cj: cronJob({ schedule: '* * * * *' }), now: '2026-01-01T01:40:00Z', want: 'run 01:40:00' },
    { name: 'more than 100 missed runs: TooManyMissedTimes, and still one run', cj: cronJob({ schedule: '* * * * *' }), now: '2026-01-01T01:41:00Z', want: 'run 01:41:00 TooManyMissedTimes', message: /^too many missed start times: 101\. Set or decrease \.spec\.startingDeadlineSeconds or check clock skew$/ },
    { name: 'a day of missed minutes: the estimate Kubernetes gives', cj: cronJob({ schedule: '* * * * *' }), now: '2026-01-02T00:00:00Z', want: 'run 00:00:00 TooManyMissedTimes', message: /too many missed start times: 1440\./ },
    { name: 'startingDeadlineSeconds bounds the misses counted: no warning', cj: cronJob({ schedule: '* * * * *', startingDeadlineSeconds: 300 }), now: '2026-01-02T00:00:00Z', want: 'run 00:00:00' },
    { name: 'Allow runs beside an active Job', cj: cronJob({}, { active: [ref('x-29453765')], lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T00:10:00Z', want: 'run 00:10:00' },
    { name: 'Forbid skips while a Job is active', cj: cronJob({ concurrencyPolicy: 'Forbid' }, { active: [ref('x-29453765')], lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T00:10:00Z', want: 'wait JobAlreadyActive' },
    { name: 'Forbid runs when nothing is active', cj: cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T00:10:00Z', want: 'run 00:10:00' },
    { name: 'Replace deletes the active Jobs, then runs', cj: cronJob({ concurrencyPolicy: 'Replace' }, { active: [ref('x-29453765')], lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T00:10:00Z', want: 'run 00:10:00 replace x-29453765' },
    { name: 'suspended: nothing', cj: cronJob({ suspend: true }), now: '2026-01-01T00:10:00Z', want: 'none (suspended)' },
    { name: 'being deleted: nothing', cj: cronJob({}, {}, { deletionTimestamp: '2026-01-01T00:09:00Z' }), now: '2026-01-01T00:10:00Z', want: 'none (deleting)' },
    { name: 'a schedule that never fires', cj: cronJob({ schedule: '0 0 30 2 *' }), now: '2026-01-01T00:10:00Z', want: 'invalid UnparseableSchedule' },
    { name: 'an unknown time zone', cj: cronJob({ timeZone: 'Mars/Olympus' }), now: '2026-01-01T00:10:00Z', want: 'invalid UnknownTimeZone' },
    { name: 'in a time zone: 09:00 Tokyo is due at 00:00 UTC', cj: cronJob({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }, {}, { creationTimestamp: '2025-12-31T12:00:00Z' }), now: '2026-01-01T00:00:01Z', want: 'run 00:00:00' },
  ];
  for (const tc of plans) {
    it(`plan: ${tc.name}`, () => {
      const p = plan(tc.cj, at(tc.now));
      expect(summary(p)).to.equal(tc.want);
      if (tc.message) {
        const events = p.action === 'wait' || p.action === 'run' ? p.events : p.action === 'invalid' ? [p.event] : [];
        expect(events.map((e) => e.message).join('\n')).to.match(tc.message);
      }
    });
  }

  const requeues: { name: string; cj: CronJob; now: string; want: number | undefined }[] = [
    { name: 'until the first run, plus 100 ms', cj: cronJob(), now: '2026-01-01T00:01:00Z', want: 4 * 60_000 + 100 },
    { name: 'after a run: until the next', cj: cronJob({}, { lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T00:05:00.200Z', want: 5 * 60_000 - 100 },
    { name: 'a skipped run (Forbid, deadline) does not make it come sooner', cj: cronJob({}, { lastScheduleTime: '2026-01-01T00:05:00Z' }), now: '2026-01-01T00:12:00Z', want: 3 * 60_000 + 100 },
    { name: 'suspended: no timer', cj: cronJob({ suspend: true }), now: '2026-01-01T00:01:00Z', want: undefined },
    { name: 'a schedule that never fires: no timer', cj: cronJob({ schedule: '0 0 30 2 *' }), now: '2026-01-01T00:01:00Z', want: undefined },
  ];
  for (const tc of requeues) it(`requeue: ${tc.name}`, () => expect(requeueAfterMs(tc.cj, at(tc.now))).to.equal(tc.want));

  it('reconcileActive: finished Jobs leave active (SawCompletedJob); the newest completion is lastSuccessfulTime', () => {
    const cj = cronJob({}, { active: [ref('a'), ref('b'), ref('c')], lastSuccessfulTime: '2026-01-01T00:00:30Z' });
    const jobs = [job('a', { finished: 'Complete', completionTime: '2026-01-01T00:06:00Z' }), job('b', { finished: 'Failed' }), job('c'), job('old', { finished: 'Complete', completionTime: '2026-01-01T00:01:00Z' })];
    const r = reconcileActive(cj, jobs, new Set());
    expect(r.status.active).to.deep.equal([ref('c')]);
    expect(r.status.lastSuccessfulTime).to.equal('2026-01-01T00:06:00Z');
    expect(r.events.map((e) => `${e.reason}: ${e.message}`)).to.deep.equal(['SawCompletedJob: Saw completed job: a, condition: Complete', 'SawCompletedJob: Saw completed job: b, condition: Failed']);
    expect(cj.status?.active, 'the cached object is not changed').to.have.length(3);
  });

  it('reconcileActive: an active Job the API no longer has leaves (MissingJob); one only the cache lacks stays', () => {
    const r = reconcileActive(cronJob({}, { active: [ref('gone'), ref('slow')] }), [], new Set(['uid-gone']));
    expect(r.status.active).to.deep.equal([ref('slow')]);
    expect(r.events.map((e) => `${e.reason}: ${e.message}`)).to.deep.equal(['MissingJob: Active job went missing: gone']);
    const empty = reconcileActive(cronJob({}, { active: [ref('gone')] }), [], new Set(['uid-gone']));
    expect(empty.status).to.not.have.property('active');
  });

  it('reconcileActive: an unfinished Job it controls but does not list is reported, not adopted', () => {
    const r = reconcileActive(cronJob(), [job('manual')], new Set());
    expect(r.status.active).to.equal(undefined);
    expect(r.events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).to.deep.equal(['Warning UnexpectedJob: Saw a job that the controller did not create or forgot: manual']);
  });

  const histories: { name: string; spec: CronJobSpec; jobs: Job[]; want: string[] }[] = [
    {
      name: 'the oldest successful beyond the limit, by start time',
      spec: { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 },
      jobs: [job('s3', { finished: 'Complete', startTime: '2026-01-01T00:03:00Z' }), job('s1', { finished: 'Complete', startTime: '2026-01-01T00:01:00Z' }), job('s2', { finished: 'Complete', startTime: '2026-01-01T00:02:00Z' }), job('run', { startTime: '2026-01-01T00:00:00Z' })],
      want: ['s1'],
    },
    {
      name: 'failed and successful counted apart',
      spec: { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 },
      jobs: [job('f1', { finished: 'Failed', startTime: '2026-01-01T00:01:00Z' }), job('f2', { finished: 'Failed', startTime: '2026-01-01T00:02:00Z' }), job('s1', { finished: 'Complete', startTime: '2026-01-01T00:00:00Z' })],
      want: ['f1'],
    },
    { name: 'limit 0 keeps none', spec: { successfulJobsHistoryLimit: 0 }, jobs: [job('s1', { finished: 'Complete' }), job('s2', { finished: 'Complete' })], want: ['s1', 's2'] },
    { name: 'no limits keep everything', spec: {}, jobs: [job('s1', { finished: 'Complete' }), job('f1', { finished: 'Failed' })], want: [] },
    { name: 'a Job without a start time counts as the newest', spec: { failedJobsHistoryLimit: 1 }, jobs: [job('f-none', { finished: 'Failed' }), job('f-old', { finished: 'Failed', startTime: '2026-01-01T00:00:00Z' })], want: ['f-old'] },
    { name: 'active Jobs are never pruned', spec: { successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 }, jobs: [job('a'), job('b')], want: [] },
  ];
  for (const tc of histories) it(`history: ${tc.name}`, () => expect(historyToPrune(cronJob(tc.spec), tc.jobs).map((j) => j.metadata.name)).to.deep.equal(tc.want));
});
