// `gantry get`: objects as the server's Table columns (kubectl's default and -o wide), or as
// JSON, YAML, names, a JSONPath template or custom columns; across namespaces with -A,
// filtered by label and field selectors, sorted by a JSONPath.

import type { KubeObject } from '../../common/api/meta.js';
import { resourcePath } from '../../common/client/apiClient.js';
import { ApiError } from '../../common/errors.js';
import type { Session } from './access.js';
import { alignColumns } from './columns.js';
import type { CommandContext } from './commands.js';
import { qualifiedKind, type ApiResource } from './discovery.js';
import { UsageError, exitCodes, serverErrorLine } from './errors.js';
import { compileTemplate, evaluatePath } from './jsonpathTemplate.js';
import { asList, customColumns, toJson, toKubeYaml } from './objectPrinters.js';
import { parseOutput, type OutputFormat } from './outputFormat.js';
import { parseDurationFlag } from './durationFlag.js';
import { watchGet } from './watch.js';

export interface GetFlags {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  sortBy?: string;
  headers?: boolean;
  showManagedFields?: boolean;
  watch?: boolean;
  watchOnly?: boolean;
  requestTimeout?: string;
}

export interface ResourceRequest {
  resource: ApiResource;
  /** Empty: every object (of the namespace, or all with -A). */
  names: string[];
}

/** `KIND[,KIND...] [NAME...]` or `KIND/NAME [KIND/NAME...]`, as kubectl takes them. */
export async function parseResourceArgs(s: Session, args: string[]): Promise<ResourceRequest[]> {
  if (!args.length) throw new UsageError('name a resource type, e.g. `gantry get pods` (and optionally names: `gantry get deploy web`, `gantry get deploy/web`)');
  const out: ResourceRequest[] = [];
  if (args.some((a) => a.includes('/'))) {
    for (const a of args) {
      const [type, name, ...rest] = a.split('/');
      if (!type || !name || rest.length) throw new UsageError(`expected TYPE/NAME, got "${a}" (either every argument is TYPE/NAME, or the first is the type and the rest names)`);
      const resource = await s.discovery.resolve(type);
      const last = out[out.length - 1];
      if (last && last.resource === resource) last.names.push(name);
      else out.push({ resource, names: [name] });
    }
    return out;
  }
  const [types, ...names] = args;
  for (const t of types!.split(',').filter(Boolean)) {
    // A category (`all`) stands for its resources, unless a resource has that name.
    const members = await s.discovery.category(t);
    if (members.length && !names.length) out.push(...members.map((resource) => ({ resource, names: [] })));
    else out.push({ resource: await s.discovery.resolve(t), names: [...names] });
  }
  return out;
}

export const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export interface Table {
  columnDefinitions: { name: string; format?: string; priority?: number }[];
  rows: { cells: unknown[]; object?: KubeObject }[];
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '<none>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The sort key `--sort-by` finds in an object: numbers compare as numbers, the rest as text. */
function sortKey(obj: unknown, path: string): number | string {
  const v = evaluatePath(obj, path)[0];
  if (typeof v === 'number') return v;
  return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function sortBy<T>(items: T[], objectOf: (t: T) => unknown, path: string | undefined): T[] {
  if (!path) return items;
  const keyed = items.map((t) => ({ t, k: sortKey(objectOf(t), path) }));
  keyed.sort((a, b) => (typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k) < String(b.k) ? -1 : String(a.k) > String(b.k) ? 1 : 0));
  return keyed.map((x) => x.t);
}

/** Reports a refused request (a name not found, ...) and lets the others go on. */
export function refused(ctx: CommandContext, e: unknown): void {
  if (!(e instanceof ApiError)) throw e;
  ctx.io.err(`${serverErrorLine(e)}\n`);
  ctx.io.exitCode = exitCodes.failure;
}

export function namespaceOf(s: Session, r: ApiResource): string | undefined {
  return r.namespaced && !s.allNamespaces ? s.namespace : undefined;
}

async function tables(ctx: CommandContext, s: Session, req: ResourceRequest, flags: GetFlags): Promise<Table | undefined> {
  const ns = namespaceOf(s, req.resource);
  const includeObject = flags.sortBy ? 'Object' : undefined;
  if (req.names.length) {
    let table: Table | undefined;
    for (const name of req.names) {
      try {
        const t = (await s.api.send<Table>('GET', resourcePath(req.resource, s.namespace, name), { accept: tableAccept, query: { includeObject } })).body;
        if (table) table.rows.push(...t.rows);
        else table = t;
      } catch (e) {
        refused(ctx, e);
      }
    }
    return table;
  }
  let table: Table | undefined;
  let cont: string | undefined;
  do {
    const query = { labelSelector: flags.selector, fieldSelector: flags.fieldSelector, limit: 500, continue: cont, includeObject };
    const res = await s.api.send<Table & { metadata?: { continue?: string } }>('GET', resourcePath(req.resource, ns), { accept: tableAccept, query });
    if (table) table.rows.push(...res.body.rows);
    else table = res.body;
    cont = res.body.metadata?.continue || undefined;
  } while (cont);
  return table;
}

export interface TableLayout {
  wide: boolean;
  allNamespaces: boolean;
  prefix: boolean;
  headers: boolean;
  sortBy?: string;
}

/** The header and the cells of each row, as printed. */
export function tableRows(t: Table, r: ApiResource, o: TableLayout): { header: string[]; rows: string[][] } {
  const cols = t.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => o.wide || !c.priority);
  const nameCol = Math.max(0, t.columnDefinitions.findIndex((c) => c.format === 'name'));
  const withNs = o.allNamespaces && r.namespaced;
  const rows = sortBy(t.rows, (row) => row.object, o.sortBy).map((row) => {
    const cells = cols.map((c) => {
      const text = cellText(row.cells[c.i]);
      return c.i === nameCol && o.prefix ? `${qualifiedKind(r)}/${text}` : text;
    });
    return withNs ? [row.object?.metadata?.namespace ?? '', ...cells] : cells;
  });
  const header = [...(withNs ? ['NAMESPACE'] : []), ...cols.map((c) => c.name.toUpperCase())];
  return { header, rows };
}

function renderTable(t: Table, r: ApiResource, o: TableLayout): string {
  const { header, rows } = tableRows(t, r, o);
  return alignColumns(o.headers ? [header, ...rows] : rows);
}

async function objects(ctx: CommandContext, s: Session, req: ResourceRequest, flags: GetFlags): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  if (req.names.length) {
    for (const name of req.names) {
      try {
        out.push(await s.api.get(req.resource, s.namespace, name));
      } catch (e) {
        refused(ctx, e);
      }
    }
    return out;
  }
  let cont: string | undefined;
  do {
    const list = await s.api.list(req.resource, namespaceOf(s, req.resource), { labelSelector: flags.selector, fieldSelector: flags.fieldSelector, limit: 500, continue: cont });
    out.push(...list.items);
    cont = list.continue;
  } while (cont);
  return out;
}

function nothingFound(s: Session, reqs: ResourceRequest[]): string {
  const namespaced = reqs.some((r) => r.resource.namespaced);
  return namespaced && !s.allNamespaces ? `No resources found in ${s.namespace} namespace.\n` : 'No resources found\n';
}

/** kubectl leaves managedFields out of JSON and YAML unless asked (--show-managed-fields). */
function withoutManagedFields(o: KubeObject): KubeObject {
  if (!o.metadata?.managedFields) return o;
  const { managedFields: _mf, ...metadata } = o.metadata;
  return { ...o, metadata };
}

export function printObjects(ctx: CommandContext, items: KubeObject[], single: boolean, format: Exclude<OutputFormat, { kind: 'table' }>, o: { headers: boolean; showManagedFields: boolean }): void {
  const doc = single && items.length === 1 ? items[0]! : asList(items);
  const shown = (): KubeObject => (o.showManagedFields ? doc : single && items.length === 1 ? withoutManagedFields(doc) : asList(items.map(withoutManagedFields)));
  switch (format.kind) {
    case 'json':
      return ctx.io.out(toJson(shown()));
    case 'yaml':
      return ctx.io.out(toKubeYaml(shown()));
    case 'jsonpath':
      return ctx.io.out(compileTemplate(format.template)(doc));
    case 'name':
      return ctx.io.out(items.map((o) => `${nameKind(o)}/${o.metadata?.name ?? ''}\n`).join(''));
    case 'custom-columns':
      return ctx.io.out(customColumns(items, format.columns, o.headers));
  }
}

/** `deployment.apps`, `configmap`: the kind part of -o name. */
function nameKind(o: KubeObject): string {
  const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : '';
  return qualifiedKind({ kind: o.kind ?? '', group });
}

export async function getCommand(ctx: CommandContext, args: string[], flags: GetFlags): Promise<void> {
  const format = parseOutput(flags.output);
  if (format.kind === 'jsonpath') {
    try {
      compileTemplate(format.template);
    } catch (e) {
      throw new UsageError(`-o jsonpath: ${(e as Error).message}`);
    }
  }
  const s = ctx.session();
  const reqs = await parseResourceArgs(s, args);
  if (s.allNamespaces && reqs.some((r) => r.names.length)) throw new UsageError('a resource cannot be retrieved by name across all namespaces (drop -A, or use -n)');
  const headers = flags.headers !== false;
  if (flags.watch || flags.watchOnly) return watchGet(ctx, s, reqs, format, flags, { watch: Boolean(flags.watch), watchOnly: Boolean(flags.watchOnly), timeoutMs: parseDurationFlag('--request-timeout', flags.requestTimeout) });
  if (format.kind === 'table') {
    const prefix = reqs.length > 1;
    const printed: string[] = [];
    for (const req of reqs) {
      const t = await tables(ctx, s, req, flags);
      if (t?.rows.length) printed.push(renderTable(t, req.resource, { wide: format.wide, allNamespaces: s.allNamespaces, prefix, headers, ...(flags.sortBy ? { sortBy: flags.sortBy } : {}) }));
    }
    if (printed.length) ctx.io.out(printed.join('\n'));
    else if (!reqs.some((r) => r.names.length)) ctx.io.err(nothingFound(s, reqs));
    return;
  }
  let items: KubeObject[] = [];
  for (const req of reqs) items.push(...(await objects(ctx, s, req, flags)));
  items = sortBy(items, (o) => o, flags.sortBy);
  const single = reqs.length === 1 && reqs[0]!.names.length === 1;
  // Named objects that were all refused (not found, ...): the errors said it; nothing to print.
  if (!items.length && reqs.every((r) => r.names.length)) return;
  if (!items.length && !reqs.some((r) => r.names.length) && (format.kind === 'name' || format.kind === 'custom-columns')) {
    ctx.io.err(nothingFound(s, reqs));
    return;
  }
  printObjects(ctx, items, single, format, { headers, showManagedFields: Boolean(flags.showManagedFields) });
}
