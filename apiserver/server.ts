// Assembles the API server: storage and watch cache, the kind registry, authentication,
// discovery and OpenAPI, and the HTTPS listener.

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import { builtinResources, reviewResources } from '../common/api/resources.js';
import type { KubeObject } from '../common/api/meta.js';
import type { Clock } from '../common/clock.js';
import { realClock } from '../common/clock.js';
import { ApiError, ForbiddenError, NotFoundError, NotServedError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { definitions } from '../common/schemas/index.js';
import { FieldManager } from './apply/fieldManagerApply.js';
import { admitNodeRequest, nodeOfUser, nodeRestrictionLookups } from './admission/nodeRestriction.js';
import { admitSchedulerPodPatch, isSchedulerPodPatch } from './admission/schedulerRestriction.js';
import { admitDefaultTolerations, gantryDefaultTolerationSeconds, type DefaultTolerationSeconds } from './admission/defaultTolerations.js';
import { admitPodPriority, admitPriorityClass, type PriorityClassLookup } from './admission/priority.js';
import { admitPersistentVolume, admitPersistentVolumeClaim, type StorageClassLookup } from './admission/storageDefaults.js';
import { admitPersistentVolumeClaimUpdate, admitPersistentVolumeUpdate } from './admission/storageRestrictions.js';
import { authorizeRequest, RequestAuthenticator } from './auth/authenticator.js';
import { withLabelSelector, type Rule } from './auth/authorizer.js';
import { followPods, NodeGraph } from './auth/nodeGraph.js';
import { BootstrapTokenAuthenticator } from './auth/bootstrapTokens.js';
import { restrictCsrReads } from './auth/csrRestriction.js';
import { TokenAuthenticator, type UserInfo } from './auth/tokens.js';
import { aggregatedDiscoveryType, buildDiscovery, serverVersion } from './discovery/discovery.js';
import { EtcdCheck, HealthEndpoints, pingCheck, type HealthEndpoint } from './http/health.js';
import { ResourceHandler } from './http/resourceHandler.js';
import { resolveRequest, type RequestInfo } from './http/requestInfo.js';
import { send, sendStatus } from './http/respond.js';
import { statusFromError } from './http/status.js';
import { RequestGuard, refuseAndClose, type ServingLimitsOverrides } from './http/servingLimits.js';
import { ApiMetrics } from './metrics.js';
import { openApiV3 } from './openapi/index.js';
import { buildOpenApiV2, serveOpenApiV2 } from './openapi/v2.js';
import type { KubeletClientCredentials } from './proxy/agentTls.js';
import { PodConnector } from './proxy/podConnector.js';
import { MetricsAwareAuthorizer } from './metricsapi/authorization.js';
import { MetricsApi } from './metricsapi/metricsApi.js';
import { sendMetrics } from './metricsapi/metricsResponse.js';
import { metricsResources } from './metricsapi/resources.js';
import { httpsSummaryFetcher } from './metricsapi/summaryClient.js';
import { UsageCollector } from './metricsapi/usageCollector.js';
import { serviceAllocation } from './registry/allocators/serviceAllocation.js';
import { builtinKinds } from './registry/registry.js';
import { ReviewEndpoint } from './registry/reviewEndpoint.js';
import { ResourceStore, type ResourceStoreDeps } from './registry/resourceStore.js';
import type { Allocator } from './registry/strategy.js';
import { EtcdStorage, type EtcdClientCredentials } from './storage/etcdStorage.js';
import type { ValueTransformer } from './storage/encryption.js';
import type { Storage } from './storage/storage.js';
import { printerFor } from './tables/registry.js';
import { createValidator } from './validation/index.js';
import { WatchCache } from './watchcache/watchCache.js';

export interface ApiServerOptions {
  etcdEndpoints: string[];
  /** Encryption at rest (--encryption-provider-config); default plain. */
  valueTransformer?: ValueTransformer;
  /** For an https etcd: its CA and the API server's client certificate. */
  etcdTls?: EtcdClientCredentials;
  /** Address to listen on; port 0 picks a free one. */
  host: string;
  port: number;
  /** clientCaPem: verify client certificates against it (--client-ca-file); CN = user, O = groups. */
  tls: { certPem: string; keyPem: string; caPem?: string; clientCaPem?: string };
  /** Bearer tokens `<id>.<secret>` from kube-system's bootstrap-token Secrets (default true, as kubeadm enables them). */
  bootstrapTokens?: boolean;
  authenticator: TokenAuthenticator;
  rules?: Rule[];
  logger: Logger;
  clock?: Clock;
  /** Key root in etcd. Tests give each server its own. */
  etcdPrefix?: string;
  /** Client certificate for node agents (pods/log, pods/exec); without it those answer 503. */
  kubeletClient?: KubeletClientCredentials;
  /** Where Service cluster IPs come from (default 10.96.0.0/12). */
  serviceClusterIPRange?: string;
  /** Where Service node ports come from (default 30000-32767). */
  serviceNodePortRange?: string;
  /** tolerationSeconds of the not-ready/unreachable tolerations added to pods (default 4 s each). */
  defaultTolerationSeconds?: DefaultTolerationSeconds;
  /** Request timeouts, in-flight and connection limits (default: Kubernetes' values, see http/servingLimits.ts). */
  limits?: ServingLimitsOverrides;
  /** Compact etcd's history every five minutes (default true); one of several workers on a host does it. */
  compaction?: boolean;
}

export interface RunningApiServer {
  url: string;
  port: number;
  stores: Map<string, ResourceStore>;
  cache: WatchCache;
  storage: Storage;
  close(): Promise<void>;
}

const bootstrapNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const logger = opts.logger;
  const clock = opts.clock ?? realClock;
  const root = opts.etcdPrefix ?? '/registry/';
  const storage = new EtcdStorage({ endpoints: opts.etcdEndpoints, logger: logger.child({ subsystem: 'storage' }), ...(opts.valueTransformer ? { transformer: opts.valueTransformer } : {}), ...(opts.etcdTls ? { tls: opts.etcdTls } : {}) });
  const cache = new WatchCache({ storage, logger: logger.child({ subsystem: 'watchcache' }), root });
  await cache.start();

  const validator = createValidator(definitions);
  // Compiling a schema takes a few hundred milliseconds: do it before the first request, not during it.
  validator.precompile(builtinResources.map((r) => r.definition));
  const fieldManager = new FieldManager(definitions, clock);
  const stores = new Map<string, ResourceStore>();
  const namespaceGate = async (ns: string): Promise<void> => {
    const nsStore = stores.get('/namespaces')!;
    let namespace: KubeObject;
    try {
      namespace = await nsStore.get(undefined, ns, { resourceVersion: '0' }).catch(() => nsStore.get(undefined, ns));
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError({ resource: 'namespaces', name: ns });
      throw e;
    }
    if (namespace.metadata.deletionTimestamp) {
      throw new ForbiddenError(`unable to create new content in namespace ${ns} because it is being terminated`);
    }
  };
  const priorityClasses: PriorityClassLookup = {
    get: (name) => cache.get(`${root}priorityclasses.scheduling.k8s.io/${name}`)?.object,
    list: () => cache.list(`${root}priorityclasses.scheduling.k8s.io/`).map((e) => e.object),
  };
  const storageClasses: StorageClassLookup = {
    get: (name) => cache.get(`${root}storageclasses.storage.k8s.io/${name}`)?.object,
    list: () => cache.list(`${root}storageclasses.storage.k8s.io/`).map((e) => e.object),
  };
  const admitters: Partial<Record<string, (obj: KubeObject) => void>> = {
    pods: (pod) => {
      admitPodPriority(pod, priorityClasses);
      admitDefaultTolerations(pod, opts.defaultTolerationSeconds ?? gantryDefaultTolerationSeconds);
    },
    priorityclasses: (pc) => admitPriorityClass(pc, priorityClasses),
    persistentvolumeclaims: (pvc) => admitPersistentVolumeClaim(pvc, storageClasses),
    persistentvolumes: admitPersistentVolume,
  };
  const updateAdmitters: Partial<Record<string, NonNullable<ResourceStoreDeps['admitUpdate']>>> = {
    persistentvolumeclaims: (pvc, old, requester, sub) => admitPersistentVolumeClaimUpdate(pvc, old, requester, sub, storageClasses),
    persistentvolumes: admitPersistentVolumeUpdate,
  };
  const services = serviceAllocation({ storage, root, clock, logger, serviceClusterIPRange: opts.serviceClusterIPRange, serviceNodePortRange: opts.serviceNodePortRange });
  const allocators: Partial<Record<string, Allocator>> = { services: services.allocator };
  for (const [key, kind] of builtinKinds()) {
    const admitCreate = admitters[kind.descriptor.plural];
    const admitUpdate = updateAdmitters[kind.descriptor.plural];
    const allocator = allocators[kind.descriptor.plural];
    stores.set(key, new ResourceStore({ ...kind, storage, cache, validator, clock, logger: logger.child({ resource: kind.descriptor.plural }), namespaceGate, root, fieldTracker: fieldManager, ...(admitCreate ? { admitCreate } : {}), ...(admitUpdate ? { admitUpdate } : {}), ...(allocator ? { allocator } : {}) }));
  }
  // Like kube-apiserver's repair controllers: mend claims before serving, then every 3 minutes.
  await services.repair.runOnce().catch((e: unknown) => logger.warn('service claim repair failed', { error: String(e) }));
  services.repair.start(3 * 60 * 1000);
  for (const ns of bootstrapNamespaces) {
    await stores.get('/namespaces')!.create(undefined, { metadata: { name: ns } }).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    });
  }

  const discovery = buildDiscovery([...builtinResources, ...reviewResources, ...metricsResources]);
  const openapi = openApiV3(builtinResources, definitions);
  // The Node authorizer's graph follows the pods in the watch cache (see nodeGraph.ts).
  const nodeGraph = new NodeGraph();
  const stopNodeGraph = followPods(cache, root, nodeGraph, logger.child({ subsystem: 'nodeauthorizer' }));
  const authorizer = new MetricsAwareAuthorizer(opts.rules, { nodeGraph });
  const authenticator = new RequestAuthenticator({
    tokens: opts.authenticator,
    anonymous: true,
    ...(opts.bootstrapTokens !== false ? { bootstrap: new BootstrapTokenAuthenticator({ secret: (name) => cache.get(`${root}secrets/kube-system/${name}`)?.object, clock }) } : {}),
  });
  const csrRequester = (name: string): string | undefined => {
    const csr = cache.get(`${root}certificatesigningrequests.certificates.k8s.io/${name}`)?.object;
    const spec = csr?.spec as { username?: unknown } | undefined;
    return csr ? String(spec?.username ?? '') : undefined;
  };
  const requesters = new WeakMap<IncomingMessage, UserInfo>();
  const reviews = new ReviewEndpoint({ authorizer, validator });
  const metrics = new ApiMetrics();
  const guard = new RequestGuard(opts.limits);
  /** Who is asking and may they: the same gate for plain requests and connection upgrades. */
  const admit = (req: IncomingMessage, url: URL): { user: UserInfo; info: RequestInfo } => {
    const info = resolveRequest(req.method ?? 'GET', url.pathname, url.searchParams);
    const user = authenticator.authenticate(req);
    authorizeRequest(authorizer, user, withLabelSelector(info, url.searchParams));
    restrictCsrReads(user, info, url.searchParams, csrRequester);
    requesters.set(req, user);
    return { user, info };
  };
  const store = (key: string): ResourceStore => stores.get(key)!;
  // The watch cache first (cheap); a miss there may just be news it has not seen yet.
  const fresh = (key: string, ns: string | undefined, name: string): Promise<KubeObject> =>
    store(key).get(ns, name, { resourceVersion: '0' }).catch((e: unknown) => {
      if (e instanceof NotFoundError) return store(key).get(ns, name);
      throw e;
    });
  const connector = new PodConnector({
    credentials: opts.kubeletClient,
    getNode: (name) => fresh('/nodes', undefined, name),
    getPod: (ns, name) => store('/pods').get(ns, name),
    admit: (req, url) => admit(req, url),
    logger: logger.child({ subsystem: 'podproxy' }),
  });
  // metrics.k8s.io: usage fanned out from the Ready nodes' agents over the pods/log channel.
  const usage = new UsageCollector({ nodes: () => cache.list(`${root}nodes/`).map((e) => e.object), fetch: httpsSummaryFetcher(opts.kubeletClient), clock, logger: logger.child({ subsystem: 'metricsapi' }) });
  const metricsApi = new MetricsApi({
    snapshot: () => usage.snapshot(),
    listNodes: async (s) => (await store('/nodes').list(undefined, { ...s, resourceVersion: '0' })).items,
    getNode: (name) => fresh('/nodes', undefined, name),
    listPods: async (ns, s) => (await store('/pods').list(ns, { ...s, resourceVersion: '0' })).items,
    getPod: (ns, name) => fresh('/pods', ns, name),
    clock,
  });
  const handler = new ResourceHandler({
    stores,
    printers: printerFor,
    definitions,
    clock,
    apply: fieldManager,
    connect: connector.connect,
    currentRevision: () => cache.revision,
    requester: (req) => requesters.get(req),
  });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  // Authentication and authorization come first, for every path.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.originalUrl, 'https://gantry');
    let info: RequestInfo;
    let user: UserInfo;
    try {
      ({ user, info } = admit(req, url));
    } catch (e) {
      const { status } = statusFromError(e);
      // A stranger holds nothing: 401 before the body is read, and the connection closed.
      if (status.code === 401) refuseAndClose(res, status);
      else sendStatus(res, status);
      return;
    }
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const resource = info.kind === 'resource' ? info.resource + (info.subresource ? '/' + info.subresource : '') : '';
      metrics.observe(info.verb, resource, res.statusCode, seconds);
    });
    res.locals.info = info;
    res.locals.user = user;
    res.locals.url = url;
    guard.admit(req, res, user, info, () => {
      if (isSchedulerPodPatch(user, info)) {
        admitSchedulerPodPatch(req).then(
          () => next(),
          (e: unknown) => sendStatus(res, statusFromError(e).status),
        );
        return;
      }
      const node = nodeOfUser(user);
      if (node === undefined) return next();
      admitNodeRequest(user, info, nodeRestrictionLookups(store('/pods'), store('/nodes'), req, node)).then(
        () => next(),
        (e: unknown) => sendStatus(res, statusFromError(e).status),
      );
    });
  });

  const get = (path: string, fn: (req: express.Request, res: express.Response) => unknown): void => {
    app.get(path, (req, res) => {
      try {
        fn(req, res);
      } catch (e) {
        sendStatus(res, statusFromError(e).status);
      }
    });
  };
  get('/version', (_req, res) => send(res, 200, serverVersion));
  // etcd is no liveness check: a restart of this process would not bring it back (health.ts).
  const etcdCheck = new EtcdCheck(() => storage.currentRevision());
  const health = new HealthEndpoints({ livez: [pingCheck], readyz: [pingCheck, etcdCheck], healthz: [pingCheck, etcdCheck] }, logger.child({ subsystem: 'health' }));
  const healthPath = /^\/(livez|readyz|healthz)(?:\/([^/]+))?$/;
  app.get(healthPath, (req, res) => {
    const [, endpoint, check] = healthPath.exec(req.path)!;
    health.serve(endpoint as HealthEndpoint, check, (res.locals.url as URL).searchParams, res as unknown as ServerResponse).then(
      (served) => {
        if (!served) sendStatus(res, statusFromError(new NotServedError()).status);
      },
      (e: unknown) => sendStatus(res, statusFromError(e).status),
    );
  });
  get('/metrics', (_req, res) => {
    void metrics.render().then((text) => res.type(metrics.contentType).send(text));
  });
  get('/api', (req, res) => {
    const agg = aggregatedDiscoveryType(req.headers.accept);
    if (agg) return sendAggregated(res, agg, discovery.aggregatedLegacy);
    send(res, 200, discovery.legacyVersions);
  });
  get('/apis', (req, res) => {
    const agg = aggregatedDiscoveryType(req.headers.accept);
    if (agg) return sendAggregated(res, agg, discovery.aggregatedGroups);
    send(res, 200, discovery.groupList);
  });
  get('/api/v1', (_req, res) => send(res, 200, discovery.resourceLists.get('v1')));
  get('/apis/:group/:version', (req, res) => {
    const list = discovery.resourceLists.get(`${String(req.params.group)}/${String(req.params.version)}`);
    if (!list) throw new NotServedError();
    send(res, 200, list);
  });
  get('/apis/:group', (req, res) => {
    const groups = (discovery.groupList as { groups: { name: string }[] }).groups;
    const g = groups.find((x) => x.name === req.params.group);
    if (!g) throw new NotServedError();
    send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
  });
  const openApiV2 = buildOpenApiV2(builtinResources, definitions, serverVersion.gitVersion);
  get('/openapi/v2', (req, res) => serveOpenApiV2(openApiV2, req, res));
  get('/openapi/v3', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.end(openapi.indexBody);
  });
  app.get(/^\/openapi\/v3\/(.+)$/, (req, res) => {
    const doc = openapi.documents.get(req.path.slice('/openapi/v3/'.length));
    if (!doc) return sendStatus(res, statusFromError(new NotServedError()).status);
    // The URL carries the content hash, so a client may cache the document for good.
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: `"${doc.hash}"`, 'Cache-Control': req.query.hash === doc.hash ? 'public, immutable' : 'no-cache, private' });
    res.end(doc.body);
  });

  app.use((req, res) => {
    const info = res.locals.info as RequestInfo;
    const url = res.locals.url as URL;
    if (info.kind !== 'resource') {
      sendStatus(res, statusFromError(new NotServedError()).status);
      return;
    }
    const served = metricsApi.serves(info)
      ? metricsApi.handle(info, url.searchParams).then((body) => sendMetrics(res as unknown as ServerResponse, req.headers.accept, url.searchParams.get('includeObject'), body, clock.now()))
      : reviews.serves(info)
      ? reviews.handle(info, res.locals.user as UserInfo, req as unknown as IncomingMessage, res as unknown as ServerResponse)
      : handler.handle(info, req as unknown as IncomingMessage, res as unknown as ServerResponse, url.searchParams);
    served.catch((e: unknown) => {
      const { status, internal } = statusFromError(e);
      // The request stream ends (and is destroyed) once its body is read; only a gone socket means the client left.
      if (!res.socket || res.socket.destroyed || (e instanceof Error && e.message === 'aborted')) {
        logger.debug('client went away mid-request', { method: req.method, path: url.pathname });
        return;
      }
      if (internal) logger.error('request failed', { method: req.method, path: url.pathname, error: e instanceof Error ? e.stack : String(e) });
      if (res.headersSent) {
        res.end();
        return;
      }
      sendStatus(res, status);
    });
  });

  // With a client CA, TLS asks for (never requires) a certificate and verifies it; tokens still work.
  const clientCerts = opts.tls.clientCaPem ? { ca: opts.tls.clientCaPem, requestCert: true, rejectUnauthorized: false } : {};
  const server = https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem, ...clientCerts, ...guard.serverOptions() }, app);
  guard.attach(server);
  // express never sees upgrades: exec's websocket handshake comes here.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => connector.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  logger.info('API server listening', { url, etcd: opts.etcdEndpoints });

  const compactor = opts.compaction === false ? undefined : startCompactor(storage, logger, cache);

  return {
    url,
    port,
    stores,
    cache,
    storage,
    close: async () => {
      clearInterval(compactor);
      services.repair.stop();
      stopNodeGraph();
      cache.stop();
      connector.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await storage.close();
    },
  };
}

function sendAggregated(res: express.Response, contentType: string, body: object): void {
  const version = contentType.includes('v=v2beta1') ? 'v2beta1' : 'v2';
  const text = JSON.stringify({ ...body, apiVersion: `apidiscovery.k8s.io/${version}` });
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Like the Kubernetes API server: compact etcd history every five minutes, keeping the watch window servable. */
function startCompactor(storage: Storage, logger: Logger, cache: WatchCache): NodeJS.Timeout {
  let last = 0;
  const t = setInterval(() => {
    const target = last;
    last = cache.revision;
    if (target > 0) storage.compact(target).catch((e: unknown) => logger.warn('etcd compaction failed', { error: String(e) }));
  }, 5 * 60 * 1000);
  t.unref();
  return t;
}
