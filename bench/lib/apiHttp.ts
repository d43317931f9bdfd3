// A lean HTTPS client for the load loops: keep-alive connections, bearer token, and the
// raw body back without parsing it. The benchmark shares two cores with the server, so
// the client spends no CPU it does not need to (common's RestClient parses every answer).

import https from 'node:https';
import type { ClusterAccess } from '../../common/kubeconfig.js';

export interface HttpResult {
  status: number;
  body: Buffer;
}

export interface HttpRequest {
  body?: string;
  accept?: string;
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
      headers['Content-Type'] = 'application/json';
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

  close(): void {
    this.agent.destroy();
  }
}

/** Throws with the server's message unless the status is the expected one. */
export function expectStatus(res: HttpResult, want: number, what: string): void {
  if (res.status !== want) throw new Error(`${what}: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
}
