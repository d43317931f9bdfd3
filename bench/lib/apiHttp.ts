// A lean HTTPS client for the load loops: keep-alive connections, bearer token, and the
// raw body back without parsing it. The benchmark shares two cores with the server, so
// the client spends no CPU it does not need to (common's RestClient parses every answer).

import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { ClusterAccess } from '../../common/kubeconfig.js';

export interface HttpResult {
  status: number;
  body: Buffer;
}

export interface HttpRequest {
  body?: string;
  accept?: string;
  /** Content-Type of the body (default application/json), e.g. application/merge-patch+json. */
  contentType?: string;
}

export class ApiHttp {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(private readonly access: ClusterAccess, maxSockets = 128) {
    this.agent = new https.Agent({ ca: access.caPem, keepAlive: true, maxSockets });
    this.base = new URL(access.server);
  }

  request(method: string, path: string, r: HttpRequest = {}): Promise<HttpResult> {
    const headers: Record<string, string> = {
      Accept: r.accept ?? 'application/json',
      Authorization: `Bearer ${this.access.token}`,
      'User-Agent': 'gantry-bench',
    };
    if (r.body !== undefined) {
      headers['Content-Type'] = r.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(r.body));
    }
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: this.base.hostname, port: this.base.port, path, method, agent: this.agent, headers, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      if (r.body !== undefined) req.write(r.body);
      req.end();
    });
  }

  post(path: string, body: string): Promise<HttpResult> {
    return this.request('POST', path, { body });
  }

  get(path: string, accept?: string): Promise<HttpResult> {
    return this.request('GET', path, accept ? { accept } : {});
  }

  /**
   * Opens a watch and hands over each event line with the time its bytes arrived, without
   * parsing it: with 100 watchers the client would otherwise spend milliseconds per event
   * parsing JSON, and that delay would be counted against the server. `opened` resolves when
   * the response headers arrive.
   */
  watch(path: string, onLine: (line: string, receivedAt: number) => void): { opened: Promise<void>; stop: () => void } {
    let req: ReturnType<typeof https.request> | undefined;
    const opened = new Promise<void>((resolve, reject) => {
      req = https.request(
        { host: this.base.hostname, port: this.base.port, path, method: 'GET', agent: this.agent, headers: { Accept: 'application/json', Authorization: `Bearer ${this.access.token}`, 'User-Agent': 'gantry-bench' } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
            return;
          }
          resolve();
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const at = performance.now();
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              onLine(buf.slice(0, nl), at);
              buf = buf.slice(nl + 1);
            }
          });
          res.on('error', () => undefined);
        },
      );
      req.on('error', reject);
      req.end();
    });
    opened.catch(() => undefined);
    return { opened, stop: () => req?.destroy() };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Throws with the server's message unless the status is the expected one. */
export function expectStatus(res: HttpResult, want: number, what: string): void {
  if (res.status !== want) throw new Error(`${what}: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
}
