// HTTP/1.1 responses written straight onto a socket: upgrade requests never reach express,
// so their errors (and relayed agent answers) are framed here.

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '../../common/api/meta.js';

export function writeRawResponse(socket: Duplex, code: number, headers: [string, string][], body: Buffer): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Unknown'}`];
  for (const [k, v] of headers) lines.push(`${k}: ${v.replace(/[\r\n]/g, ' ')}`);
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]));
}

export function writeRawStatus(socket: Duplex, status: Status): void {
  const headers: [string, string][] = [['Content-Type', 'application/json'], ['Cache-Control', 'no-cache, private']];
  if (status.details?.retryAfterSeconds) headers.push(['Retry-After', String(status.details.retryAfterSeconds)]);
  writeRawResponse(socket, status.code, headers, Buffer.from(JSON.stringify(status)));
}
