// Services and discovery.k8s.io/v1 EndpointSlices as their readers (the service proxy, the
// cluster DNS) take them off the wire. Every field is optional on purpose: objects written
// by other clients, older versions or partial writes are read for what they hold, and a bad
// one costs its own rules or records, never the reader. Writers (the EndpointSlice
// controller) keep stricter shapes of their own for what they produce.

import type { KubeObject } from './meta.js';

export interface ServicePortWire {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceWire extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePortWire[] | null;
    selector?: Record<string, string>;
    publishNotReadyAddresses?: boolean;
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalName?: string;
    [field: string]: unknown;
  };
}

export interface SliceEndpointWire {
  addresses?: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
}

export interface SlicePortWire {
  name?: string | null;
  port?: number | null;
  protocol?: string | null;
}

export interface EndpointSliceWire extends KubeObject {
  addressType?: string;
  endpoints?: SliceEndpointWire[] | null;
  ports?: SlicePortWire[] | null;
}

/** The label naming the Service a slice belongs to (how kube-proxy and DNS group slices). */
export const serviceNameLabel = 'kubernetes.io/service-name';
/** Who manages a slice: the EndpointSlice controller leaves slices other managers own alone. */
export const endpointSliceManagedByLabel = 'endpointslice.kubernetes.io/managed-by';
