// The wire shapes the Endpoints and EndpointSlice controllers read and write. Only the
// fields they look at are typed; the rest passes through untouched.

import type { KubeObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; hostname?: string; subdomain?: string; containers?: { name: string; ports?: ContainerPort[]; [field: string]: unknown }[]; [field: string]: unknown };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[]; conditions?: { type: string; status: string }[]; [field: string]: unknown };
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    ipFamilies?: string[];
    publishNotReadyAddresses?: boolean;
    [field: string]: unknown;
  };
}

export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export const podsResource = resourceFor('Pod', '');
export const servicesResource = resourceFor('Service', '');
export const endpointsResource = resourceFor('Endpoints', '');
export const endpointSlicesResource = resourceFor('EndpointSlice', 'discovery.k8s.io');
