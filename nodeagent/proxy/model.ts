// What the proxy programs, computed from the Services and EndpointSlices in its caches: one
// entry per proxied service port with its ready endpoints. Everything kube-proxy leaves alone
// is left out here (headless and ExternalName Services, non-IPv4 families, SCTP), and every
// object that cannot be used is reported as skipped with the reason, never thrown, so one
// bad object costs only its own rules.

import { isIPv4 } from 'node:net';
import { serviceNameLabel, type EndpointSliceWire, type ServicePortWire, type ServiceWire } from '../../common/api/serviceWire.js';

export type Protocol = 'TCP' | 'UDP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
}

export interface ServicePortModel {
  /** `namespace/name:port` (kube-proxy's ServicePortName; the port name may be empty). */
  name: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** sessionAffinity ClientIP: how long a client sticks to the endpoint it got. */
  affinitySeconds?: number;
  /** Ready endpoints, sorted by address and port, without duplicates. */
  endpoints: ProxyEndpoint[];
}

export interface Skipped {
  /** `kind namespace/name` (and the port when one port is skipped). */
  object: string;
  reason: string;
}

export interface ServiceModel {
  ports: ServicePortModel[];
  /** Addresses the slices of proxied Services list as ready or serving: pods that receive (or just received) Service traffic. */
  servingIPs: Set<string>;
  skipped: Skipped[];
}

export interface PortRange {
  min: number;
  max: number;
}

export function parsePortRange(s: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(s.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!(min >= 1 && max <= 65535 && min <= max)) throw new RangeError(`node port range ${JSON.stringify(s)}: want MIN-MAX within 1-65535`);
  return { min, max };
}

/** Kubernetes' default and maximum ClientIP affinity timeouts. */
const defaultAffinitySeconds = 10800;
const maxAffinitySeconds = 86400;

const validPort = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

function protocolOf(p: string | null | undefined): Protocol | undefined {
  const v = p ?? 'TCP';
  return v === 'TCP' || v === 'UDP' ? v : undefined;
}

function objectName(kind: string, o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** The ClusterIP a Service is proxied at, or why it is not proxied (undefined reason: silently not proxied). */
function proxiedClusterIP(svc: ServiceWire): { ip?: string; reason?: string } {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return {};
  const ip = spec.clusterIPs?.[0] ?? spec.clusterIP;
  if (ip === 'None') return {}; // headless: DNS answers the pods' addresses, nothing to proxy
  if (!ip) return { reason: 'no cluster IP (not allocated yet)' };
  if (!isIPv4(ip)) return { reason: `cluster IP ${ip} is not IPv4 (this proxy programs IPv4 only)` };
  return { ip };
}

function affinityOf(svc: ServiceWire): number | undefined {
  if (svc.spec?.sessionAffinity !== 'ClientIP') return undefined;
  const t = svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  return typeof t === 'number' && Number.isInteger(t) && t >= 1 && t <= maxAffinitySeconds ? t : defaultAffinitySeconds;
}

/** The ready endpoints of one service port across the service's slices (matched by port name and protocol). */
function endpointsFor(sp: { name: string; protocol: Protocol }, slices: EndpointSliceWire[], skipped: Skipped[], servingIPs: Set<string>): ProxyEndpoint[] {
  const seen = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === sp.name && protocolOf(p.protocol) === sp.protocol);
    if (!port) continue;
    if (!validPort(port.port)) {
      skipped.push({ object: objectName('EndpointSlice', slice), reason: `port ${JSON.stringify(sp.name)} has no valid port number` });
      continue;
    }
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (typeof ip !== 'string' || !isIPv4(ip)) {
        skipped.push({ object: objectName('EndpointSlice', slice), reason: `endpoint address ${JSON.stringify(ip)} is not IPv4` });
        continue;
      }
      // Kubernetes: a missing ready condition means ready. Terminating endpoints are ready=false.
      const ready = ep.conditions?.ready !== false;
      if (ready || ep.conditions?.serving === true) servingIPs.add(ip);
      if (ready) seen.set(`${ip}:${port.port}`, { ip, port: port.port });
    }
  }
  return [...seen.values()].sort((a, b) => compareIPs(a.ip, b.ip) || a.port - b.port);
}

function compareIPs(a: string, b: string): number {
  const n = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}

/**
 * The service ports to program. `slices` may hold slices of any Service (they are grouped by
 * the kubernetes.io/service-name label); `nodePorts` is the range node ports must lie in.
 */
export function buildServiceModel(services: ServiceWire[], slices: EndpointSliceWire[], nodePorts?: PortRange): ServiceModel {
  const skipped: Skipped[] = [];
  const servingIPs = new Set<string>();
  const byService = new Map<string, EndpointSliceWire[]>();
  for (const slice of slices) {
    const svcName = slice.metadata?.labels?.[serviceNameLabel];
    if (!svcName) continue;
    if (slice.addressType !== 'IPv4') {
      // IPv6 and FQDN slices are legal; this proxy programs IPv4 only.
      if (slice.addressType !== 'IPv6' && slice.addressType !== 'FQDN') skipped.push({ object: objectName('EndpointSlice', slice), reason: `unknown addressType ${JSON.stringify(slice.addressType)}` });
      continue;
    }
    const key = `${slice.metadata?.namespace ?? ''}/${svcName}`;
    const list = byService.get(key) ?? [];
    list.push(slice);
    byService.set(key, list);
  }
  const ports: ServicePortModel[] = [];
  const takenNodePorts = new Set<string>();
  const keyOf = (o: ServiceWire): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  // Sorted, so that which of two Services claiming one node port wins does not depend on cache order.
  for (const svc of [...services].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))) {
    const { ip: clusterIP, reason } = proxiedClusterIP(svc);
    if (!clusterIP) {
      if (reason) skipped.push({ object: objectName('Service', svc), reason });
      continue;
    }
    const key = keyOf(svc);
    const svcSlices = byService.get(key) ?? [];
    const affinitySeconds = affinityOf(svc);
    const usesNodePorts = svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
    const names = new Set<string>();
    const list = svc.spec?.ports ?? [];
    if (!Array.isArray(list) || list.length === 0) {
      skipped.push({ object: objectName('Service', svc), reason: 'no ports' });
      continue;
    }
    for (const sp of list as ServicePortWire[]) {
      const portName = typeof sp?.name === 'string' ? sp.name : '';
      const where = `${objectName('Service', svc)} port ${JSON.stringify(portName)}`;
      const protocol = protocolOf(sp?.protocol);
      if (!protocol) {
        skipped.push({ object: where, reason: `protocol ${String(sp?.protocol)} is not proxied (TCP and UDP are)` });
        continue;
      }
      if (!validPort(sp.port)) {
        skipped.push({ object: where, reason: `invalid port ${JSON.stringify(sp.port)}` });
        continue;
      }
      if (names.has(portName)) {
        skipped.push({ object: where, reason: 'duplicate port name' });
        continue;
      }
      names.add(portName);
      let nodePort: number | undefined;
      if (usesNodePorts && sp.nodePort !== undefined && sp.nodePort !== 0) {
        if (!validPort(sp.nodePort) || (nodePorts && (sp.nodePort < nodePorts.min || sp.nodePort > nodePorts.max))) {
          skipped.push({ object: where, reason: `node port ${JSON.stringify(sp.nodePort)} is outside the node port range` });
        } else if (takenNodePorts.has(`${protocol}/${sp.nodePort}`)) {
          skipped.push({ object: where, reason: `node port ${sp.nodePort}/${protocol} is used by another Service` });
        } else {
          nodePort = sp.nodePort;
          takenNodePorts.add(`${protocol}/${nodePort}`);
        }
      }
      ports.push({
        name: `${key}:${portName}`,
        protocol,
        clusterIP,
        port: sp.port,
        ...(nodePort !== undefined ? { nodePort } : {}),
        ...(affinitySeconds !== undefined ? { affinitySeconds } : {}),
        endpoints: endpointsFor({ name: portName, protocol }, svcSlices, skipped, servingIPs),
      });
    }
  }
  ports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
  return { ports, servingIPs, skipped };
}
