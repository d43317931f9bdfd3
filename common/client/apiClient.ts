// Gantry's one typed API client (the `Api` contract of api.ts) over the RestClient: paths
// come from the resource descriptors, every non-2xx answer is thrown as the typed error of
// common/errors (statusError.ts), and a token bucket keeps the process under a client-side
// QPS limit as client-go's rest.Config QPS/Burst do (requests wait; none are dropped).

import type { KubeObject } from '../api/meta.js';
import { apiVersionOf } from '../api/meta.js';
import type { ResourceDescriptor, SubresourceName } from '../api/resources.js';
import type { Clock } from '../clock.js';
import { ConflictError } from '../errors.js';
import type { Api, DeleteOpts, ListOpts, ObjectList, PatchOpts, PatchType, UpdateSubresource, WriteOpts } from './api.js';
import type { RequestOptions, RestClient, RestResponse } from './restClient.js';
import { errorFromStatus } from './statusError.js';
import { TokenBucket } from './tokenBucket.js';

export const patchContentTypes: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * The path of a collection (no name), an object, or an object's subresource:
 * `/api/v1/namespaces/ns/pods/p/status`, `/apis/apps/v1/deployments` (all namespaces).
 * Cluster-scoped resources ignore `namespace`.
 */
export function resourcePath(r: ResourceDescriptor, namespace: string | undefined, name?: string, subresource?: SubresourceName | UpdateSubresource): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name !== undefined) {
    if (!name) throw new Error(`${r.plural}: an empty name`);
    if (r.namespaced && !namespace) throw new Error(`${r.plural} "${name}": a namespaced resource needs a namespace`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

export interface ApiClientOptions {
  client: RestClient;
  /** Client-side limit, as client-go's rest.Config: default 5 QPS with bursts of 10; qps <= 0 means none. */
  qps?: number;
  burst?: number;
  clock?: Clock;
  /** Per-request timeout; default the RestClient's (30 s). */
  timeoutMs?: number;
}

type Query = NonNullable<RequestOptions['query']>;

function writeQuery(o: WriteOpts | undefined): Query {
  return { dryRun: o?.dryRun ? 'All' : undefined, fieldManager: o?.fieldManager };
}

export class ApiClient implements Api {
  readonly limiter: TokenBucket;
  /** Requests sent and time spent waiting for the limiter, for metrics and tests. */
  readonly stats = { requests: 0, throttledMs: 0 };

  constructor(private readonly opts: ApiClientOptions) {
    this.limiter = new TokenBucket({ qps: opts.qps ?? 5, burst: opts.burst ?? 10, ...(opts.clock ? { clock: opts.clock } : {}) });
  }

  /** One request through the limiter; a non-2xx answer becomes the typed error. */
  async send<T>(method: string, path: string, o: RequestOptions = {}): Promise<RestResponse<T>> {
    const wait = this.limiter.reserve();
    if (wait > 0) {
      this.stats.throttledMs += wait;
      await new Promise((r) => setTimeout(r, wait));
    }
    this.stats.requests++;
    const r = await this.opts.client.request<T>(method, path, { ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}), ...o });
    if (r.status < 200 || r.status > 299) {
      throw errorFromStatus({ code: r.status, body: r.body, text: r.text, retryAfter: r.headers['retry-after'], request: `${method} ${path}` });
    }
    return r;
  }

  async get<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, name: string): Promise<T> {
    return (await this.send<T>('GET', resourcePath(r, namespace, name))).body;
  }

  async list<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, opts: ListOpts = {}): Promise<ObjectList<T>> {
    const query: Query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion };
    const res = await this.send<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>('GET', resourcePath(r, namespace), { query });
    const apiVersion = apiVersionOf(r);
    // List items omit kind and apiVersion on the wire; callers (owner references, events) need them.
    const items = (res.body.items ?? []).map((it) => ({ ...it, apiVersion: it.apiVersion ?? apiVersion, kind: it.kind ?? r.kind }));
    const out: ObjectList<T> = { items, resourceVersion: res.body.metadata?.resourceVersion ?? '' };
    if (res.body.metadata?.continue) out.continue = res.body.metadata.continue;
    return out;
  }

  async create<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, obj: T, opts?: WriteOpts): Promise<T> {
    const ns = namespace ?? obj.metadata?.namespace;
    if (r.namespaced && !ns) throw new Error(`creating ${r.plural}: a namespaced resource needs a namespace`);
    const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(r), kind: obj.kind ?? r.kind };
    return (await this.send<T>('POST', resourcePath(r, ns), { body, query: writeQuery(opts) })).body;
  }

  async update<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOpts): Promise<T> {
    return this.put(r, obj, undefined, opts);
  }

  async updateStatus<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, opts?: WriteOpts): Promise<T> {
    return this.put(r, obj, 'status', opts);
  }

  async updateSubresource<T extends KubeObject = KubeObject>(r: ResourceDescriptor, obj: T, subresource: UpdateSubresource, opts?: WriteOpts): Promise<T> {
    return this.put(r, obj, subresource, opts);
  }

  private async put<T extends KubeObject>(r: ResourceDescriptor, obj: T, sub: SubresourceName | UpdateSubresource | undefined, opts?: WriteOpts): Promise<T> {
    const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(r), kind: obj.kind ?? r.kind };
    return (await this.send<T>('PUT', resourcePath(r, obj.metadata?.namespace, obj.metadata?.name ?? '', sub), { body, query: writeQuery(opts) })).body;
  }

  async patch<T extends KubeObject = KubeObject>(r: ResourceDescriptor, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: PatchOpts = {}): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('server-side apply needs a fieldManager');
    const query: Query = { ...writeQuery(opts), force: type === 'apply' && opts.force ? true : undefined };
    // JSON is YAML, so an apply patch goes as JSON text under the apply content type.
    const body = typeof patch === 'string' ? patch : JSON.stringify(patch);
    return (await this.send<T>('PATCH', resourcePath(r, namespace, name, opts.subresource), { body, contentType: patchContentTypes[type], query })).body;
  }

  async delete(r: ResourceDescriptor, namespace: string | undefined, name: string, opts: DeleteOpts = {}): Promise<KubeObject | undefined> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.dryRun) body.dryRun = ['All'];
    const res = await this.send<KubeObject>('DELETE', resourcePath(r, namespace, name), { body });
    // A finished delete answers a Status; one still pending (finalizers, grace) the object.
    return res.body && res.body.kind !== 'Status' ? res.body : undefined;
  }

  async createSubresource(r: ResourceDescriptor, namespace: string | undefined, name: string, subresource: 'binding' | 'eviction', body: KubeObject): Promise<void> {
    await this.send('POST', resourcePath(r, namespace, name, subresource), { body });
  }
}

/** client-go's retry.DefaultRetry: 5 tries, 10 ms apart, ±10% jitter. */
export interface RetryBackoff {
  steps: number;
  durationMs: number;
  factor: number;
  jitter: number;
}

export const defaultRetry: RetryBackoff = { steps: 5, durationMs: 10, factor: 1, jitter: 0.1 };

/**
 * Runs `fn` (which must read the object afresh and write it back) until it does not throw
 * ConflictError, at most `backoff.steps` times; the last ConflictError, or any other error,
 * is thrown. Like client-go's retry.RetryOnConflict.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, backoff: RetryBackoff = defaultRetry, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  let delay = backoff.durationMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= backoff.steps) throw e;
    }
    await sleep(delay * (1 + Math.random() * backoff.jitter));
    delay *= backoff.factor;
  }
}
