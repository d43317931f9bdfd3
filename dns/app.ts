// The cluster DNS server as a running component: shared informers over Services,
// EndpointSlices and Namespaces (no leader election: every instance serves), the zone
// resolver over their caches, the upstream forwarder, the UDP/TCP sockets, and the
// controller that keeps the kube-dns Service and EndpointSlice. main.ts runs it as a
// process; tests run it in-process.

import { ApiClient } from '../common/client/apiClient.js';
import type { RestClient } from '../common/client/restClient.js';
import { Manager } from '../common/controller/manager.js';
import type { Logger } from '../common/logging.js';
import { StoreView } from './clusterView.js';
import type { ResolvedDnsConfig } from './config.js';
import { Forwarder } from './forwarder.js';
import { DnsHandler } from './handler.js';
import { ZoneResolver } from './records.js';
import { registrationController } from './registration.js';
import { DnsServer } from './server.js';
import { endpointSlicesResource, namespacesResource, servicesResource, type EndpointSlice, type Service } from './types.js';

export interface DnsAppOptions {
  config: ResolvedDnsConfig;
  client: RestClient;
  logger: Logger;
}

export interface DnsApp {
  /** The port the sockets are bound to (--port, or the one picked for 0). */
  port: number;
  handler: DnsHandler;
  /** Resolves once every cache has listed once (before that, cluster names get SERVFAIL). */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDns(opts: DnsAppOptions): Promise<DnsApp> {
  const cfg = opts.config;
  const logger = opts.logger;
  const manager = new Manager({ client: opts.client, logger });
  const services = manager.informer<Service>(servicesResource);
  const slices = manager.informer<EndpointSlice>(endpointSlicesResource);
  const namespaces = manager.informer(namespacesResource);
  const view = new StoreView({ services: services.store, slices: slices.store, namespaces: namespaces.store }, () => manager.hasSynced());
  const resolver = new ZoneResolver(view, { clusterDomain: cfg.clusterDomain, ttl: cfg.ttlSeconds, nameserverIP: cfg.serviceIp });
  const forwarder = new Forwarder({ upstreams: cfg.upstreams, timeoutMs: cfg.upstreamTimeoutSeconds * 1000, logger });
  const handler = new DnsHandler({ resolver, forwarder, logger });
  const server = new DnsServer({ handler, listenAddress: cfg.listenAddress, port: cfg.port, logger });
  // Sockets first: a port in use is the operator's to fix, and should fail before any API traffic.
  await server.start();
  if (cfg.register) {
    const api = new ApiClient({ client: opts.client, qps: 5, burst: 10 });
    manager.add(registrationController({ api, logger, serviceIP: cfg.serviceIp, advertiseAddress: cfg.advertise, port: server.port }));
  }
  manager.start();
  return {
    port: server.port,
    handler,
    synced: () => manager.started(),
    stop: async () => {
      await server.stop();
      await manager.stop();
    },
  };
}
