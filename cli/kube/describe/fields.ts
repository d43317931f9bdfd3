// The small printers every describer shares, as kubectl writes them: times (RFC 1123 with a
// numeric zone, in local time), ages, labels and annotations (sorted, one per line),
// tolerations, taints, quantities and the events table.

import { humanDuration } from '../../../common/duration.js';
import { canonicalQuantity } from '../../../common/quantity.js';
import type { DescribeWriter } from './tabwriter.js';
import type { CoreEvent, Toleration } from './wire.js';

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Go's time.RFC1123Z in local time: `Mon, 07 Dec 2026 09:40:00 +0000`. */
export function rfc1123z(t: string | undefined): string {
  const d = t ? new Date(t) : new Date(0);
  if (!t || Number.isNaN(d.getTime())) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${two(Math.trunc(Math.abs(off) / 60))}${two(Math.abs(off) % 60)}`;
  return `${days[d.getDay()]}, ${two(d.getDate())} ${months[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone}`;
}

/** How long ago, as kubectl's AGE columns say it; `<unknown>` for no time. */
export function since(t: string | undefined, now = Date.now()): string {
  if (!t) return '<unknown>';
  const ms = now - new Date(t).getTime();
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(ms);
}

export function orNone(s: string | undefined): string {
  return s ? s : '<none>';
}

export function goBool(b: boolean | undefined): string {
  return b ? 'true' : 'false';
}

/** A quantity in Kubernetes' canonical form (`100m`, `64Mi`). */
export function quantityText(q: string | number | undefined): string {
  if (q === undefined) return '0';
  try {
    return canonicalQuantity(q);
  } catch {
    return String(q);
  }
}

/** `Labels:  a=b` with the further labels on their own lines under the first. */
export function labelsMultiline(w: DescribeWriter, title: string, labels: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (!keys.length) return w.write(0, '<none>\n');
  keys.forEach((k, i) => w.write(0, `${i ? '\t' : ''}${k}=${labels![k]}\n`));
}

const skippedAnnotations = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const maxAnnotationLen = 140;

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** `Annotations:  k: v`, long or multi-line values under their key, the last-applied copy left out. */
export function annotationsMultiline(w: DescribeWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => !skippedAnnotations.has(k))
    .sort();
  if (!keys.length) return w.write(0, '<none>\n');
  keys.forEach((k, i) => {
    if (i) w.write(0, '\t');
    const value = annotations![k]!.replace(/\n$/, '');
    if (value.length + k.length + 2 > maxAnnotationLen || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) w.write(0, `\t  ${shorten(s, maxAnnotationLen - 2)}\n`);
    } else w.write(0, `${k}: ${value}\n`);
  });
}

/** `Tolerations:  key:Effect op=Exists for 300s`, sorted by key. */
export function tolerationsMultiline(w: DescribeWriter, title: string, tolerations: Toleration[] | undefined): void {
  w.write(0, `${title}:\t`);
  if (!tolerations?.length) return w.write(0, '<none>\n');
  const sorted = [...tolerations].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
  sorted.forEach((t, i) => {
    let s = i ? '\t' : '';
    s += t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

/** `Taints:  key=value:Effect`, sorted by effect then key. */
export function taintsMultiline(w: DescribeWriter, title: string, taints: { key: string; value?: string; effect: string }[] | undefined): void {
  w.write(0, `${title}:\t`);
  if (!taints?.length) return w.write(0, '<none>\n');
  const k = (t: { key: string; effect: string }): string => `${t.effect},${t.key}`;
  [...taints]
    .sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0))
    .forEach((t, i) => w.write(0, `${i ? '\t' : ''}${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}\n`));
}

/** `Kind/name` of the object's controller, if it has one. */
export function controlledBy(o: { metadata?: { ownerReferences?: { controller?: boolean; kind: string; name: string }[] } }): string | undefined {
  const c = o.metadata?.ownerReferences?.find((r) => r.controller);
  return c ? `${c.kind}/${c.name}` : undefined;
}

/** The events table, oldest last-seen first, after a flush so it aligns on its own. */
export function describeEvents(w: DescribeWriter, events: CoreEvent[] | undefined, now = Date.now()): void {
  if (!events) return;
  if (!events.length) return w.write(0, 'Events:\t<none>\n');
  w.flush();
  const last = (e: CoreEvent): number => new Date(e.lastTimestamp ?? e.eventTime ?? 0).getTime();
  const sorted = [...events].sort((a, b) => last(a) - last(b));
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
    let interval = first;
    if (e.series) interval = `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
    else if ((e.count ?? 0) > 1) interval = `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    const from = e.source?.component || e.reportingComponent || '';
    w.line(1, e.type ?? '', e.reason ?? '', interval, from, (e.message ?? '').trim());
  }
}
