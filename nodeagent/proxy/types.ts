// The wire shapes the service proxy reads: Services and discovery.k8s.io/v1 EndpointSlices.
// Every field is optional on purpose: the proxy reads whatever the API holds (objects written
// by other clients, older versions, partial writes) and skips what it cannot use, so a bad
// object costs its own rules and never the agent.

import type { KubeObject } from '../../common/api/meta.js';

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
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalName?: string;
    [field: string]: unknown;
  };
}

export interface SliceEndpointWire {
  addresses?: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
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

/** The label naming the Service a slice belongs to (how kube-proxy groups slices). */
export const serviceNameLabel = 'kubernetes.io/service-name';
