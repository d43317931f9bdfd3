// What a pod contributes to a Service's endpoints, shared by the Endpoints and the
// EndpointSlice controllers so that both agree: whether it is listed at all, whether it is
// ready, serving or terminating, its address of a given family, its hostname, and the
// number each service port resolves to on it.

import type { ContainerPort, Pod, Service, ServicePort } from './types.js';

export type AddressFamily = 'IPv4' | 'IPv6';

/**
 * Whether the pod is listed at all: it has an IP and has not finished. A terminating pod is
 * listed only where terminating endpoints are shown (EndpointSlices, or Endpoints of a
 * service that publishes not-ready addresses).
 */
export function shouldListPod(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (pod.metadata.deletionTimestamp && !includeTerminating) return false;
  return true;
}

/** The Ready condition is True. */
export function hasReadyCondition(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Ready to receive new traffic: Running, Ready, and not being deleted. A pod that starts
 * terminating leaves the ready set at once, before its containers are told to stop.
 */
export function isPodReadyEndpoint(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && hasReadyCondition(pod) && !pod.metadata.deletionTimestamp;
}

export interface EndpointConditions {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/**
 * EndpointSlice conditions as Kubernetes defines them: serving = the pod says it is ready
 * (even while terminating); terminating = being deleted; ready = serving and not
 * terminating, or always when the service publishes not-ready addresses.
 */
export function endpointConditions(pod: Pod, svc: Service): EndpointConditions {
  const serving = pod.status?.phase === 'Running' && hasReadyCondition(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  return { ready: svc.spec?.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating };
}

function familyOf(ip: string): AddressFamily {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/** The pod's first IP of the family, if it has one. */
export function podAddress(pod: Pod, family: AddressFamily): string | undefined {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.find((ip) => familyOf(ip) === family);
}

/** The families a service's endpoints are published in (IPv4 unless it says otherwise). */
export function serviceFamilies(svc: Service): AddressFamily[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressFamily => f === 'IPv4' || f === 'IPv6');
  if (fams.length > 0) return fams;
  const ip = svc.spec?.clusterIP;
  return ip && ip !== 'None' && ip.includes(':') ? ['IPv6'] : ['IPv4'];
}

/** A pod's own hostname is published only when it sits in the service's subdomain. */
export function endpointHostname(pod: Pod, svc: Service): string | undefined {
  const h = pod.spec?.hostname;
  return h && pod.spec?.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace ? h : undefined;
}

export class PortNotFoundError extends Error {
  constructor(readonly portName: string, readonly protocol: string) {
    super(`no container port named ${JSON.stringify(portName)} with protocol ${protocol}`);
    this.name = 'PortNotFoundError';
  }
}

/**
 * The number a service port's targetPort means on this pod: a number as it is; a name is
 * the pod's container port of that name and the same protocol. Throws PortNotFoundError
 * when the pod has no such port (the pod is then left out for that port).
 */
export function resolveTargetPort(pod: Pod, sp: ServicePort): number {
  const target = sp.targetPort;
  if (typeof target === 'number' && target > 0) return target;
  if (typeof target === 'string' && target !== '') {
    if (/^[0-9]+$/.test(target)) return Number(target);
    const protocol = sp.protocol ?? 'TCP';
    for (const c of pod.spec?.containers ?? []) {
      const found = (c.ports ?? []).find((p: ContainerPort) => p.name === target && (p.protocol ?? 'TCP') === protocol);
      if (found) return found.containerPort;
    }
    throw new PortNotFoundError(target, protocol);
  }
  return sp.port;
}

export interface ResolvedPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** The service's ports as they resolve on this pod; ports that do not resolve are left out. */
export function resolvePorts(pod: Pod, svc: Service): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    let port: number;
    try {
      port = resolveTargetPort(pod, sp);
    } catch (e) {
      if (e instanceof PortNotFoundError) continue;
      throw e;
    }
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** Whether a service's endpoints are computed by controllers (it selects pods, and is not ExternalName). */
export function hasSelector(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && Object.keys(svc.spec?.selector ?? {}).length > 0;
}
