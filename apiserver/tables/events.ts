// `kubectl get events`: LAST SEEN TYPE REASON OBJECT MESSAGE, with the subobject,
// source, first-seen time, count and name as wide columns.

import type { CoreV1Event } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { as, nameColumn, nameOf, sinceCell } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** `component, host`, preferring the legacy source fields and falling back to the reporting ones. */
function eventSource(ev: CoreV1Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** `kind/name` in lower case, or just the kind when the object has no name. */
function eventTarget(ev: CoreV1Event): string {
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const name = ev.involvedObject?.name ?? '';
  return name ? `${kind}/${name}` : kind;
}

export const eventPrinter = templatePrinter({
  columns: [
    column('Last Seen', 'string', 'Time since the event was last observed.'),
    column('Type', 'string', 'Normal or Warning.'),
    column('Reason', 'string', 'Short machine-readable reason for the event.'),
    column('Object', 'string', 'The object the event is about.'),
    column('Subobject', 'string', 'The part of the object the event is about, e.g. a container.', { priority: 1 }),
    column('Source', 'string', 'The component that reported the event.', { priority: 1 }),
    column('Message', 'string', 'Human-readable description of the event.'),
    column('First Seen', 'string', 'Time since the event was first observed.', { priority: 1 }),
    column('Count', 'string', 'How many times the event was observed.', { priority: 1 }),
    { ...nameColumn, priority: 1 },
  ],
  template(obj: KubeObject): TemplateCell[] {
    const ev = as<CoreV1Event>(obj);
    // Events written through the newer events API carry eventTime and a series instead of timestamps and a count.
    const firstSeen = ev.firstTimestamp ? sinceCell(ev.firstTimestamp) : sinceCell(ev.eventTime);
    let lastSeen = ev.lastTimestamp ? sinceCell(ev.lastTimestamp) : firstSeen;
    let count = ev.count ?? 0;
    if (ev.series) {
      lastSeen = sinceCell(ev.series.lastObservedTime);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1;
    }
    return [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      eventTarget(ev),
      ev.involvedObject?.fieldPath ?? '',
      eventSource(ev),
      (ev.message ?? '').trim(),
      firstSeen,
      count,
      nameOf(obj),
    ];
  },
});
