import { expect } from 'chai';
import { parseSchedule, runsBetween, ScheduleError } from './schedule.js';

const at = (s: string): number => Date.parse(s);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString().replace('.000Z', 'Z'));

describe('CronJob schedules', () => {
  const next: { name: string; schedule: string; tz?: string; after: string; want: string | undefined }[] = [
    { name: 'every minute: the next whole minute', schedule: '*/1 * * * *', after: '2026-01-01T00:00:30Z', want: '2026-01-01T00:01:00Z' },
    { name: 'strictly after: a run at the moment itself is not next', schedule: '* * * * *', after: '2026-01-01T00:01:00Z', want: '2026-01-01T00:02:00Z' },
    { name: 'a fraction of a second past a run', schedule: '0 0 * * *', after: '2026-01-01T00:00:00.500Z', want: '2026-01-02T00:00:00Z' },
    { name: '@hourly', schedule: '@hourly', after: '2026-01-01T10:59:59Z', want: '2026-01-01T11:00:00Z' },
    { name: '@daily', schedule: '@daily', after: '2026-01-01T10:00:00Z', want: '2026-01-02T00:00:00Z' },
    { name: '@weekly is Sunday midnight', schedule: '@weekly', after: '2026-01-01T00:00:00Z', want: '2026-01-04T00:00:00Z' },
    { name: '@monthly', schedule: '@monthly', after: '2026-01-15T00:00:00Z', want: '2026-02-01T00:00:00Z' },
    { name: '@yearly', schedule: '@yearly', after: '2026-01-15T00:00:00Z', want: '2027-01-01T00:00:00Z' },
    { name: 'names of days', schedule: '30 6 * * MON-FRI', after: '2026-01-03T00:00:00Z', want: '2026-01-05T06:30:00Z' },
    { name: 'day of month OR day of week when both are given', schedule: '0 0 13 * 5', after: '2026-01-01T00:00:00Z', want: '2026-01-02T00:00:00Z' },
    { name: 'a time zone: 09:00 in Tokyo is 00:00 UTC', schedule: '0 9 * * *', tz: 'Asia/Tokyo', after: '2026-01-01T00:00:00Z', want: '2026-01-02T00:00:00Z' },
    { name: 'a time zone with DST: 02:30 New York in July is 06:30 UTC', schedule: '30 2 * * *', tz: 'America/New_York', after: '2026-07-01T00:00:00Z', want: '2026-07-01T06:30:00Z' },
    { name: '@every 90s counts from the moment, in whole seconds', schedule: '@every 90s', after: '2026-01-01T00:00:10.700Z', want: '2026-01-01T00:01:40Z' },
    { name: '@every 1h30m', schedule: '@every 1h30m', after: '2026-01-01T00:00:00Z', want: '2026-01-01T01:30:00Z' },
    { name: '@every below a second is a second', schedule: '@every 10ms', after: '2026-01-01T00:00:00Z', want: '2026-01-01T00:00:01Z' },
  ];
  for (const tc of next) it(`next: ${tc.name}`, () => expect(iso(parseSchedule(tc.schedule, tc.tz).next(at(tc.after)))).to.equal(tc.want));

  it('a schedule that can never fire (February 30th) is a ScheduleError', () => {
    expect(() => parseSchedule('30 2 30 2 *')).to.throw(ScheduleError, /unparseable schedule "30 2 30 2 \*"/);
  });

  const runs: { name: string; schedule: string; after: string; upTo: string; cap?: number; last: string | undefined; count: number }[] = [
    { name: 'nothing due yet', schedule: '0 * * * *', after: '2026-01-01T00:00:00Z', upTo: '2026-01-01T00:59:59Z', last: undefined, count: 0 },
    { name: 'a run exactly at upTo counts', schedule: '0 * * * *', after: '2026-01-01T00:00:00Z', upTo: '2026-01-01T01:00:00Z', last: '2026-01-01T01:00:00Z', count: 1 },
    { name: 'a run exactly at after does not', schedule: '0 * * * *', after: '2026-01-01T01:00:00Z', upTo: '2026-01-01T01:30:00Z', last: undefined, count: 0 },
    { name: 'five missed runs: the last and how many', schedule: '*/10 * * * *', after: '2026-01-01T00:00:00Z', upTo: '2026-01-01T00:55:00Z', last: '2026-01-01T00:50:00Z', count: 5 },
    { name: 'counting stops at the cap, the last is still the last', schedule: '* * * * *', after: '2026-01-01T00:00:00Z', upTo: '2026-01-02T00:00:00Z', cap: 101, last: '2026-01-02T00:00:00Z', count: 101 },
    { name: '@every: the last of many', schedule: '@every 30s', after: '2026-01-01T00:00:00Z', upTo: '2026-01-01T00:10:15Z', last: '2026-01-01T00:10:00Z', count: 20 },
  ];
  for (const tc of runs) {
    it(`runs between: ${tc.name}`, () => {
      const r = runsBetween(parseSchedule(tc.schedule), at(tc.after), at(tc.upTo), tc.cap ?? 1000);
      expect({ last: iso(r.last), count: r.count }).to.deep.equal({ last: tc.last, count: tc.count });
    });
  }
});
