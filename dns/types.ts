// The parts of Services and EndpointSlices the DNS server reads (components share no kind
// types with each other; these are the Kubernetes field names).

import type { KubeObject } from '../common/api/meta.js';
import { resourceFor } from '../common/api/resources.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePort[];
    externalName?: string;
    publishNotReadyAddresses?: boolean;
    selector?: Record<string, string>;
  };
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  hostname?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
}

export const servicesResource = resourceFor('Service');
export const endpointSlicesResource = resourceFor('EndpointSlice', 'discovery.k8s.io');
export const namespacesResource = resourceFor('Namespace');

/** Which Service a slice belongs to. */
export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
