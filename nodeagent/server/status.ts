// Kubernetes Status bodies for every answer that is not a success. Typed errors from
// common/errors keep their reason and code; anything else is an InternalError whose
// message says nothing about our internals (the details go to the log, never the client).

import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isApiError } from '../../common/errors.js';
import type { Status } from '../../common/api/meta.js';

export function toStatus(err: unknown): Status {
  if (isApiError(err)) {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: err.reason, code: err.code };
    if (Object.keys(err.details).length > 0) status.details = err.details;
    return status;
  }
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Internal error occurred: the node agent failed to serve the request', reason: 'InternalError', code: 500 };
}

export function writeStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    // Mid-stream: the only way left to tell the client something went wrong is to cut it off.
    res.destroy();
    return;
  }
  const body = JSON.stringify(status);
  res.writeHead(status.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Answers an upgrade request that will not be upgraded, on the raw socket the server handed us. */
export function refuseUpgrade(socket: Duplex, status: Status): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
