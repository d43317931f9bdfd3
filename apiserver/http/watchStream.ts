// A watch over HTTP: chunked, one JSON event per line, as client-go and kubectl read it.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, GoneError } from '../../common/errors.js';
import type { StoreWatch, WatchSink } from '../registry/resourceStore.js';
import type { Negotiated } from './negotiate.js';
import { toTable } from './respond.js';
import { watchEventFrame } from './serialize.js';
import type { EncodedObject } from '../watchcache/encoded.js';
import { statusFromError } from './status.js';
import type { TablePrinter } from '../tables/types.js';

export interface WatchStreamOptions {
  timeoutSeconds: number;
  /** Send BOOKMARK events carrying the newest resourceVersion this often (when asked). */
  bookmarkEveryMs?: number;
  currentRevision: () => number;
  kind: string;
  apiVersion: string;
  negotiated: Negotiated;
  printer: TablePrinter;
  now: () => number;
  /** Close the stream when the client has not taken this many bytes. */
  maxBufferedBytes?: number;
}

/** Starts the response and wires a store watch to it. Returns once the stream is set up. */
export function serveWatch(req: IncomingMessage, res: ServerResponse, opts: WatchStreamOptions, start: (sink: WatchSink) => StoreWatch): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  let first = true;
  let done = false;
  let watch: StoreWatch | undefined;
  const maxBuffered = opts.maxBufferedBytes ?? 64 * 1024 * 1024;

  const finish = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (bookmarks) clearInterval(bookmarks);
    watch?.close();
    res.end();
  };

  const write = (line: string | Buffer): void => {
    if (done) return;
    res.write(typeof line === 'string' ? line + '\n' : line);
    // A client that stops reading must not grow our memory without bound: drop it; it will relist.
    if (res.writableLength > maxBuffered) finish();
  };

  const encode = (type: string, encoded: EncodedObject): string | Buffer => {
    if (opts.negotiated.format === 'table') {
      const object = encoded.object;
      const table = toTable([object], opts.printer, opts.negotiated, { resourceVersion: object.metadata.resourceVersion ?? '' }, opts.now(), first);
      first = false;
      return JSON.stringify({ type, object: table });
    }
    // JSON: the same bytes for every watcher of this event (made once, in the fan-out).
    return watchEventFrame(type, encoded);
  };

  const sink: WatchSink = {
    event: (type, object) => write(encode(type, object)),
    closed: (err) => {
      if (err) write(JSON.stringify({ type: 'ERROR', object: statusFromError(err instanceof ApiError ? err : new GoneError(err.message)).status }));
      finish();
    },
  };

  const timer = setTimeout(finish, opts.timeoutSeconds * 1000);
  const bookmarks = opts.bookmarkEveryMs
    ? setInterval(() => {
        write(JSON.stringify({ type: 'BOOKMARK', object: { kind: opts.kind, apiVersion: opts.apiVersion, metadata: { resourceVersion: String(opts.currentRevision()) } } }));
      }, opts.bookmarkEveryMs)
    : undefined;
  req.on('close', finish);
  res.on('error', finish);
  try {
    watch = start(sink);
    if (done) watch.close();
  } catch (e) {
    // A too-old resourceVersion is reported in-stream, as Kubernetes does, so clients relist.
    write(JSON.stringify({ type: 'ERROR', object: statusFromError(e).status }));
    finish();
  }
}
