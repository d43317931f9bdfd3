// HTTP(S) to registries with per-host TLS (custom CA, client certificate, or no
// verification when configured), keep-alive agents, an idle timeout and redirects
// (blob downloads are often redirected to object storage). Credentials never follow a
// redirect to another origin.

import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { RegistryError } from '../errors.js';
import type { TlsSettings } from './hosts.js';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: string;
}

export interface TransportOptions {
  tlsFor: (host: string) => TlsSettings;
  /** Socket idle timeout; default 60 s. */
  timeoutMs?: number;
}

const maxRedirects = 5;

export class Transport {
  private readonly opts: TransportOptions;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgents = new Map<string, https.Agent>();

  constructor(opts: TransportOptions) {
    this.opts = opts;
  }

  async request(method: 'GET' | 'HEAD', url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    let current = new URL(url);
    let hdrs = { ...headers };
    for (let hop = 0; ; hop++) {
      const res = await this.once(method, current, hdrs);
      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) || !location) {
        return { status: res.statusCode ?? 0, headers: res.headers, body: res, url: current.toString() };
      }
      res.resume();
      if (hop >= maxRedirects) throw new RegistryError(`too many redirects fetching ${url}`);
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RegistryError(`redirect to unsupported URL ${next.protocol}// from ${url}`);
      if (next.origin !== current.origin) {
        hdrs = Object.fromEntries(Object.entries(hdrs).filter(([k]) => k.toLowerCase() !== 'authorization'));
      }
      current = next;
    }
  }

  close(): void {
    this.httpAgent.destroy();
    for (const a of this.httpsAgents.values()) a.destroy();
    this.httpsAgents.clear();
  }

  private agentFor(u: URL): http.Agent {
    if (u.protocol === 'http:') return this.httpAgent;
    let agent = this.httpsAgents.get(u.host);
    if (!agent) {
      const tls = this.opts.tlsFor(u.host);
      const o: https.AgentOptions = { keepAlive: true, maxSockets: 16, rejectUnauthorized: !tls.insecureSkipVerify };
      if (tls.ca) o.ca = tls.ca;
      if (tls.cert) o.cert = tls.cert;
      if (tls.key) o.key = tls.key;
      agent = new https.Agent(o);
      this.httpsAgents.set(u.host, agent);
    }
    return agent;
  }

  private once(method: string, u: URL, headers: Record<string, string>): Promise<IncomingMessage> {
    const timeoutMs = this.opts.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(u, { method, headers: { 'user-agent': 'gantry-nodeagent', ...headers }, agent: this.agentFor(u) }, (res) => {
        res.on('error', () => undefined); // consumers see errors through their own pipeline
        resolve(res);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs} ms`)));
      req.on('error', (e) => reject(new RegistryError(`cannot fetch ${u.origin}${u.pathname}: ${e.message}`, undefined, { cause: e })));
      req.end();
    });
  }
}

/** Reads a whole (small) body, refusing more than maxBytes. */
export async function readBody(res: IncomingMessage, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > maxBytes) {
      res.destroy();
      throw new RegistryError(`${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
