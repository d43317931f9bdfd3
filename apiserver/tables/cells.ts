// Small helpers shared by the printers: reading wire objects through client-node's
// model types, ages, and the common columns.

import type { V1Container } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { humanDuration } from '../../common/duration.js';
import { Since } from './timed.js';
import { column, type ColumnDefinition } from './types.js';

/**
 * Views a stored object through its kind's client-node model. The shapes match the
 * wire except that timestamps are RFC3339 strings rather than Dates; read them with `timeOf`.
 */
export function as<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

/** Epoch milliseconds of a timestamp given as an RFC3339 string or a Date; undefined when absent or unparsable. */
export function timeOf(v: unknown): number | undefined {
  let t: number;
  if (v instanceof Date) t = v.getTime();
  else if (typeof v === 'string' && v !== '') t = Date.parse(v);
  else return undefined;
  return Number.isNaN(t) ? undefined : t;
}

/** Time since `timestamp` in Kubernetes' human form, or `<unknown>` when there is none. */
export function since(timestamp: unknown, now: number): string {
  const t = timeOf(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** The AGE cell of an object. */
export function ageOf(obj: KubeObject, now: number): string {
  return since(obj.metadata?.creationTimestamp, now);
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

/** Container names and images, each comma-joined, for the wide CONTAINERS and IMAGES columns. */
export function containerCells(containers: readonly V1Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** An integer cell: Kubernetes sends counts as JSON integers, 0 when unset. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

export const nameColumn = column('Name', 'string', 'Name of the object, unique within its namespace.', { format: 'name' });
export const ageColumn = column('Age', 'string', 'Time since the object was created.');

export function containersColumns(selectorDescription: string): ColumnDefinition[] {
  return [
    column('Containers', 'string', 'Names of the containers in the pod template.', { priority: 1 }),
    column('Images', 'string', 'Images of the containers in the pod template.', { priority: 1 }),
    column('Selector', 'string', selectorDescription, { priority: 1 }),
  ];
}

/** The AGE cell of an object in a row template, rendered when the row is served. */
export function age(obj: KubeObject): Since {
  return new Since(timeOf(obj.metadata?.creationTimestamp));
}

/** Time since `timestamp` in a row template (`since`, rendered when the row is served). */
export function sinceCell(timestamp: unknown): Since {
  return new Since(timeOf(timestamp));
}
