// Client-certificate authentication, as kube-apiserver's --client-ca-file: the TLS layer
// verifies the chain against the client CA (and that the certificate is for client auth);
// a verified certificate's CN is the user and its O values are the groups.

import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { UserInfo } from './tokens.js';

/** Node gives one value as a string and several as an array. */
function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The user of a verified client certificate on `socket`; undefined when the client sent
 * none, or sent one the CA did not sign (Kubernetes then tries the other authenticators).
 */
export function certificateUser(socket: Socket | TLSSocket): UserInfo | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function' || tls.authorized !== true) return undefined;
  const cert = tls.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const cn = values(cert.subject?.CN)[0];
  if (!cn) return undefined;
  return { name: cn, uid: '', groups: [...values(cert.subject.O), 'system:authenticated'] };
}
