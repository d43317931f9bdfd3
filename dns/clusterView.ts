// What the DNS server answers from: the Services, EndpointSlices and Namespaces its shared
// informers hold, read at query time (nothing is precomputed, so an update is visible to
// the next query). Indexes find a Service's slices and the owners of an address (PTR).

import type { IndexedStore, IndexFunc, InformedObject } from '../common/client/informer.js';
import { serviceNameLabel, type EndpointSlice, type Service, type SliceEndpoint } from './types.js';

/** One address DNS publishes for a Service. */
export interface PublishedEndpoint {
  ip: string;
  /** The endpoint's hostname (a pod's spec.hostname under spec.subdomain = the Service). */
  hostname?: string;
}

/** Who owns an address, for PTR answers. */
export type AddressOwner = { kind: 'service'; namespace: string; service: string } | { kind: 'endpoint'; namespace: string; service: string; hostname: string };

export interface ClusterView {
  /** False until every informer has listed once: answers would be wrong (NXDOMAIN for everything). */
  synced(): boolean;
  namespaceExists(namespace: string): boolean;
  service(namespace: string, name: string): Service | undefined;
  /** Ready addresses (every address when the Service publishes not-ready ones), once each. */
  endpoints(service: Service): PublishedEndpoint[];
  /** Services whose cluster IP is `ip`, and named endpoints of headless Services at `ip`. */
  owners(ip: string): AddressOwner[];
}

export const isHeadless = (s: Service): boolean => s.spec?.clusterIP === 'None';

/** `namespace/service` of a slice (its service-name label). */
export const sliceService: IndexFunc<EndpointSlice> = (s) => {
  const svc = s.metadata.labels?.[serviceNameLabel];
  return svc ? [`${s.metadata.namespace ?? ''}/${svc}`] : [];
};
/** Addresses of endpoints that have a hostname: the only ones with a PTR of their own. */
export const sliceNamedAddresses: IndexFunc<EndpointSlice> = (s) => (s.endpoints ?? []).filter((e) => e.hostname).flatMap((e) => e.addresses ?? []);
export const serviceClusterIPs: IndexFunc<Service> = (s) => (s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');

export const viewIndexers = {
  services: { clusterIP: serviceClusterIPs },
  slices: { service: sliceService, namedAddress: sliceNamedAddresses },
};

/** A ready condition left unset means ready (the EndpointSlice API's rule). */
const isReady = (e: SliceEndpoint): boolean => e.conditions?.ready !== false;

export class StoreView implements ClusterView {
  constructor(
    private readonly stores: {
      services: IndexedStore<Service>;
      slices: IndexedStore<EndpointSlice>;
      /** Only membership is read. */
      namespaces: Pick<IndexedStore<InformedObject>, 'has'>;
    },
    private readonly hasSynced: () => boolean = () => true,
  ) {
    for (const [name, fn] of Object.entries(viewIndexers.services)) stores.services.addIndexer(name, fn);
    for (const [name, fn] of Object.entries(viewIndexers.slices)) stores.slices.addIndexer(name, fn);
  }

  synced(): boolean {
    return this.hasSynced();
  }

  namespaceExists(namespace: string): boolean {
    return this.stores.namespaces.has(namespace);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.stores.services.get(`${namespace}/${name}`);
  }

  endpoints(service: Service): PublishedEndpoint[] {
    const all = service.spec?.publishNotReadyAddresses === true;
    const seen = new Map<string, PublishedEndpoint>();
    const key = `${service.metadata.namespace ?? ''}/${service.metadata.name ?? ''}`;
    const slices = this.stores.slices.byIndex('service', key).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    for (const slice of slices) {
      if (slice.addressType !== 'IPv4') continue;
      for (const e of slice.endpoints ?? []) {
        if (!all && !isReady(e)) continue;
        for (const ip of e.addresses ?? []) {
          // One pod may sit in two slices while the controller moves it: publish it once.
          if (seen.has(ip)) continue;
          seen.set(ip, e.hostname ? { ip, hostname: e.hostname } : { ip });
        }
      }
    }
    return [...seen.values()];
  }

  owners(ip: string): AddressOwner[] {
    const out: AddressOwner[] = [];
    for (const s of this.stores.services.byIndex('clusterIP', ip)) out.push({ kind: 'service', namespace: s.metadata.namespace ?? '', service: s.metadata.name ?? '' });
    for (const slice of this.stores.slices.byIndex('namedAddress', ip)) {
      const [namespace, service] = sliceService(slice)[0]?.split('/') ?? [];
      if (!namespace || !service) continue;
      const svc = this.service(namespace, service);
      if (!svc || !isHeadless(svc)) continue;
      for (const e of slice.endpoints ?? []) {
        if (e.hostname && e.addresses?.includes(ip)) out.push({ kind: 'endpoint', namespace, service, hostname: e.hostname });
      }
    }
    return out;
  }
}
