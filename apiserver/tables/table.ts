// Assembles a meta.k8s.io/v1 Table from a printer and objects: what the API server
// returns when kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io`.

import type { KubeObject, ListMeta } from '../../common/api/meta.js';
import type { ColumnDefinition, TablePrinter, TableRowCondition } from './types.js';

/** `?includeObject=`: none, PartialObjectMetadata (the default), or the whole object (for `--sort-by`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: KubeObject['metadata'];
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: PartialObjectMetadata | KubeObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  /** Epoch milliseconds that ages are measured against. */
  now: number;
  includeObject?: IncludeObject;
  /** `?noHeaders=true` (TableOptions): leave out the column definitions. */
  noHeaders?: boolean;
  /** List metadata (resourceVersion, continue, remainingItemCount) to carry over. */
  metadata?: ListMeta;
}

/** Parses `?includeObject=`; unknown or absent values mean `Metadata`, as in Kubernetes. */
export function parseIncludeObject(v: unknown): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** One row for `obj`. With `Object`, the caller must pass an object that carries kind and apiVersion. */
export function tableRow(printer: TablePrinter, obj: KubeObject, now: number, includeObject: IncludeObject = 'Metadata'): TableRow {
  const row: TableRow = { cells: printer.cells(obj, now) };
  const conditions = printer.conditions?.(obj);
  if (conditions && conditions.length > 0) row.conditions = conditions;
  if (includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  else if (includeObject === 'Object') row.object = obj;
  return row;
}

/** A Table of `objects`, in the given order. */
export function buildTable(printer: TablePrinter, objects: readonly KubeObject[], opts: TableOptions): Table {
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...(opts.metadata ?? {}) },
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows: objects.map((o) => tableRow(printer, o, opts.now, include)),
  };
}
