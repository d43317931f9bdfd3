// The Job one scheduled run of a CronJob is: named `<cronjob>-<scheduled time in minutes
// since epoch>`, so the same run always has the same name and a controller restarted between
// creating it and writing the CronJob's status gets AlreadyExists instead of a second run;
// the jobTemplate's labels, annotations and spec; the CronJob as controller owner; and the
// scheduled time as Kubernetes annotates it (RFC 3339 in the CronJob's time zone).

import { controllerRef } from '../../common/api/ownerRefs.js';
import type { Job } from '../job/types.js';
import { cronJobKind, scheduledTimestampAnnotation, type CronJob } from './types.js';

export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

export function jobForRun(cj: CronJob, scheduledMs: number): Job {
  const template = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj.metadata.name ?? '', scheduledMs),
      namespace: cj.metadata.namespace,
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations, [scheduledTimestampAnnotation]: rfc3339InZone(scheduledMs, cj.spec?.timeZone ?? 'UTC') },
      ownerReferences: [controllerRef(cj, cronJobKind.apiVersion, cronJobKind.kind)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Go's time.RFC3339 of `ms` in `tz`: local wall time and its offset, `Z` when the offset is zero. */
export function rfc3339InZone(ms: number, tz: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const offset = offsetMin === 0 ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${pad(Number(parts.year), 4)}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC ("Thu, 01 Jan 2026 00:00:00 +0000"), as the MissSchedule event writes the time. */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  return `${days[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
