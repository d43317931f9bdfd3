// metrics.k8s.io/v1beta1 as discovery lists it: NodeMetrics (nodes) and PodMetrics (pods),
// read-only (get, list), as metrics-server registers them. Not stored kinds: served by this
// folder's handler from the node agents' sampled usage, never from etcd.

import type { ResourceDescriptor } from '../../common/api/resources.js';

export const metricsGroup = 'metrics.k8s.io';
export const metricsVersion = 'v1beta1';
export const metricsApiVersion = `${metricsGroup}/${metricsVersion}`;

const readOnly = ['get', 'list'] as const;

export const metricsResources: readonly ResourceDescriptor[] = [
  {
    group: metricsGroup,
    version: metricsVersion,
    kind: 'NodeMetrics',
    listKind: 'NodeMetricsList',
    plural: 'nodes',
    singular: '',
    namespaced: false,
    shortNames: [],
    categories: [],
    subresources: [],
    definition: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics',
    verbs: readOnly,
  },
  {
    group: metricsGroup,
    version: metricsVersion,
    kind: 'PodMetrics',
    listKind: 'PodMetricsList',
    plural: 'pods',
    singular: '',
    namespaced: true,
    shortNames: [],
    categories: [],
    subresources: [],
    definition: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics',
    verbs: readOnly,
  },
];
