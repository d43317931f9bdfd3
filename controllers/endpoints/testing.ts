// Builders for the endpoints controllers' tests: pods as a kubelet reports them, services
// as the API server stores them (defaulted).

import type { Pod, Service, ServicePort } from './types.js';

export class PodBuilder {
  private readonly pod: Pod;
  constructor(name: string, ns = 'default') {
    this.pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, uid: `uid-${name}`, labels: { app: 'web' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', ports: [] }] },
      status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] },
    };
  }
  ip(...ips: string[]): this {
    this.pod.status!.podIPs = ips.map((ip) => ({ ip }));
    if (ips[0]) this.pod.status!.podIP = ips[0];
    else delete this.pod.status!.podIP;
    return this;
  }
  labels(labels: Record<string, string>): this {
    this.pod.metadata.labels = labels;
    return this;
  }
  ready(ready: boolean): this {
    this.pod.status!.conditions = [{ type: 'Ready', status: ready ? 'True' : 'False' }];
    return this;
  }
  phase(phase: string): this {
    this.pod.status!.phase = phase;
    return this;
  }
  terminating(): this {
    this.pod.metadata.deletionTimestamp = '2026-12-07T04:00:00Z';
    return this;
  }
  node(name: string | undefined): this {
    if (name) this.pod.spec!.nodeName = name;
    else delete this.pod.spec!.nodeName;
    return this;
  }
  port(name: string, containerPort: number, protocol = 'TCP'): this {
    this.pod.spec!.containers![0]!.ports!.push({ name, containerPort, protocol });
    return this;
  }
  hostname(hostname: string, subdomain: string): this {
    this.pod.spec!.hostname = hostname;
    this.pod.spec!.subdomain = subdomain;
    return this;
  }
  obj(): Pod {
    return structuredClone(this.pod);
  }
}

export const makePod = (name: string, ns?: string): PodBuilder => new PodBuilder(name, ns);

export function makeService(name: string, ports: Partial<ServicePort>[], spec: Partial<NonNullable<Service['spec']>> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-svc-${name}`, labels: { tier: 'front' } },
    spec: {
      type: 'ClusterIP',
      selector: { app: 'web' },
      clusterIP: '10.96.0.10',
      ipFamilies: ['IPv4'],
      ports: ports.map((p) => ({ protocol: 'TCP', port: 80, targetPort: p.port ?? 80, ...p })),
      ...spec,
    },
  };
}
