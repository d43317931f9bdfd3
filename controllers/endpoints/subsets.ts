// A Service's desired core/v1 Endpoints subsets from the pods it selects: one subset per
// distinct set of resolved ports (a named targetPort may resolve differently per pod),
// ready addresses apart from not-ready ones, everything sorted so that the same pods
// always give the same object (no needless writes).

import { endpointHostname, isPodReadyEndpoint, podAddress, resolvePorts, serviceFamilies, shouldListPod, type ResolvedPort } from './podEndpoint.js';
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from './types.js';

/** Kubernetes truncates an Endpoints object beyond this many addresses (EndpointSlices have no limit). */
export const maxEndpointsAddresses = 1000;

function toEndpointPort(p: ResolvedPort): EndpointPort {
  return { ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
}

function address(pod: Pod, ip: string, svc: Service): EndpointAddress {
  const hostname = endpointHostname(pod, svc);
  return {
    ip,
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
  };
}

const byIP = (a: EndpointAddress, b: EndpointAddress): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? ''));
const portKey = (ports: readonly EndpointPort[]): string => JSON.stringify(ports);

export interface DesiredEndpoints {
  subsets: EndpointSubset[];
  /** More addresses than an Endpoints object holds: the rest were dropped (not-ready ones first). */
  truncated: boolean;
}

export function desiredSubsets(svc: Service, pods: readonly Pod[]): DesiredEndpoints {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const family = serviceFamilies(svc)[0]!;
  const headless = svc.spec?.clusterIP === 'None';
  const servicePorts = svc.spec?.ports ?? [];
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();

  for (const pod of pods) {
    if (!shouldListPod(pod, publishNotReady)) continue;
    const ip = podAddress(pod, family);
    if (!ip) continue;
    const ports = resolvePorts(pod, svc).map(toEndpointPort);
    // Only a headless service without ports lists bare addresses; elsewhere a pod that
    // resolves none of the ports has nothing to offer.
    if (ports.length === 0 && !(servicePorts.length === 0 && headless)) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol));
    const k = portKey(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, ready: [], notReady: [] }));
    (publishNotReady || isPodReadyEndpoint(pod) ? g.ready : g.notReady).push(address(pod, ip, svc));
  }

  const subsets = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({ ready: g.ready.sort(byIP), notReady: g.notReady.sort(byIP), ports: g.ports }));

  // Keep ready addresses over not-ready ones when the object would grow beyond the limit.
  let budget = maxEndpointsAddresses;
  let truncated = false;
  for (const which of ['ready', 'notReady'] as const) {
    for (const s of subsets) {
      if (s[which].length > budget) {
        s[which] = s[which].slice(0, budget);
        truncated = true;
      }
      budget -= s[which].length;
    }
  }

  const out: EndpointSubset[] = [];
  for (const s of subsets) {
    if (s.ready.length === 0 && s.notReady.length === 0) continue;
    out.push({
      ...(s.ready.length ? { addresses: s.ready } : {}),
      ...(s.notReady.length ? { notReadyAddresses: s.notReady } : {}),
      ...(s.ports.length ? { ports: s.ports } : {}),
    });
  }
  return { subsets: out, truncated };
}
