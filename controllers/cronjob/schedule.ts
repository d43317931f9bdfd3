// A CronJob's schedule as times: the next run after a moment, the last run in a window, and
// how many runs a window holds (capped, so a CronJob that was off for years costs 101 steps,
// not millions). Five-field cron and the descriptors are read by cron-parser in the
// CronJob's timeZone (UTC without one: Kubernetes uses the controller manager's local zone,
// which its container image sets to UTC); `@every <duration>` is robfig/cron's constant
// delay: whole seconds, at least one, counted from the previous run. The API server has
// already refused what Kubernetes refuses (cronSchedule.ts); what it let through but cannot
// fire (30 2 30 2 *: February has no 30th) is a ScheduleError here.

import { CronExpressionParser } from 'cron-parser';

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

export interface Schedule {
  /** The first run strictly after `after` (ms since epoch), or undefined when there is none. */
  next(after: number): number | undefined;
  /** The last run in (after, upTo], or undefined. */
  last(after: number, upTo: number): number | undefined;
}

/** robfig/cron's descriptors as the five fields they stand for. */
const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const goUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for the positive forms cronSchedule.ts lets through, in ms. */
function goDurationMs(d: string): number | undefined {
  const parts = [...d.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== d) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * goUnits[p[2]!]!, 0);
}

export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const s = schedule.trim();
  if (s.startsWith('@every ')) {
    const ms = goDurationMs(s.slice('@every '.length).trim());
    if (ms === undefined) throw new ScheduleError(`unparseable schedule ${JSON.stringify(schedule)}: invalid duration`);
    return everySchedule(Math.max(1000, Math.floor(ms / 1000) * 1000));
  }
  return cronSchedule(descriptors[s] ?? s, schedule, timeZone ?? 'UTC');
}

function everySchedule(delayMs: number): Schedule {
  const next = (after: number): number => Math.floor(after / 1000) * 1000 + delayMs;
  return {
    next,
    last(after, upTo) {
      const first = next(after);
      if (first > upTo) return undefined;
      return first + Math.floor((upTo - first) / delayMs) * delayMs;
    },
  };
}

function cronSchedule(expression: string, original: string, tz: string): Schedule {
  const parse = (at: number): ReturnType<typeof CronExpressionParser.parse> => {
    try {
      return CronExpressionParser.parse(expression, { currentDate: new Date(at), tz });
    } catch (e) {
      throw new ScheduleError(`unparseable schedule ${JSON.stringify(original)}: ${(e as Error).message}`);
    }
  };
  // Parse once now, so a schedule that can never fire is refused before any sync relies on it.
  parse(0);
  const step = (at: number, dir: 'next' | 'prev'): number | undefined => {
    try {
      return parse(at)[dir]().getTime();
    } catch {
      // cron-parser gives up when no matching date exists within its search range.
      return undefined;
    }
  };
  return {
    next: (after) => step(after, 'next'),
    last(after, upTo) {
      // prev() is strictly before its start: start 1 ms past upTo to include upTo itself.
      const t = step(upTo + 1, 'prev');
      return t !== undefined && t > after ? t : undefined;
    },
  };
}

/**
 * The runs in (after, upTo]: the last one and how many, counting at most `cap` (so "more
 * than 100" is known without walking every run of a long outage).
 */
export function runsBetween(schedule: Schedule, after: number, upTo: number, cap: number): { last: number | undefined; count: number } {
  let count = 0;
  for (let t = schedule.next(after); t !== undefined && t <= upTo && count < cap; t = schedule.next(t)) count++;
  return { last: count === 0 ? undefined : schedule.last(after, upTo), count };
}
