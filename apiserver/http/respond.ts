// Writing objects in the representation the client negotiated.

import type { ServerResponse } from 'node:http';
import type { KubeList, KubeObject, ListMeta, Status } from '../../common/api/meta.js';
import { toYaml } from '../../common/yaml.js';
import type { Negotiated } from './negotiate.js';
import type { TablePrinter } from '../tables/types.js';
import { buildTable, type Table } from '../tables/table.js';
import type { EncodedList } from '../registry/resourceStore.js';
import { PlainEncoded, type EncodedObject } from '../watchcache/encoded.js';
import { ByteChunks, jsonListBody, tableBody } from './serialize.js';

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

/** A small JSON body already in bytes: headers and body leave in one write, as `send` does. */
function sendJsonBytes(res: ServerResponse, code: number, body: Buffer, warnings: string[] = []): void {
  if (res.writableEnded) return;
  for (const w of warnings) res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
  res.end(body);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  if (res.writableEnded) return;
  if (status.details?.retryAfterSeconds) res.setHeader('Retry-After', String(status.details.retryAfterSeconds));
  send(res, status.code, status);
}

export function toTable(items: KubeObject[], printer: TablePrinter, neg: Negotiated, meta: ListMeta, now: number, withColumns = true): Table {
  return buildTable(printer, items, { now, includeObject: neg.includeObject, noHeaders: !withColumns, metadata: meta });
}

/** Writes a body gathered from pieces, with its Content-Length. */
function sendChunks(res: ServerResponse, code: number, body: ByteChunks, warnings: string[] = []): void {
  if (res.writableEnded) return;
  for (const w of warnings) res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
  body.writeTo(res);
  res.end();
}

function tableOf(items: readonly EncodedObject[], printer: TablePrinter, neg: Negotiated, meta: ListMeta, now: number): ByteChunks {
  return tableBody(printer, items, { now, includeObject: neg.includeObject, metadata: meta });
}

export function sendObject(res: ServerResponse, code: number, obj: KubeObject, neg: Negotiated, printer: TablePrinter, now: number, warnings?: string[]): void {
  if (neg.format === 'table') {
    send(res, code, toTable([obj], printer, neg, { resourceVersion: obj.metadata.resourceVersion ?? '' }, now), 'json', warnings);
    return;
  }
  send(res, code, obj, neg.format, warnings);
}

/** An object as stored: JSON writes its bytes as they are. */
export function sendEncoded(res: ServerResponse, code: number, obj: EncodedObject, neg: Negotiated, printer: TablePrinter, now: number): void {
  if (neg.format === 'json') {
    const body = new ByteChunks();
    body.buf(obj.json);
    return sendChunks(res, code, body);
  }
  if (neg.format === 'table') {
    const rv = (obj.object.metadata?.resourceVersion as string | undefined) ?? '';
    return sendChunks(res, code, tableOf([obj], printer, neg, { resourceVersion: rv }, now));
  }
  send(res, code, obj.object, neg.format);
}

/** The answer to a write: as JSON, the bytes the store made from what it stored, when it made them. */
export function sendWritten(res: ServerResponse, code: number, out: { object: KubeObject; encoded?: EncodedObject }, neg: Negotiated, printer: TablePrinter, now: number, warnings?: string[]): void {
  if (out.encoded && neg.format === 'json') return sendJsonBytes(res, code, out.encoded.json, warnings);
  sendObject(res, code, out.object, neg, printer, now, warnings);
}

/** A list of objects made inside the server (not cache entries). */
export function encodedList(list: KubeList): EncodedList {
  return { ...list, items: list.items.map((o) => new PlainEncoded(o)) };
}

export function sendList(res: ServerResponse, list: EncodedList, neg: Negotiated, printer: TablePrinter, now: number): void {
  if (neg.format === 'table') {
    const meta: ListMeta = { resourceVersion: list.metadata.resourceVersion ?? '' };
    if (list.metadata.continue) meta.continue = list.metadata.continue;
    return sendChunks(res, 200, tableOf(list.items, printer, neg, meta, now));
  }
  if (neg.format === 'json') return sendChunks(res, 200, jsonListBody(list));
  send(res, 200, { ...list, items: list.items.map((i) => i.object) }, neg.format);
}
