// Whether a CronJob's schedule is one Kubernetes takes: standard five-field cron (minute,
// hour, day of month, month, day of week; names like JAN and MON; `*`, ranges, lists, steps
// and `?`) or a descriptor (@yearly, @annually, @monthly, @weekly, @daily, @midnight,
// @hourly, @every <duration>), as robfig/cron's ParseStandard reads it. cron-parser checks
// the ranges; it also reads forms Kubernetes refuses (seconds, L, W, #, four fields), so
// those are refused here first. The time zone is the timeZone field's, never TZ= in the
// schedule.

import { CronExpressionParser } from 'cron-parser';

const descriptors = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
/** Go's time.ParseDuration: one or more number+unit pairs. */
const goDuration = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const fieldChars = /^[0-9A-Za-z*?,/-]+$/;

/** Why `schedule` is not a valid schedule, or undefined when it is. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  if (s === '') return 'empty spec string';
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const d = s.slice('@every '.length).trim();
      return goDuration.test(d) ? undefined : `failed to parse duration ${s}: time: invalid duration "${d}"`;
    }
    return descriptors.has(s) ? undefined : `unrecognized descriptor: ${s}`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (const f of fields) {
    if (!fieldChars.test(f)) return `failed to parse ${JSON.stringify(f)}: unexpected characters`;
    // Quartz extensions cron-parser knows and robfig/cron does not.
    if (/[LW#]/.test(f.replace(/[A-Za-z]{3}/g, (name) => (/^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)$/i.test(name) ? '' : name)))) {
      return `failed to parse ${JSON.stringify(f)}: unsupported syntax`;
    }
  }
  try {
    CronExpressionParser.parse(s, { currentDate: new Date(0), tz: 'UTC' });
  } catch (e) {
    const msg = (e as Error).message;
    // A day that no month has (30 2 ...) is valid syntax; the schedule just never fires.
    if (/day of month/i.test(msg)) return undefined;
    return msg;
  }
  return undefined;
}

/** Why `tz` is not an IANA time zone name, or undefined. */
export function timeZoneProblem(tz: string): string | undefined {
  // "Local" is the machine's zone, which differs between servers: Kubernetes refuses it.
  if (tz === '' || tz === 'Local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  if (!/^[A-Za-z0-9_+\-/]+$/.test(tz)) return `unknown time zone ${tz}`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return `unknown time zone ${tz}`;
  }
  return undefined;
}
