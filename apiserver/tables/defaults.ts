// Printers for resources without their own.

import type { KubeObject } from '../../common/api/meta.js';
import { age, ageColumn, nameColumn, nameOf, timeOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** RFC3339 in UTC to the second, as Go formats metav1.Time; the zero time when absent. */
function rfc3339(ts: unknown): string {
  const t = timeOf(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Kubernetes' fallback for built-in resources without a printer (e.g. clusterroles):
 * NAME and CREATED AT, the latter an RFC3339 timestamp of type `date`.
 */
export const defaultTablePrinter = templatePrinter({
  columns: [nameColumn, column('Created At', 'date', 'Time the object was created.')],
  template(obj: KubeObject): TemplateCell[] {
    return [nameOf(obj), rfc3339(obj.metadata?.creationTimestamp)];
  },
});

/** NAME and AGE: what kubectl shows for custom resources without printer columns. */
export const nameAgeTablePrinter = templatePrinter({
  columns: [nameColumn, ageColumn],
  template(obj: KubeObject): TemplateCell[] {
    return [nameOf(obj), age(obj)];
  },
});
