// Writing objects in the representation the client negotiated.

import type { ServerResponse } from 'node:http';
import type { KubeList, KubeObject, ListMeta, Status } from '../../common/api/meta.js';
import { toYaml } from '../../common/yaml.js';
import type { Negotiated } from './negotiate.js';
import type { TablePrinter } from '../tables/types.js';
import { buildTable, type Table } from '../tables/table.js';
import { jsonOf } from './serialize.js';

export function send(res: ServerResponse, code: number, body: unknown, format: 'json' | 'yaml' = 'json', warnings: string[] = []): void {
  // Already answered (a request timed out while its handler worked on): nothing more to say.
  if (res.writableEnded) return;
  const text = format === 'yaml' ? toYaml(body) : JSON.stringify(body);
  for (const w of warnings) res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, {
    'Content-Type': format === 'yaml' ? 'application/yaml' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  if (res.writableEnded) return;
  if (status.details?.retryAfterSeconds) res.setHeader('Retry-After', String(status.details.retryAfterSeconds));
  send(res, status.code, status);
}

export function toTable(items: KubeObject[], printer: TablePrinter, neg: Negotiated, meta: ListMeta, now: number, withColumns = true): Table {
  return buildTable(printer, items, { now, includeObject: neg.includeObject, noHeaders: !withColumns, metadata: meta });
}

export function sendObject(res: ServerResponse, code: number, obj: KubeObject, neg: Negotiated, printer: TablePrinter, now: number, warnings?: string[]): void {
  if (neg.format === 'table') {
    send(res, code, toTable([obj], printer, neg, { resourceVersion: obj.metadata.resourceVersion ?? '' }, now), 'json', warnings);
    return;
  }
  send(res, code, obj, neg.format, warnings);
}

/** Writes a JSON list in pieces: no single string of the whole list, and each item's JSON is shared. */
function writeJsonList(res: ServerResponse, list: KubeList): void {
  const { items, ...rest } = list;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  const head = JSON.stringify(rest);
  let chunk = head.slice(0, -1) + ',"items":[';
  for (let i = 0; i < items.length; i++) {
    chunk += (i ? ',' : '') + jsonOf(items[i]!);
    if (chunk.length > 1 << 20) {
      res.write(chunk);
      chunk = '';
    }
  }
  res.end(chunk + ']}');
}

export function sendList(res: ServerResponse, list: KubeList, neg: Negotiated, printer: TablePrinter, now: number): void {
  if (neg.format === 'table') {
    const meta: ListMeta = { resourceVersion: list.metadata.resourceVersion ?? '' };
    if (list.metadata.continue) meta.continue = list.metadata.continue;
    send(res, 200, toTable(list.items, printer, neg, meta, now));
    return;
  }
  if (neg.format === 'json') return writeJsonList(res, list);
  send(res, 200, list, neg.format);
}
