// The shapes behind `kubectl get`: a printer knows a resource's columns and how to
// turn one object into one row of cells. The API server wraps rows into a
// meta.k8s.io/v1 Table (see table.ts).

import type { KubeObject } from '../../common/api/meta.js';
import { renderCells, type TemplateCell } from './timed.js';

/** OpenAPI-style type of a column's cells. */
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

export interface ColumnDefinition {
  /** Human name, e.g. `Nominated Node`; kubectl upper-cases it for the header. */
  name: string;
  type: ColumnType;
  /** `name` marks the column holding the object's name; otherwise "". */
  format: string;
  description: string;
  /** 0: always shown; 1: shown only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface TablePrinter {
  columns: ColumnDefinition[];
  /**
   * One cell per column, in column order, including the priority-1 (wide) columns:
   * the server always sends them and kubectl hides them unless asked. Cells are
   * strings, integers or booleans, as Kubernetes sends them. `now` is epoch milliseconds.
   */
  cells(obj: KubeObject, now: number): unknown[];
  /** Row conditions, e.g. a finished pod's `Completed`; absent when there are none. */
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
  /**
   * The row with its time-dependent cells kept as TimedCells (see timed.ts): what does not
   * change while the object does not. A printer that has one gets its rows computed once per
   * watch-cache entry (rowCache.ts); `cells(obj, now)` must equal the template rendered at `now`,
   * which `templatePrinter` guarantees by deriving one from the other.
   */
  template?(obj: KubeObject): TemplateCell[];
}

/** A printer whose cells are its template rendered at `now`: the cached and uncached rows cannot drift. */
export function templatePrinter(p: Omit<TablePrinter, 'cells' | 'template'> & { template(obj: KubeObject): TemplateCell[] }): TablePrinter {
  return { ...p, cells: (obj: KubeObject, now: number): unknown[] => renderCells(p.template(obj), now) };
}

/** A column definition; `priority: 1` for wide-only columns, `format: 'name'` for the name column. */
export function column(name: string, type: ColumnType, description: string, opts: { priority?: number; format?: string } = {}): ColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}
