// Who may call the node agent: TLS already required a certificate signed by the client CA;
// on top of that only the names we were told (the API server's kubelet-client identity)
// pass, since that CA may sign certificates for other clients too.

import type { TLSSocket } from 'node:tls';
import { ForbiddenError, UnauthorizedError } from '../../common/errors.js';

/** The peer's certificate common name; throws UnauthorizedError or ForbiddenError. */
export function authorizePeer(socket: TLSSocket, allowed: ReadonlySet<string>): string {
  if (!socket.authorized) throw new UnauthorizedError('a client certificate signed by the client CA is required');
  const cert = socket.getPeerCertificate();
  // Node types CN as a string; a certificate with several CNs yields an array at run time.
  const cn: unknown = cert?.subject?.CN;
  if (typeof cn !== 'string' || cn === '') throw new ForbiddenError('forbidden: the client certificate has no single common name');
  if (!allowed.has(cn)) throw new ForbiddenError(`forbidden: user "${cn}" may not use the node agent's API (logs, exec, stats)`);
  return cn;
}
