// Test fixtures: a trimmed copy of the shape of Kubernetes' OpenAPI v3
// `components.schemas` (references wrapped in `allOf`, patch extensions on the property),
// enough for Pods and Deployments. Used by the patch tests only.

const ref = (name: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }], default: {} });
const mergeList = (item: string, key: string, extra: Record<string, unknown> = {}) => ({
  type: 'array',
  items: ref(item),
  'x-kubernetes-list-map-keys': [key],
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': 'merge',
  ...extra,
});
const atomicList = (items: Record<string, unknown>) => ({ type: 'array', items, 'x-kubernetes-list-type': 'atomic' });
const str = { type: 'string', default: '' };
const stringMap = { type: 'object', additionalProperties: str };

export const POD = 'io.k8s.api.core.v1.Pod';
export const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

export const testDefinitions: Record<string, unknown> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      labels: stringMap,
      annotations: stringMap,
      finalizers: {
        type: 'array',
        items: str,
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      },
      ownerReferences: mergeList('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', 'uid'),
    },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': {
    type: 'object',
    properties: { apiVersion: str, kind: str, name: str, uid: str },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': {
    type: 'object',
    properties: { matchLabels: stringMap, matchExpressions: atomicList({ type: 'object' }) },
    'x-kubernetes-map-type': 'atomic',
  },
  [POD]: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.PodSpec'),
      status: ref('io.k8s.api.core.v1.PodStatus'),
    },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Pod', version: 'v1' }],
  },
  'io.k8s.api.core.v1.PodSpec': {
    type: 'object',
    required: ['containers'],
    properties: {
      containers: mergeList('io.k8s.api.core.v1.Container', 'name'),
      initContainers: mergeList('io.k8s.api.core.v1.Container', 'name'),
      volumes: mergeList('io.k8s.api.core.v1.Volume', 'name', { 'x-kubernetes-patch-strategy': 'merge,retainKeys' }),
      tolerations: atomicList(ref('io.k8s.api.core.v1.Toleration')),
      nodeSelector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
      nodeName: str,
      securityContext: ref('io.k8s.api.core.v1.PodSecurityContext'),
    },
  },
  'io.k8s.api.core.v1.PodSecurityContext': {
    type: 'object',
    properties: { runAsUser: { type: 'integer' }, runAsNonRoot: { type: 'boolean' } },
  },
  'io.k8s.api.core.v1.Toleration': {
    type: 'object',
    properties: { key: str, operator: str, effect: str },
  },
  'io.k8s.api.core.v1.Container': {
    type: 'object',
    required: ['name'],
    properties: {
      name: str,
      image: str,
      args: atomicList(str),
      command: atomicList(str),
      env: mergeList('io.k8s.api.core.v1.EnvVar', 'name'),
      ports: mergeList('io.k8s.api.core.v1.ContainerPort', 'containerPort', {
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      }),
      volumeMounts: mergeList('io.k8s.api.core.v1.VolumeMount', 'mountPath'),
      resources: ref('io.k8s.api.core.v1.ResourceRequirements'),
    },
  },
  'io.k8s.api.core.v1.EnvVar': {
    type: 'object',
    properties: { name: str, value: str, valueFrom: { type: 'object' } },
  },
  'io.k8s.api.core.v1.ContainerPort': {
    type: 'object',
    properties: { containerPort: { type: 'integer', format: 'int32' }, name: str, protocol: str },
  },
  'io.k8s.api.core.v1.VolumeMount': {
    type: 'object',
    properties: { name: str, mountPath: str, readOnly: { type: 'boolean' } },
  },
  'io.k8s.api.core.v1.Volume': {
    type: 'object',
    properties: { name: str, emptyDir: { type: 'object' }, configMap: { type: 'object' }, hostPath: { type: 'object' } },
  },
  'io.k8s.api.core.v1.ResourceRequirements': {
    type: 'object',
    properties: {
      limits: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
      requests: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
    },
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.api.core.v1.PodStatus': {
    type: 'object',
    properties: {
      phase: str,
      conditions: mergeList('io.k8s.api.core.v1.PodCondition', 'type'),
    },
  },
  'io.k8s.api.core.v1.PodCondition': {
    type: 'object',
    properties: { type: str, status: str, reason: str },
  },
  [DEPLOYMENT]: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.apps.v1.DeploymentSpec'),
    },
    'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
  },
  'io.k8s.api.apps.v1.DeploymentSpec': {
    type: 'object',
    properties: {
      replicas: { type: 'integer' },
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
      strategy: { ...ref('io.k8s.api.apps.v1.DeploymentStrategy'), 'x-kubernetes-patch-strategy': 'retainKeys' },
    },
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': {
    type: 'object',
    properties: { type: str, rollingUpdate: { type: 'object' } },
  },
  'io.k8s.api.core.v1.PodTemplateSpec': {
    type: 'object',
    properties: {
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.PodSpec'),
    },
  },
};
