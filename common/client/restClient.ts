// A small HTTPS client for the Kubernetes REST API: exact requests and raw answers,
// for Gantry's components and for tests that check the wire format.

import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ClusterAccess } from '../kubeconfig.js';

export interface RestResponse<T = unknown> {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  /** The parsed JSON body, when it is JSON. */
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is when a string; JSON-encoded otherwise. */
  contentType?: string;
  accept?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Override the bearer token (or '' for none). */
  token?: string;
  timeoutMs?: number;
}

export interface RestClientOptions {
  /** Concurrent connections (watches hold one each for their lifetime). Default 256. */
  maxSockets?: number;
  /**
   * Idle keep-alive connections kept after a burst. Each TLS socket costs ~130 KiB of RSS,
   * so a burst must not leave hundreds behind. Default 16.
   */
  maxFreeSockets?: number;
}

export class RestClient {
  private readonly agent: https.Agent;

  constructor(readonly access: ClusterAccess, opts: RestClientOptions = {}) {
    const clientCert = access.certPem && access.keyPem ? { cert: access.certPem, key: access.keyPem } : {};
    this.agent = new https.Agent({ ca: access.caPem, ...clientCert, keepAlive: true, maxSockets: opts.maxSockets ?? 256, maxFreeSockets: opts.maxFreeSockets ?? 16 });
  }

  private url(path: string, query?: RequestOptions['query']): URL {
    const u = new URL(path, this.access.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  private headers(o: RequestOptions, payload?: string): Record<string, string> {
    const h: Record<string, string> = { Accept: o.accept ?? 'application/json' };
    const token = o.token ?? this.access.token;
    if (token) h.Authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      h['Content-Type'] = o.contentType ?? 'application/json';
      h['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return h;
  }

  request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<RestResponse<T>> {
    const payload = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    return new Promise((resolve, reject) => {
      const req = https.request(this.url(path, o.query), { method, agent: this.agent, headers: this.headers(o, payload), timeout: o.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = undefined;
          if ((res.headers['content-type'] ?? '').includes('json') && text) {
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: body as T });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  get<T = unknown>(path: string, o: RequestOptions = {}): Promise<RestResponse<T>> {
    return this.request<T>('GET', path, o);
  }

  /**
   * Opens a watch and hands each event line to `onEvent`. Resolves when the stream ends;
   * `stop()` ends it from our side.
   */
  watch(path: string, query: RequestOptions['query'], onEvent: (ev: { type: string; object: Record<string, unknown> }) => void, o: RequestOptions = {}): { done: Promise<number>; stop: () => void } {
    let req: ReturnType<typeof https.request> | undefined;
    const done = new Promise<number>((resolve, reject) => {
      req = https.request(this.url(path, { ...query, watch: true }), { method: 'GET', agent: this.agent, headers: this.headers(o) }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) onEvent(JSON.parse(line) as { type: string; object: Record<string, unknown> });
          }
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', (e) => (e.message === 'socket hang up' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(0) : reject(e)));
      req.end();
    });
    return { done, stop: () => req?.destroy() };
  }

  close(): void {
    this.agent.destroy();
  }
}
