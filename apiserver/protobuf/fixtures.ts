// One representative object per kind whose body may arrive as protobuf: every served kind
// and the subresource kinds (Binding, Eviction, Scale) and DeleteOptions. Each is shaped as
// Kubernetes' JSON writes it (no zeros that omitempty drops, `{}` for empty structs), and
// between them they use every special encoding: Quantity, IntOrString (int and string),
// Time, MicroTime, bytes, maps, pointer zeros (`replicas: 0`, `false`), FieldsV1.

import { makeCsr } from '../../common/pki/csr.js';

/** A real certificate request (the API server validates it), made once per process. */
const fixtureCsr = Buffer.from(makeCsr({ commonName: 'system:node:node-1', organizations: ['system:nodes'] }).csrPem).toString('base64');

const meta = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  uid: '0f4c4b5e-9a53-4d0e-8f5c-3b1b7b6e9a11',
  resourceVersion: '42',
  creationTimestamp: '2026-12-07T03:04:05Z',
  labels: { app: name },
  ...extra,
});

const podSpec = {
  volumes: [{ name: 'config', configMap: { name: 'web-config', items: [{ key: 'a', path: 'a.txt', mode: 0 }], defaultMode: 420 } }],
  initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'], resources: {} }],
  containers: [
    {
      name: 'web',
      image: 'nginx:1.27',
      args: ['--port', '80'],
      ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'MODE', value: 'prod' }, { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
      resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m', memory: '128Mi' } },
      volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 3, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      readinessProbe: { tcpSocket: { port: 80 }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
      securityContext: { allowPrivilegeEscalation: false, runAsUser: 0, capabilities: { drop: ['ALL'] } },
    },
  ],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  serviceAccountName: 'default',
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, supplementalGroups: [1000, 2000], fsGroup: 0 },
  schedulerName: 'default-scheduler',
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  priority: 0,
  enableServiceLinks: true,
};

/** Keyed by kind; `body` is what the client sends. */
export const protobufFixtures: Record<string, Record<string, unknown>> = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: meta('team-a', { annotations: { owner: 'ops' } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  Pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('web-0', { namespace: 'default', generateName: 'web-', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9', uid: '11111111-2222-3333-4444-555555555555', controller: true, blockOwnerDeletion: true }], finalizers: ['example.com/keep'], deletionTimestamp: '2026-12-07T04:00:00Z', deletionGracePeriodSeconds: 0, managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2026-12-07T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } }] }),
    spec: podSpec,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-07T03:05:00Z' }],
      hostIP: '10.0.0.2',
      podIP: '10.244.1.5',
      podIPs: [{ ip: '10.244.1.5' }],
      startTime: '2026-12-07T03:04:06Z',
      containerStatuses: [{ name: 'web', state: { running: { startedAt: '2026-12-07T03:04:10Z' } }, lastState: {}, ready: false, restartCount: 0, image: 'nginx:1.27', imageID: '', started: true }],
      qosClass: 'Burstable',
    },
  },
  Node: {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta('node-1'),
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], unschedulable: true },
    status: {
      capacity: { cpu: '2', memory: '24Gi', pods: '110' },
      allocatable: { cpu: '1900m', memory: '23Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-12-07T03:04:05Z', lastTransitionTime: '2026-12-07T03:00:00Z', reason: 'KubeletReady', message: 'ready' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'node-1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1.0', osImage: 'Debian', containerRuntimeVersion: 'runc://1.1', kubeletVersion: 'v1.32.0-gantry', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
    },
  },
  Service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('web', { namespace: 'default' }),
    spec: {
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }, { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 9090 }],
      selector: { app: 'web' },
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      type: 'NodePort',
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: false,
    },
    status: { loadBalancer: {} },
  },
  Endpoints: {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta('web', { namespace: 'default' }),
    subsets: [{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u' } }], notReadyAddresses: [{ ip: '10.244.2.7' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
  },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('web-config', { namespace: 'default' }), data: { 'a.txt': 'hello\n', empty: '' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' }, immutable: false },
  Secret: { apiVersion: 'v1', kind: 'Secret', metadata: meta('creds', { namespace: 'default' }), data: { password: 'czNjcjN0', empty: '' }, type: 'Opaque' },
  Event: {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta('web-0.17f', { namespace: 'default' }),
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u', apiVersion: 'v1', resourceVersion: '41', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: 'Container image "nginx:1.27" already present on machine',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-12-07T03:04:05Z',
    lastTimestamp: '2026-12-07T03:04:07Z',
    count: 2,
    type: 'Normal',
    eventTime: '2026-12-07T03:04:05.123456Z',
    reportingComponent: 'kubelet',
    reportingInstance: 'node-1',
  },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('builder', { namespace: 'default' }), secrets: [{ name: 'builder-token' }], imagePullSecrets: [{ name: 'regcred' }], automountServiceAccountToken: false },
  Deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web', { namespace: 'default', generation: 3, annotations: { 'deployment.kubernetes.io/revision': '2' } }),
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: podSpec },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2026-12-07T03:04:05Z', lastTransitionTime: '2026-12-07T03:04:05Z', reason: 'MinimumReplicasAvailable', message: 'ok' }] },
  },
  ReplicaSet: {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta('web-7d4b9', { namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true }] }),
    spec: { replicas: 3, minReadySeconds: 5, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': '7d4b9' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: {} }] } } },
    status: { replicas: 0, fullyLabeledReplicas: 1, observedGeneration: 1 },
  },
  Lease: {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: meta('node-1', { namespace: 'kube-node-lease' }),
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, acquireTime: '2026-12-07T03:00:00.000000Z', renewTime: '2026-12-07T03:04:05.987654Z', leaseTransitions: 0 },
  },
  PriorityClass: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('zero'), value: 0, description: 'nothing special', preemptionPolicy: 'Never' },
  EndpointSlice: {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta('web-x7k2p', { namespace: 'default', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }),
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.244.1.5'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'web-0', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u' }, nodeName: 'node-1', zone: 'z1', hints: { forZones: [{ name: 'z1' }] } },
      { addresses: ['10.244.2.7'], conditions: { ready: false, serving: false, terminating: true } },
    ],
    ports: [{ name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' }, { name: 'dns', protocol: 'UDP', port: 53 }],
  },
  CertificateSigningRequest: {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: meta('node-csr-abc'),
    spec: { request: fixtureCsr, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', expirationSeconds: 3600, usages: ['digital signature', 'client auth'], username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'], extra: { 'scopes.example.com': ['a', 'b'] } },
    status: { conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'ok', lastUpdateTime: '2026-01-02T03:04:05Z', lastTransitionTime: '2026-01-02T03:04:05Z' }], certificate: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==' },
  },
  Binding: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web-0', namespace: 'default', uid: 'u' }, target: { kind: 'Node', name: 'node-1' } },
  Eviction: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-0', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u' }, propagationPolicy: 'Background' } },
  Scale: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default', resourceVersion: '42' }, spec: { replicas: 5 }, status: { replicas: 0, selector: 'app=web' } },
  DeleteOptions: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { resourceVersion: '42' }, orphanDependents: false, propagationPolicy: 'Foreground', dryRun: ['All'] },
};
