// Builders of the Services and EndpointSlices the proxy tests feed it, in the shapes the API
// serves (the unit tests read them directly; the integration test creates them).

import type { EndpointSliceWire, ServicePortWire, ServiceWire, SliceEndpointWire } from '../../common/api/serviceWire.js';
import { serviceNameLabel } from '../../common/api/serviceWire.js';

export class ServiceBuilder {
  private readonly svc: ServiceWire;

  constructor(name: string, namespace = 'default') {
    this.svc = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'ClusterIP', ports: [] } };
  }
  clusterIP(ip: string | undefined): this {
    if (ip === undefined) delete this.svc.spec!.clusterIP;
    else this.svc.spec!.clusterIP = ip;
    return this;
  }
  type(t: string): this {
    this.svc.spec!.type = t;
    return this;
  }
  port(p: ServicePortWire): this {
    this.svc.spec!.ports = [...(this.svc.spec!.ports ?? []), { protocol: 'TCP', ...p }];
    return this;
  }
  noPorts(): this {
    delete this.svc.spec!.ports;
    return this;
  }
  affinity(timeoutSeconds?: number): this {
    this.svc.spec!.sessionAffinity = 'ClientIP';
    if (timeoutSeconds !== undefined) this.svc.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds } };
    return this;
  }
  externalName(name: string): this {
    this.svc.spec = { type: 'ExternalName', externalName: name };
    return this;
  }
  obj(): ServiceWire {
    return structuredClone(this.svc);
  }
}

export const makeService = (name: string, namespace?: string): ServiceBuilder => new ServiceBuilder(name, namespace);

export class SliceBuilder {
  private readonly slice: EndpointSliceWire;

  constructor(name: string, service: string, namespace = 'default') {
    this.slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace, labels: { [serviceNameLabel]: service } },
      addressType: 'IPv4',
      endpoints: [],
      ports: [],
    };
  }
  addressType(t: string): this {
    this.slice.addressType = t;
    return this;
  }
  port(port: number | null, name = '', protocol = 'TCP'): this {
    this.slice.ports = [...(this.slice.ports ?? []), { name, port, protocol }];
    return this;
  }
  /** An endpoint; `ready: undefined` leaves the condition out (meaning ready). */
  endpoint(ip: string, conditions: SliceEndpointWire['conditions'] = { ready: true, serving: true, terminating: false }): this {
    this.slice.endpoints = [...(this.slice.endpoints ?? []), { addresses: [ip], conditions }];
    return this;
  }
  terminating(ip: string): this {
    return this.endpoint(ip, { ready: false, serving: true, terminating: true });
  }
  obj(): EndpointSliceWire {
    return structuredClone(this.slice);
  }
}

export const makeSlice = (name: string, service: string, namespace?: string): SliceBuilder => new SliceBuilder(name, service, namespace);
