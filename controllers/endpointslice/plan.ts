// What one sync of a Service's EndpointSlices should write, computed from the pods it
// selects and the slices it owns, with as few writes as Kubernetes' reconciler makes:
// endpoints stay in the slice that holds them (updated in place when their conditions
// change), new endpoints first fill slices that are being written anyway, and a slice is
// deleted only when nothing is left for it. Endpoints are grouped by address type and by
// the ports they resolve to (a named targetPort may differ per pod), one group per slice.

import { isDeepStrictEqual } from 'node:util';
import { controllerRef } from '../../common/api/ownerRefs.js';
import { endpointConditions, endpointHostname, podAddress, resolvePorts, serviceFamilies, shouldListPod } from '../endpoints/podEndpoint.js';
import type { Pod, Service } from '../endpoints/types.js';
import { controllerManagedBy, managedByLabel, serviceNameLabel, type EndpointSlice, type SliceEndpoint, type SlicePort } from './types.js';

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

interface Group {
  addressType: EndpointSlice['addressType'];
  ports: SlicePort[];
  /** Desired endpoints not yet placed in a slice, by endpoint key. */
  pending: Map<string, SliceEndpoint>;
}

const headlessLabel = 'service.kubernetes.io/headless';

/** The labels of every slice of a service: the service's own, plus whose and who manages it. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[headlessLabel];
  if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
  labels[serviceNameLabel] = svc.metadata.name ?? '';
  labels[managedByLabel] = controllerManagedBy;
  return labels;
}

const groupKey = (addressType: string, ports: readonly SlicePort[]): string => `${addressType}/${JSON.stringify(ports.map((p) => [p.name, p.port, p.protocol, p.appProtocol ?? '']))}`;
const endpointKey = (ep: SliceEndpoint): string => `${ep.addresses[0] ?? ''}/${ep.targetRef?.name ?? ''}`;

function podEndpoint(pod: Pod, svc: Service, ip: string): SliceEndpoint {
  const hostname = endpointHostname(pod, svc);
  return {
    addresses: [ip],
    conditions: endpointConditions(pod, svc),
    ...(hostname ? { hostname } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
  };
}

/** The desired endpoint groups of a service (terminating pods included, with their conditions). */
export function desiredGroups(svc: Service, pods: readonly Pod[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const families = serviceFamilies(svc);
  for (const pod of pods) {
    if (!shouldListPod(pod, true)) continue;
    const ports: SlicePort[] = resolvePorts(pod, svc).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
    for (const family of families) {
      const ip = podAddress(pod, family);
      if (!ip) continue;
      const k = groupKey(family, ports);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { addressType: family, ports, pending: new Map() }));
      const ep = podEndpoint(pod, svc, ip);
      g.pending.set(endpointKey(ep), ep);
    }
  }
  return groups;
}

function newSlice(svc: Service, addressType: EndpointSlice['addressType'], ports: SlicePort[], endpoints: SliceEndpoint[]): EndpointSlice {
  // Kubernetes cuts the service name so that the generated name stays a valid label.
  const base = (svc.metadata.name ?? '').slice(0, 57);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { generateName: `${base}-`, namespace: svc.metadata.namespace ?? '', labels: sliceLabels(svc), ownerReferences: [controllerRef(svc, 'v1', 'Service')] },
    addressType,
    endpoints,
    ports,
  };
}

/**
 * Plans the writes that bring `existing` (the service's slices managed by this controller)
 * to what `pods` say. Slices not controlled by this very service (a previous Service of the
 * same name) are deleted.
 */
export function planSlices(svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], maxPerSlice: number): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const groups = desiredGroups(svc, pods);
  const owned: EndpointSlice[] = [];
  for (const s of existing) {
    const ref = s.metadata.ownerReferences?.find((r) => r.controller === true);
    if (ref && ref.uid === svc.metadata.uid) owned.push(s);
    else plan.delete.push(s);
  }

  // With no endpoints at all, one empty slice stands for the service (Kubernetes' placeholder).
  const total = [...groups.values()].reduce((n, g) => n + g.pending.size, 0);
  if (total === 0) {
    const family = serviceFamilies(svc)[0]!;
    const keep = owned.find((s) => s.addressType === family && (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0);
    for (const s of owned) if (s !== keep) plan.delete.push(s);
    if (!keep) plan.create.push(newSlice(svc, family, [], []));
    else if (!isDeepStrictEqual(keep.metadata.labels ?? {}, labels)) plan.update.push({ ...keep, metadata: { ...keep.metadata, labels } });
    return plan;
  }

  // 1. Keep what each slice still should hold, in place; note which slices changed.
  const touched = new Map<EndpointSlice, { group: Group; endpoints: SliceEndpoint[] }>();
  const untouched: { slice: EndpointSlice; group: Group }[] = [];
  for (const s of owned) {
    const group = groups.get(groupKey(s.addressType, s.ports ?? []));
    if (!group) {
      plan.delete.push(s);
      continue;
    }
    const kept: SliceEndpoint[] = [];
    let changed = !isDeepStrictEqual(s.metadata.labels ?? {}, labels);
    for (const ep of s.endpoints ?? []) {
      const k = endpointKey(ep);
      const want = group.pending.get(k);
      if (!want) {
        changed = true;
        continue;
      }
      group.pending.delete(k);
      if (!isDeepStrictEqual(ep, want)) changed = true;
      kept.push(want);
    }
    if (kept.length > maxPerSlice) {
      // The limit went down: the surplus goes back to be placed elsewhere.
      for (const ep of kept.splice(maxPerSlice)) group.pending.set(endpointKey(ep), ep);
      changed = true;
    }
    if (changed) touched.set(s, { group, endpoints: kept });
    else untouched.push({ slice: s, group });
  }

  // 2. New endpoints fill the slices written anyway, then new slices; a last small batch
  //    goes into an unchanged slice with room rather than into a new slice.
  for (const [, t] of touched) {
    for (const [k, ep] of t.group.pending) {
      if (t.endpoints.length >= maxPerSlice) break;
      t.endpoints.push(ep);
      t.group.pending.delete(k);
    }
  }
  for (const g of groups.values()) {
    let rest = [...g.pending.values()];
    while (rest.length >= maxPerSlice) {
      plan.create.push(newSlice(svc, g.addressType, g.ports, rest.slice(0, maxPerSlice)));
      rest = rest.slice(maxPerSlice);
    }
    if (rest.length === 0) continue;
    const roomy = untouched
      .filter((u) => u.group === g && maxPerSlice - (u.slice.endpoints ?? []).length >= rest.length)
      .sort((a, b) => (b.slice.endpoints ?? []).length - (a.slice.endpoints ?? []).length)[0];
    if (roomy) {
      untouched.splice(untouched.indexOf(roomy), 1);
      touched.set(roomy.slice, { group: g, endpoints: [...(roomy.slice.endpoints ?? []), ...rest] });
    } else plan.create.push(newSlice(svc, g.addressType, g.ports, rest));
  }

  for (const [s, t] of touched) {
    if (t.endpoints.length === 0) plan.delete.push(s);
    else plan.update.push({ ...s, metadata: { ...s.metadata, labels }, endpoints: t.endpoints });
  }
  return plan;
}
