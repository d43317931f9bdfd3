// Long-lived connections the one RestClient does not make: a streamed GET (pods/log with
// follow, whose body never ends) and a websocket (pods/exec), both with the session's
// credentials and CA.

import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ClusterAccess } from '../../common/kubeconfig.js';
import { errorFromStatus } from '../../common/client/statusError.js';

type Query = Record<string, string | number | boolean | undefined | (string | number)[]>;

function url(access: ClusterAccess, path: string, query: Query, scheme?: 'wss'): URL {
  const u = new URL(path, access.server);
  if (scheme) u.protocol = 'wss:';
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(one));
  }
  return u;
}

function tls(access: ClusterAccess): https.RequestOptions {
  return { ca: access.caPem, ...(access.certPem && access.keyPem ? { cert: access.certPem, key: access.keyPem } : {}), headers: access.token ? { Authorization: `Bearer ${access.token}` } : {} };
}

/** A GET whose body is read as it arrives; a non-2xx answer is thrown as the typed API error. */
export function openStream(access: ClusterAccess, path: string, query: Query): Promise<{ res: IncomingMessage; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url(access, path, query), { ...tls(access), agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve({ res, close: () => req.destroy() });
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        reject(errorFromStatus({ code: status, body, text, request: `GET ${path}` }));
      });
    });
    req.on('error', reject);
  });
}

/** A websocket to `path` offering `protocols`; resolves once open, rejects with the server's error otherwise. */
export function openWebSocket(access: ClusterAccess, path: string, query: Query, protocols: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const o = tls(access);
    const ws = new WebSocket(url(access, path, query, 'wss'), protocols, { ca: o.ca, cert: o.cert, key: o.key, headers: o.headers as Record<string, string> });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        reject(errorFromStatus({ code: res.statusCode ?? 0, body, text, request: `GET ${path}` }));
      });
    });
    ws.once('error', reject);
  });
}
