// The discovery.k8s.io/v1 EndpointSlice shape this controller writes, and its labels.

import type { KubeObject } from '../../common/api/meta.js';
import type { AddressFamily, EndpointConditions } from '../endpoints/podEndpoint.js';
import type { ObjectReference } from '../endpoints/types.js';

export interface SliceEndpoint {
  addresses: string[];
  conditions: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType: AddressFamily | 'FQDN';
  endpoints?: SliceEndpoint[] | null;
  ports?: SlicePort[] | null;
}

// The labels are the API's; this controller only touches slices carrying its own manager name.
export { endpointSliceManagedByLabel as managedByLabel, serviceNameLabel } from '../../common/api/serviceWire.js';
export const controllerManagedBy = 'endpointslice-controller.k8s.io';

/** Kubernetes' default for --max-endpoints-per-slice. */
export const defaultMaxEndpointsPerSlice = 100;
