// Serves the REST verbs of every registered resource and its subresources.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import type { Clock } from '../../common/clock.js';
import { rfc3339 } from '../../common/clock.js';
import { BadRequestError, ConflictError, InvalidError, MethodNotAllowedError, NotServedError, ApiError } from '../../common/errors.js';
import { applyJsonPatch } from '../patch/jsonPatch.js';
import { applyMergePatchInPlace } from '../patch/mergePatch.js';
import { openApiPatchMeta } from '../patch/patchMeta.js';
import type { PatchMeta } from '../patch/patchMeta.js';
import { applyStrategicMergePatch } from '../patch/strategicMergePatch.js';
import { patchTypeFromContentType, type PatchType } from '../patch/index.js';
import type { DeleteOptions, FieldValidation, ListOptions, WriteOptions } from '../registry/options.js';
import { evictPod } from '../registry/kinds/eviction.js';
import type { ResourceStore } from '../registry/resourceStore.js';
import type { TablePrinter } from '../tables/types.js';
import { decodeBody, mediaType, readBody } from './body.js';
import { requestBodyKind } from '../protobuf/kinds.js';
import { negotiate, type Negotiated } from './negotiate.js';
import type { ResourceRequest } from './requestInfo.js';
import { encodedList, send, sendEncoded, sendList, sendObject, sendWritten } from './respond.js';
import { serveWatch } from './watchStream.js';
import type { ServerSideApply } from '../apply/serverSideApply.js';

export interface ResourceHandlerDeps {
  stores: Map<string, ResourceStore>;
  printers: (resource: string) => TablePrinter;
  definitions: Record<string, unknown>;
  clock: Clock;
  apply: ServerSideApply;
  /** Streams a connect subresource (log, exec) from the node agent. */
  connect?: (info: ResourceRequest, req: IncomingMessage, res: ServerResponse, pod: KubeObject) => Promise<void>;
  /** Newest revision known to the watch cache (for bookmarks). */
  currentRevision: () => number;
  /** The authenticated user of a request, for kinds that record who asked. */
  requester?: (req: IncomingMessage) => WriteOptions['requester'];
}

/** Subresources that write the status of the object they belong to. */
function statusLike(subresource: string | undefined): 'status' | 'approval' | undefined {
  return subresource === 'status' || subresource === 'approval' ? subresource : undefined;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?[0-9]+$/.test(v)) throw new BadRequestError(`invalid ${name}: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

function fieldValidationParam(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw new BadRequestError(`fieldValidation must be one of Strict, Warn or Ignore, not ${JSON.stringify(v)}`);
}

/** Kubernetes names an unnamed writer after its user agent: `kubectl/v1.32.0 (linux/amd64)` -> `kubectl`. */
function managerFromUserAgent(ua: string | undefined): string {
  const first = (ua ?? '').split('/')[0]!.trim();
  return first.slice(0, 128) || 'unknown';
}

function writeOptions(q: URLSearchParams, req?: IncomingMessage): WriteOptions {
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw new BadRequestError(`dryRun: Unsupported value: ${JSON.stringify(d)}: supported values: "All"`);
  const out: WriteOptions = { dryRun: dryRun.length > 0, warnings: [] };
  const fm = q.get('fieldManager');
  if (fm) {
    if (fm.length > 128) throw new BadRequestError('fieldManager: Too long: may not be more than 128 bytes');
    out.fieldManager = fm;
  } else if (req) {
    out.fieldManager = managerFromUserAgent(req.headers['user-agent']);
  }
  const fv = fieldValidationParam(q);
  if (fv) out.fieldValidation = fv;
  return out;
}

function listOptions(q: URLSearchParams): ListOptions {
  const out: ListOptions = {};
  const ls = q.get('labelSelector');
  if (ls) out.labelSelector = ls;
  const fs = q.get('fieldSelector');
  if (fs) out.fieldSelector = fs;
  const limit = intParam(q, 'limit');
  if (limit !== undefined) out.limit = limit;
  const cont = q.get('continue');
  if (cont) out.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv !== null) out.resourceVersion = rv;
  const rvm = q.get('resourceVersionMatch');
  if (rvm) {
    const invalid = (reason: string, message: string): InvalidError => new InvalidError('ListOptions', '', [{ reason, message, field: 'resourceVersionMatch' }], 'meta.k8s.io');
    if (rvm !== 'Exact' && rvm !== 'NotOlderThan') throw invalid('FieldValueNotSupported', `Unsupported value: ${JSON.stringify(rvm)}: supported values: "Exact", "NotOlderThan"`);
    if (!rv) throw invalid('FieldValueForbidden', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (rvm === 'Exact' && rv === '0') throw invalid('FieldValueForbidden', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    out.resourceVersionMatch = rvm;
  }
  return out;
}

function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const out: DeleteOptions = {};
  const b = isObject(body) ? body : {};
  const grace = intParam(q, 'gracePeriodSeconds') ?? (typeof b.gracePeriodSeconds === 'number' ? b.gracePeriodSeconds : undefined);
  if (grace !== undefined) out.gracePeriodSeconds = Math.max(0, grace);
  const policy = q.get('propagationPolicy') ?? (typeof b.propagationPolicy === 'string' ? b.propagationPolicy : undefined);
  if (policy !== undefined && policy !== null) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw new BadRequestError(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
    }
    out.propagationPolicy = policy;
  } else if (b.orphanDependents === true || q.get('orphanDependents') === 'true') {
    out.propagationPolicy = 'Orphan';
  }
  if (isObject(b.preconditions)) {
    const p = b.preconditions;
    out.preconditions = {};
    if (typeof p.uid === 'string') out.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === 'string') out.preconditions.resourceVersion = p.resourceVersion;
  }
  const dry = [...q.getAll('dryRun'), ...(Array.isArray(b.dryRun) ? b.dryRun.map(String) : [])];
  if (dry.length) out.dryRun = true;
  return out;
}

function asObject(body: unknown, what = 'object'): KubeObject {
  if (!isObject(body)) throw new BadRequestError(`the request body must be a JSON or YAML ${what}`);
  if (body.metadata !== undefined && !isObject(body.metadata)) throw new BadRequestError('metadata must be an object');
  return { ...body, metadata: (body.metadata as KubeObject['metadata'] | undefined) ?? {} };
}

export class ResourceHandler {
  private readonly patchMetas = new Map<string, PatchMeta>();

  constructor(private readonly deps: ResourceHandlerDeps) {}

  store(info: ResourceRequest): ResourceStore {
    const s = this.deps.stores.get(`${info.group}/${info.resource}`);
    if (!s || s.descriptor.version !== info.version) throw new NotServedError();
    return s;
  }

  private patchMeta(store: ResourceStore): PatchMeta {
    const def = store.descriptor.definition;
    let meta = this.patchMetas.get(def);
    if (!meta) this.patchMetas.set(def, (meta = openApiPatchMeta(this.deps.definitions, def)));
    return meta;
  }

  async handle(info: ResourceRequest, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const store = this.store(info);
    const d = store.descriptor;
    if (d.namespaced === false && info.namespace !== undefined) throw new NotServedError();
    const ns = d.namespaced ? info.namespace : undefined;
    if (info.subresource && !d.subresources.includes(info.subresource as never) && !(info.resource === 'namespaces' && info.subresource === 'finalize')) {
      throw new NotServedError();
    }
    const neg = negotiate(req.headers.accept, query.get('includeObject'));
    const printer = this.deps.printers(d.plural);
    const now = this.deps.clock.now();

    switch (info.verb) {
      case 'get': {
        const rv = query.get('resourceVersion');
        const obj = await store.getEncoded(ns, info.name!, rv !== null ? { resourceVersion: rv } : {});
        if (info.subresource === 'scale') return send(res, 200, toScale(obj.object));
        return sendEncoded(res, 200, obj, neg, printer, now);
      }
      case 'list':
        return sendList(res, await store.listEncoded(ns, listOptions(query)), neg, printer, now);
      case 'watch':
        return this.watch(store, ns, info, req, res, query, neg, printer);
      case 'create':
        return this.create(store, ns, info, req, res, query, neg, printer, now);
      case 'update':
        return this.update(store, ns, info, req, res, query, neg, printer, now);
      case 'patch':
        return this.patch(store, ns, info, req, res, query, neg, printer, now);
      case 'delete': {
        const raw = await readBody(req);
        const body = raw.length ? decodeBody(raw, req.headers['content-type'] ?? 'application/json', requestBodyKind(d, info.verb, info.subresource)) : undefined;
        const out = await store.delete(ns, info.name!, deleteOptions(query, body));
        return sendObject(res, 200, out.object, neg, printer, now);
      }
      case 'deletecollection': {
        const raw = await readBody(req);
        const body = raw.length ? decodeBody(raw, req.headers['content-type'] ?? 'application/json', requestBodyKind(d, info.verb, info.subresource)) : undefined;
        const list = await store.deleteCollection(ns, listOptions(query), deleteOptions(query, body));
        return sendList(res, encodedList(list), neg, printer, now);
      }
      case 'connect': {
        if (!this.deps.connect) throw new MethodNotAllowedError(`${info.subresource ?? 'connect'} is not available`);
        const pod = await store.get(ns, info.name!);
        return this.deps.connect(info, req, res, pod);
      }
    }
  }

  private watch(store: ResourceStore, ns: string | undefined, info: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, neg: Negotiated, printer: TablePrinter): void {
    const opts = listOptions(q);
    if (info.name) opts.fieldSelector = [opts.fieldSelector, `metadata.name=${info.name}`].filter(Boolean).join(',');
    const timeout = intParam(q, 'timeoutSeconds');
    // Like Kubernetes' min-request-timeout: spread between 30 and 60 minutes unless the client asks.
    const timeoutSeconds = timeout !== undefined && timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800);
    const watchOpts: { labelSelector?: string; fieldSelector?: string; resourceVersion?: string } = {};
    if (opts.labelSelector) watchOpts.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) watchOpts.fieldSelector = opts.fieldSelector;
    if (opts.resourceVersion !== undefined) watchOpts.resourceVersion = opts.resourceVersion;
    serveWatch(
      req,
      res,
      {
        timeoutSeconds,
        ...(q.get('allowWatchBookmarks') === 'true' ? { bookmarkEveryMs: 60_000 } : {}),
        currentRevision: this.deps.currentRevision,
        kind: store.descriptor.kind,
        apiVersion: store.apiVersion,
        negotiated: neg,
        printer,
        now: () => this.deps.clock.now(),
      },
      (sink) => store.watch(ns, watchOpts, sink),
    );
  }

  private async create(store: ResourceStore, ns: string | undefined, info: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, neg: Negotiated, printer: TablePrinter, now: number): Promise<void> {
    const body = decodeBody(await readBody(req), req.headers['content-type'], requestBodyKind(store.descriptor, info.verb, info.subresource));
    const opts = writeOptions(q, req);
    if (info.subresource === 'binding') return this.bind(store, ns, info.name!, asObject(body, 'Binding'), opts, res);
    if (info.subresource === 'eviction') return this.evict(store, ns, info.name!, asObject(body, 'Eviction'), res, opts.dryRun === true);
    if (info.name) throw new MethodNotAllowedError(`POST is not allowed on a named ${info.resource} object`);
    const requester = this.deps.requester?.(req);
    if (requester) opts.requester = requester;
    const out = await store.create(ns, asObject(body), opts);
    sendWritten(res, 201, out, neg, printer, now, opts.warnings);
  }

  private async bind(store: ResourceStore, ns: string | undefined, name: string, binding: KubeObject, opts: WriteOptions, res: ServerResponse): Promise<void> {
    const target = isObject(binding.target) ? binding.target : {};
    const node = typeof target.name === 'string' ? target.name : '';
    if (!node) throw new BadRequestError('Binding.target.name is required');
    if (binding.metadata.name && binding.metadata.name !== name) throw new BadRequestError('the name of the Binding does not match the pod');
    const ref = { resource: 'pods', name };
    await store.guaranteedUpdate(ns, name, (pod) => {
      const spec = isObject(pod.spec) ? pod.spec : {};
      if (pod.metadata.deletionTimestamp) throw new ConflictError(ref, 'pod is being deleted, cannot be assigned to a host');
      if (spec.nodeName) throw new ConflictError(ref, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
      if (binding.metadata.uid && binding.metadata.uid !== pod.metadata.uid) throw new ConflictError(ref, 'the pod uid does not match the binding');
      pod.spec = { ...spec, nodeName: node };
      const status = isObject(pod.status) ? pod.status : {};
      const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c) => !(isObject(c) && c.type === 'PodScheduled'));
      conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(this.deps.clock.now()) });
      pod.status = { ...status, conditions };
      return pod;
    }, opts, 'binding');
    send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  private async evict(store: ResourceStore, ns: string | undefined, name: string, eviction: KubeObject, res: ServerResponse, dryRun: boolean): Promise<void> {
    const opts = isObject(eviction.deleteOptions) ? deleteOptions(new URLSearchParams(), eviction.deleteOptions) : {};
    if (dryRun) opts.dryRun = true;
    const podDisruptionBudgets = this.deps.stores.get('policy/poddisruptionbudgets');
    if (!podDisruptionBudgets || ns === undefined) throw new BadRequestError('eviction needs a namespaced pod');
    await evictPod({ pods: store, podDisruptionBudgets, now: () => this.deps.clock.now() }, ns, name, opts);
    send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  private async update(store: ResourceStore, ns: string | undefined, info: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, neg: Negotiated, printer: TablePrinter, now: number): Promise<void> {
    const body = asObject(decodeBody(await readBody(req), req.headers['content-type'], requestBodyKind(store.descriptor, info.verb, info.subresource)));
    const opts = writeOptions(q, req);
    const requester = this.deps.requester?.(req);
    if (requester) opts.requester = requester;
    const name = info.name;
    if (!name) throw new MethodNotAllowedError('PUT needs an object name');
    if (info.subresource === 'scale') {
      const out = await this.writeScale(store, ns, name, () => body, opts);
      return send(res, 200, out);
    }
    if (info.subresource === 'finalize') {
      const out = await store.guaranteedUpdate(ns, name, (current) => {
        const spec = isObject(body.spec) ? body.spec : {};
        current.spec = { ...(isObject(current.spec) ? current.spec : {}), finalizers: Array.isArray(spec.finalizers) ? spec.finalizers : [] };
        return current;
      }, opts, 'finalize');
      return sendObject(res, 200, out.object, neg, printer, now, opts.warnings);
    }
    const out = await store.update(ns, name, body, opts, statusLike(info.subresource));
    sendWritten(res, out.created ? 201 : 200, out, neg, printer, now, opts.warnings);
  }

  private async patch(store: ResourceStore, ns: string | undefined, info: ResourceRequest, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, neg: Negotiated, printer: TablePrinter, now: number): Promise<void> {
    const type = patchTypeFromContentType(mediaType(req.headers['content-type']));
    if (!type) throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    const patch = decodeBody(await readBody(req), req.headers['content-type']);
    const opts = writeOptions(q, req);
    const requester = this.deps.requester?.(req);
    if (requester) opts.requester = requester;
    const name = info.name;
    if (!name) throw new MethodNotAllowedError('PATCH needs an object name');
    if (type === 'apply') {
      const force = q.get('force') === 'true';
      if (!opts.fieldManager) throw new BadRequestError('PATCH with application/apply-patch+yaml requires a fieldManager parameter');
      const out = await this.deps.apply.apply({ store, namespace: ns, name, applied: asObject(patch), manager: opts.fieldManager, force, opts, subresource: info.subresource === 'status' ? 'status' : undefined });
      return sendObject(res, out.created ? 201 : 200, out.object, neg, printer, now, opts.warnings);
    }
    const apply = (current: unknown): unknown => this.applyPatch(type, current, patch, store);
    if (info.subresource === 'scale') {
      const out = await this.writeScale(store, ns, name, (scale) => asObject(apply(scale)), opts);
      return send(res, 200, out);
    }
    const out = await store.guaranteedUpdate(ns, name, (current) => {
      const patched = apply(current);
      if (!isObject(patched)) throw new BadRequestError('the patch produced something that is not an object');
      return patched as KubeObject;
    }, opts, statusLike(info.subresource));
    sendWritten(res, 200, out, neg, printer, now, opts.warnings);
  }

  private applyPatch(type: Exclude<PatchType, 'apply'>, current: unknown, patch: unknown, store: ResourceStore): unknown {
    switch (type) {
      case 'json':
        return applyJsonPatch(current, patch);
      case 'merge':
        // `current` is the store's private copy (or a fresh Scale view): merged into, not copied again.
        return applyMergePatchInPlace(current, patch);
      case 'strategic':
        return applyStrategicMergePatch(current, patch, this.patchMeta(store));
    }
  }

  /** Scale is a view of spec.replicas and status of Deployments and ReplicaSets. */
  private async writeScale(store: ResourceStore, ns: string | undefined, name: string, change: (scale: KubeObject) => KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const out = await store.guaranteedUpdate(ns, name, (current) => {
      const scale = change(toScale(current));
      const spec = isObject(scale.spec) ? scale.spec : {};
      const replicas = spec.replicas ?? 0; // Go's omitempty: a Scale to 0 carries no replicas
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw new ApiError('Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
          name,
          kind: 'Scale',
          group: 'autoscaling',
          causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' }],
        });
      }
      const rv = scale.metadata.resourceVersion;
      current.spec = { ...(isObject(current.spec) ? current.spec : {}), replicas };
      if (rv) current.metadata.resourceVersion = rv;
      return current;
    }, opts, 'scale');
    return toScale(out.object);
  }
}

export function toScale(obj: KubeObject): KubeObject {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const status = isObject(obj.status) ? obj.status : {};
  const selector = isObject(spec.selector) && isObject(spec.selector.matchLabels)
    ? Object.entries(spec.selector.matchLabels).map(([k, v]) => `${k}=${String(v)}`).join(',')
    : '';
  const meta: KubeObject['metadata'] = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const) if (obj.metadata[k] !== undefined) (meta as Record<string, unknown>)[k] = obj.metadata[k];
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: meta,
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector },
  };
}
