// The distribution API v2 calls a pull needs: GET a manifest by tag or digest, GET a
// blob by digest. Each request carries what the Authorizer knows; a 401 is answered
// once (credentials or a fresh token) and retried.

import type { Readable } from 'node:stream';
import type { Logger } from '../../../common/logging.js';
import { RegistryError } from '../errors.js';
import { manifestAccept } from '../mediaTypes.js';
import type { Authorizer } from './authorizer.js';
import type { Endpoint } from './hosts.js';
import { readBody, type HttpResponse, type Transport } from './transport.js';

export interface FetchedManifest {
  bytes: Buffer;
  contentType?: string;
  /** What the registry says the digest is (Docker-Content-Digest); never trusted on its own. */
  claimedDigest?: string;
}

export interface FetchedBlob {
  body: Readable;
  /** Content-Length, when the registry sent one. */
  length?: number;
}

export class RegistryClient {
  readonly endpoint: Endpoint;
  private readonly transport: Transport;
  private readonly authorizer: Authorizer;
  private readonly log: Logger;

  constructor(endpoint: Endpoint, transport: Transport, authorizer: Authorizer, log: Logger) {
    this.endpoint = endpoint;
    this.transport = transport;
    this.authorizer = authorizer;
    this.log = log;
  }

  async getManifest(repository: string, reference: string, maxBytes: number): Promise<FetchedManifest> {
    const res = await this.get(repository, `manifests/${reference}`, { accept: manifestAccept });
    const what = `manifest ${repository}:${reference} from ${this.endpoint.host}`;
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes) {
      res.body.destroy();
      throw new RegistryError(`${what} is larger than ${maxBytes} bytes`);
    }
    const bytes = await readBody(res.body, maxBytes, what);
    const out: FetchedManifest = { bytes };
    const ct = res.headers['content-type'];
    if (ct) out.contentType = ct;
    const claimed = res.headers['docker-content-digest'];
    if (typeof claimed === 'string') out.claimedDigest = claimed;
    return out;
  }

  async getBlob(repository: string, digest: string): Promise<FetchedBlob> {
    const res = await this.get(repository, `blobs/${digest}`, {});
    const out: FetchedBlob = { body: res.body };
    const length = Number(res.headers['content-length']);
    if (res.headers['content-length'] !== undefined && Number.isSafeInteger(length)) out.length = length;
    return out;
  }

  private async get(repository: string, suffix: string, headers: Record<string, string>): Promise<HttpResponse> {
    const url = `${this.endpoint.apiBase}/${repository}/${suffix}`;
    const scope = `repository:${repository}:pull`;
    for (let attempt = 0; ; attempt++) {
      const res = await this.transport.request('GET', url, { ...headers, ...this.authorizer.headers(this.endpoint, scope) });
      if (res.status === 200) return res;
      if (res.status === 401) {
        res.body.resume();
        await this.authorizer.handleChallenge(this.endpoint, scope, res.headers['www-authenticate'], attempt > 0);
        continue;
      }
      const detail = await errorDetail(res);
      this.log.debug('registry request failed', { url, status: res.status, detail });
      const kind = suffix.startsWith('manifests/') ? 'manifest' : 'blob';
      const ref = suffix.slice(suffix.indexOf('/') + 1);
      const sep = kind === 'manifest' && !ref.includes(':') ? ':' : '@';
      if (res.status === 404) throw new RegistryError(`${kind} ${repository}${sep}${ref} not found at ${this.endpoint.host}${detail ? ` (${detail})` : ''}`, 404);
      if (res.status === 403) throw new RegistryError(`registry ${this.endpoint.host} denied access to ${repository} (HTTP 403${detail ? `: ${detail}` : ''})`, 403);
      throw new RegistryError(`registry ${this.endpoint.host} answered HTTP ${res.status} for ${kind} ${repository} ${ref}${detail ? `: ${detail}` : ''}`, res.status);
    }
  }
}

/** The first error message of a distribution API error body, if there is one. */
async function errorDetail(res: HttpResponse): Promise<string> {
  try {
    const body = await readBody(res.body, 64 * 1024, 'error body');
    const doc = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    const e = doc.errors?.[0];
    return e ? [e.code, e.message].filter(Boolean).join(': ') : '';
  } catch {
    return '';
  }
}
