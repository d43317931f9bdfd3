// The parts of Services and EndpointSlices the DNS server reads (components share no kind
// types with each other; these are the Kubernetes field names).

import { resourceFor } from '../common/api/resources.js';

export type { EndpointSliceWire as EndpointSlice, ServiceWire as Service, SliceEndpointWire as SliceEndpoint, ServicePortWire as ServicePort } from '../common/api/serviceWire.js';
export { endpointSliceManagedByLabel as managedByLabel, serviceNameLabel } from '../common/api/serviceWire.js';

export const servicesResource = resourceFor('Service');
export const endpointSlicesResource = resourceFor('EndpointSlice', 'discovery.k8s.io');
export const namespacesResource = resourceFor('Namespace');
