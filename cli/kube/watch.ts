// `gantry get -w`: the list, then every change as it happens (a watch from the list's
// resourceVersion), until the server ends the stream or --request-timeout passes. Rows stay
// aligned with what was printed before: column widths only grow, as kubectl's do.

import type { KubeObject } from '../../common/api/meta.js';
import { resourcePath } from '../../common/client/apiClient.js';
import type { Session } from './access.js';
import { ColumnWidths } from './columns.js';
import type { CommandContext } from './commands.js';
import { CliError, UsageError } from './errors.js';
import { namespaceOf, printObjects, refused, tableAccept, tableRows, type GetFlags, type ResourceRequest, type Table } from './get.js';
import type { OutputFormat } from './outputFormat.js';

export interface WatchFlags {
  watch?: boolean;
  watchOnly?: boolean;
  /** Milliseconds; 0: until the server ends the stream. */
  timeoutMs: number;
}

interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}

export async function watchGet(ctx: CommandContext, s: Session, reqs: ResourceRequest[], format: OutputFormat, flags: GetFlags, w: WatchFlags): Promise<void> {
  if (reqs.length !== 1 || reqs[0]!.names.length > 1) throw new UsageError('watch is only supported on one resource type, and at most one name');
  const req = reqs[0]!;
  const r = req.resource;
  const name = req.names[0];
  if (name) {
    try {
      await s.api.get(r, s.namespace, name);
    } catch (e) {
      return refused(ctx, e);
    }
  }
  const ns = name ? s.namespace : namespaceOf(s, r);
  const fieldSelector = [flags.fieldSelector, name && `metadata.name=${name}`].filter(Boolean).join(',') || undefined;
  const query = { labelSelector: flags.selector, fieldSelector };
  const path = resourcePath(r, r.namespaced ? ns : undefined);
  const headers = flags.headers !== false;
  const timeoutSeconds = w.timeoutMs ? Math.max(1, Math.ceil(w.timeoutMs / 1000)) : undefined;

  let print: (ev: WatchEvent) => void;
  let rv: string;
  if (format.kind === 'table') {
    const layout = { wide: format.wide, allNamespaces: s.allNamespaces, prefix: false, headers };
    const widths = new ColumnWidths();
    const list = (await s.api.send<Table & { metadata?: { resourceVersion?: string } }>('GET', path, { accept: tableAccept, query })).body;
    rv = list.metadata?.resourceVersion ?? '';
    let headerDone = !headers;
    const show = (t: Table): void => {
      // Event tables may leave the column definitions out: they are the list's.
      const { header, rows } = tableRows({ ...t, columnDefinitions: t.columnDefinitions?.length ? t.columnDefinitions : list.columnDefinitions }, r, layout);
      if (!rows.length) return;
      ctx.io.out(widths.render(headerDone ? rows : [header, ...rows]));
      headerDone = true;
    };
    if (!w.watchOnly) show(list);
    print = (ev) => show(ev.object as unknown as Table);
  } else {
    const list = await s.api.list(r, r.namespaced ? ns : undefined, query);
    rv = list.resourceVersion;
    const one = (o: KubeObject): void => printObjects(ctx, [o], true, format, { headers, showManagedFields: Boolean(flags.showManagedFields) });
    if (!w.watchOnly) list.items.forEach(one);
    print = (ev) => one(ev.object as KubeObject);
  }

  let failure: string | undefined;
  const watch = s.rest.watch(
    path,
    { ...query, resourceVersion: rv, timeoutSeconds },
    (ev) => {
      if (ev.type === 'BOOKMARK') return;
      if (ev.type === 'ERROR') {
        failure = String((ev.object as { message?: unknown }).message ?? JSON.stringify(ev.object));
        watch.stop();
        return;
      }
      print(ev);
    },
    format.kind === 'table' ? { accept: tableAccept } : {},
  );
  const timer = w.timeoutMs ? setTimeout(() => watch.stop(), w.timeoutMs) : undefined;
  try {
    const status = await watch.done;
    if (status >= 400) throw new CliError(`the watch of ${r.plural} was refused (HTTP ${status})`);
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (failure) throw new CliError(`the watch of ${r.plural} ended: ${failure}`);
}
