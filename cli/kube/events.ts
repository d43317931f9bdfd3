// `gantry events`: the core/v1 events of a namespace (or all, -A), optionally only those of
// one object (--for TYPE/NAME, a field selector on involvedObject) or of some types
// (--types Warning, filtered here as kubectl does), oldest first, in kubectl's columns
// LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; --watch goes on printing each new or changed event.

import { resourcePath } from '../../common/client/apiClient.js';
import { ColumnWidths } from './columns.js';
import type { CommandContext } from './commands.js';
import { since } from './describe/fields.js';
import type { CoreEvent as DescribedEvent } from './describe/wire.js';
import { parseDurationFlag } from './durationFlag.js';
import { CliError, UsageError } from './errors.js';

export type CoreEvent = DescribedEvent & { involvedObject?: { kind?: string; name?: string } };

export interface EventsFlags {
  allNamespaces?: boolean;
  for?: string;
  types?: string;
  watch?: boolean;
  headers?: boolean;
  requestTimeout?: string;
}

const eventTypes = ['Normal', 'Warning'];

/** The time an event sorts by: its series' last observation, else its last timestamp, else its event time. */
export function eventSortTime(e: CoreEvent): number {
  const t = e.series?.lastObservedTime || e.lastTimestamp || e.eventTime;
  return t ? new Date(t).getTime() : 0;
}

/** kubectl's LAST SEEN: `5m`, or `2m (x4 over 10m)` for a repeated event. */
export function lastSeen(e: CoreEvent, now = Date.now()): string {
  const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  if (e.series) return `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

export function eventRow(e: CoreEvent, allNamespaces: boolean, now = Date.now()): string[] {
  const row = [lastSeen(e, now), e.type ?? '', e.reason ?? '', `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`, (e.message ?? '').trim()];
  return allNamespaces ? [e.metadata?.namespace ?? '', ...row] : row;
}

/** The --types list, each case-insensitively Normal or Warning, as the server spells them. */
export function parseTypes(v: string | undefined): string[] {
  if (!v) return [];
  return v.split(',').map((t) => {
    const known = eventTypes.find((k) => k.toLowerCase() === t.trim().toLowerCase());
    if (!known) throw new UsageError(`--types: valid event types are Normal and Warning, not "${t}"`);
    return known;
  });
}

export async function eventsCommand(ctx: CommandContext, flags: EventsFlags): Promise<void> {
  const { io } = ctx;
  const types = parseTypes(flags.types);
  const timeoutMs = parseDurationFlag('--request-timeout', flags.requestTimeout);
  const s = ctx.session();
  const all = Boolean(flags.allNamespaces);
  const events = await s.discovery.resolve('events');
  let fieldSelector: string | undefined;
  if (flags.for !== undefined) {
    const [type, name, extra] = flags.for.split('/');
    if (!type || !name || extra !== undefined) throw new UsageError(`--for: expected TYPE/NAME (e.g. pod/web-1 or deploy/web), got "${flags.for}"`);
    const r = await s.discovery.resolve(type);
    fieldSelector = `involvedObject.kind=${r.kind},involvedObject.name=${name}`;
  }
  const ns = all ? undefined : s.namespace;
  const wanted = (e: CoreEvent): boolean => !types.length || types.includes(e.type ?? '');
  const list = await s.api.list(events, ns, { fieldSelector });
  const items = (list.items as CoreEvent[]).filter(wanted).sort((a, b) => eventSortTime(a) - eventSortTime(b));
  const header = [...(all ? ['NAMESPACE'] : []), 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
  const widths = new ColumnWidths();
  let headerDone = flags.headers === false;
  const print = (rows: string[][]): void => {
    if (!rows.length) return;
    io.out(widths.render(headerDone ? rows : [header, ...rows]));
    headerDone = true;
  };
  if (items.length) print(items.map((e) => eventRow(e, all)));
  else if (!flags.watch) {
    io.err(all ? 'No events found.\n' : `No events found in ${s.namespace} namespace.\n`);
    return;
  }
  if (!flags.watch) return;

  let failure: string | undefined;
  const watch = s.rest.watch(resourcePath(events, ns), { fieldSelector, resourceVersion: list.resourceVersion, allowWatchBookmarks: true }, (ev) => {
    if (ev.type === 'BOOKMARK' || ev.type === 'DELETED') return;
    if (ev.type === 'ERROR') {
      failure = String((ev.object as { message?: unknown }).message ?? JSON.stringify(ev.object));
      watch.stop();
      return;
    }
    const e = ev.object as unknown as CoreEvent;
    if (wanted(e)) print([eventRow(e, all)]);
  });
  const timer = timeoutMs ? setTimeout(() => watch.stop(), timeoutMs) : undefined;
  const status = await watch.done.finally(() => clearTimeout(timer));
  if (status >= 400) throw new CliError(`the watch of events was refused (HTTP ${status})`);
  if (failure) throw new CliError(`the watch of events ended: ${failure}`);
}
