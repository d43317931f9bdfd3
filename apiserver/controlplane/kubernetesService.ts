// What the `kubernetes` Service in `default` and its endpoints must look like, as
// kube-apiserver's master endpoint reconciler keeps them: a selectorless ClusterIP Service
// at the service range's first address, port https 443 -> the API server's own port, and
// an Endpoints and an EndpointSlice of the same name holding the advertise address. For each
// object: the whole desired object (to create), whether a stored one still says it
// (`conforms`), and the stored object with the desired fields put back (`repair`), so a
// user's extra labels or annotations survive a repair.

import { isDeepStrictEqual as same } from 'node:util';
import type { KubeObject } from '../../common/api/meta.js';
import { endpointSliceManagedByLabel, serviceNameLabel } from '../../common/api/serviceWire.js';

export const kubernetesServiceName = 'kubernetes';
export const kubernetesServiceNamespace = 'default';
/** Who manages the `kubernetes` EndpointSlice: the endpointslice controller leaves slices with another manager alone. */
export const endpointSliceManager = 'gantry-apiserver';

export interface ControlPlaneAddress {
  /** The Service's cluster IP: the first address of --service-cluster-ip-range (10.96.0.1). */
  serviceIP: string;
  /** Where clients reach this API server (--advertise-address). */
  advertiseAddress: string;
  /** The API server's secure port: the Service's targetPort and the endpoints' port. */
  port: number;
}

/** One object the reconciler keeps: what to create, and how to judge and mend a stored copy. */
export interface KeptObject {
  /** `/services`, `/endpoints`, `discovery.k8s.io/endpointslices`: the API server's store keys. */
  store: string;
  desired: KubeObject;
  conforms(current: KubeObject): boolean;
  repair(current: KubeObject): KubeObject;
  /** A difference that an update cannot mend (an immutable field): delete and create again. */
  mustRecreate?(current: KubeObject): boolean;
}

type Obj = Record<string, unknown>;
const specOf = (o: KubeObject): Obj => (o.spec && typeof o.spec === 'object' ? (o.spec as Obj) : {});
const hasLabels = (o: KubeObject, labels: Record<string, string>): boolean => Object.entries(labels).every(([k, v]) => o.metadata.labels?.[k] === v);
const withLabels = (o: KubeObject, labels: Record<string, string>): KubeObject => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...labels } } });

const serviceLabels = { component: 'apiserver', provider: 'kubernetes' };

export function kubernetesService(a: ControlPlaneAddress): KeptObject {
  const ports = [{ name: 'https', protocol: 'TCP', port: 443, targetPort: a.port }];
  const desired: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: kubernetesServiceName, namespace: kubernetesServiceNamespace, labels: { ...serviceLabels } },
    spec: { type: 'ClusterIP', clusterIP: a.serviceIP, clusterIPs: [a.serviceIP], ports, sessionAffinity: 'None' },
  };
  // The API server defaults nodePort-less ClusterIP ports as given; compare only what we set.
  const portsConform = (current: KubeObject): boolean => {
    const got = (specOf(current).ports as Obj[] | undefined) ?? [];
    return got.length === 1 && same({ name: got[0]!.name, protocol: got[0]!.protocol, port: got[0]!.port, targetPort: got[0]!.targetPort }, ports[0]);
  };
  return {
    store: '/services',
    desired,
    conforms: (c) => hasLabels(c, serviceLabels) && specOf(c).type === 'ClusterIP' && specOf(c).selector === undefined && portsConform(c),
    repair: (c) => {
      const spec: Obj = { ...specOf(c), type: 'ClusterIP', ports };
      delete spec.selector;
      return { ...withLabels(c, serviceLabels), spec };
    },
    // spec.clusterIP is immutable: a `kubernetes` Service at another address was made by someone else.
    mustRecreate: (c) => specOf(c).clusterIP !== a.serviceIP,
  };
}

export function kubernetesEndpoints(a: ControlPlaneAddress): KeptObject {
  const subsets = [{ addresses: [{ ip: a.advertiseAddress }], ports: [{ name: 'https', port: a.port, protocol: 'TCP' }] }];
  // As Kubernetes marks it: the endpointslice mirroring controller must not copy it, the API server writes the slice itself.
  const labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
  return {
    store: '/endpoints',
    desired: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: kubernetesServiceName, namespace: kubernetesServiceNamespace, labels: { ...labels } }, subsets },
    conforms: (c) => hasLabels(c, labels) && same(c.subsets, subsets),
    repair: (c) => ({ ...withLabels(c, labels), subsets }),
  };
}

export function kubernetesEndpointSlice(a: ControlPlaneAddress): KeptObject {
  const labels = { [serviceNameLabel]: kubernetesServiceName, [endpointSliceManagedByLabel]: endpointSliceManager };
  const endpoints = [{ addresses: [a.advertiseAddress], conditions: { ready: true } }];
  const ports = [{ name: 'https', port: a.port, protocol: 'TCP' }];
  return {
    store: 'discovery.k8s.io/endpointslices',
    desired: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: kubernetesServiceName, namespace: kubernetesServiceNamespace, labels: { ...labels } },
      addressType: 'IPv4',
      endpoints,
      ports,
    },
    conforms: (c) => hasLabels(c, labels) && c.addressType === 'IPv4' && same(c.endpoints, endpoints) && same(c.ports, ports),
    repair: (c) => ({ ...withLabels(c, labels), endpoints, ports }),
    // addressType is immutable.
    mustRecreate: (c) => c.addressType !== 'IPv4',
  };
}

/** The three objects, in the order they are written (the Service first, as Kubernetes does). */
export function keptObjects(a: ControlPlaneAddress): KeptObject[] {
  return [kubernetesService(a), kubernetesEndpoints(a), kubernetesEndpointSlice(a)];
}
