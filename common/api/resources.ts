// What each built-in resource is called and where it lives, shared by the API server
// (routing, discovery, OpenAPI) and clients (the CLI). Behaviour lives in the API
// server's strategies; this file only names things.

export type SubresourceName = 'status' | 'approval' | 'scale' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy';

export interface ResourceDescriptor {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural, lower case: the path segment. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: SubresourceName[];
  /** Name of the OpenAPI definition of this kind in common/schemas. */
  definition: string;
  /** The verbs served, when not every verb is (create-only reviews); discovery lists these. */
  verbs?: readonly string[];
}

function core(kind: string, plural: string, rest: Partial<ResourceDescriptor> & { namespaced: boolean }): ResourceDescriptor {
  return describe('', 'v1', kind, plural, `io.k8s.api.core.v1.${kind}`, rest);
}

function describe(
  group: string,
  version: string,
  kind: string,
  plural: string,
  definition: string,
  rest: Partial<ResourceDescriptor> & { namespaced: boolean },
): ResourceDescriptor {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: [],
    definition,
    ...rest,
  };
}

/** Every kind Gantry serves, in discovery order. */
export const builtinResources: readonly ResourceDescriptor[] = [
  core('Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  core('Pod', 'pods', {
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward'],
  }),
  core('Node', 'nodes', { namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  core('Service', 'services', { namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  core('Endpoints', 'endpoints', { namespaced: true, shortNames: ['ep'] }),
  core('ConfigMap', 'configmaps', { namespaced: true, shortNames: ['cm'] }),
  core('Secret', 'secrets', { namespaced: true }),
  core('Event', 'events', { namespaced: true, shortNames: ['ev'], definition: 'io.k8s.api.core.v1.Event' }),
  core('ServiceAccount', 'serviceaccounts', { namespaced: true, shortNames: ['sa'] }),
  core('PersistentVolume', 'persistentvolumes', { namespaced: false, shortNames: ['pv'], subresources: ['status'] }),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', { namespaced: true, shortNames: ['pvc'], subresources: ['status'] }),
  describe('apps', 'v1', 'Deployment', 'deployments', 'io.k8s.api.apps.v1.Deployment', {
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  describe('apps', 'v1', 'ReplicaSet', 'replicasets', 'io.k8s.api.apps.v1.ReplicaSet', {
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  describe('apps', 'v1', 'DaemonSet', 'daemonsets', 'io.k8s.api.apps.v1.DaemonSet', {
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
  }),
  describe('apps', 'v1', 'StatefulSet', 'statefulsets', 'io.k8s.api.apps.v1.StatefulSet', {
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  describe('apps', 'v1', 'ControllerRevision', 'controllerrevisions', 'io.k8s.api.apps.v1.ControllerRevision', { namespaced: true }),
  describe('batch', 'v1', 'Job', 'jobs', 'io.k8s.api.batch.v1.Job', {
    namespaced: true,
    categories: ['all'],
    subresources: ['status'],
  }),
  describe('batch', 'v1', 'CronJob', 'cronjobs', 'io.k8s.api.batch.v1.CronJob', {
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
  }),
  describe('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', 'io.k8s.api.policy.v1.PodDisruptionBudget', {
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
  }),
  describe('coordination.k8s.io', 'v1', 'Lease', 'leases', 'io.k8s.api.coordination.v1.Lease', { namespaced: true }),
  describe('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', 'io.k8s.api.scheduling.v1.PriorityClass', {
    namespaced: false,
    shortNames: ['pc'],
  }),
  describe('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', 'io.k8s.api.storage.v1.StorageClass', {
    namespaced: false,
    shortNames: ['sc'],
  }),
  // Kubernetes gives EndpointSlices no short name and no category.
  describe('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', 'io.k8s.api.discovery.v1.EndpointSlice', { namespaced: true }),
  describe('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', 'io.k8s.api.certificates.v1.CertificateSigningRequest', {
    namespaced: false,
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
  }),
];

/**
 * Create-only kinds that are answered, never stored: a client asks a question about itself
 * (may I?, what may I?, who am I?) by creating one, as in Kubernetes.
 */
export const reviewResources: readonly ResourceDescriptor[] = [
  describe('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', 'io.k8s.api.authorization.v1.SelfSubjectAccessReview', {
    namespaced: false,
    verbs: ['create'],
  }),
  describe('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', 'io.k8s.api.authorization.v1.SelfSubjectRulesReview', {
    namespaced: false,
    verbs: ['create'],
  }),
  describe('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', 'io.k8s.api.authentication.v1.SelfSubjectReview', {
    namespaced: false,
    verbs: ['create'],
  }),
  // kubectl 1.27's `auth whoami` asks v1beta1 (then v1alpha1) only.
  describe('authentication.k8s.io', 'v1beta1', 'SelfSubjectReview', 'selfsubjectreviews', 'io.k8s.api.authentication.v1beta1.SelfSubjectReview', {
    namespaced: false,
    verbs: ['create'],
  }),
];

/** What a subresource reads and writes: its kind, where that kind is defined, and its verbs. */
export interface SubresourceKind {
  group: string;
  version: string;
  kind: string;
  /** The OpenAPI definition of a body kind other than the resource's own (scale, binding, eviction). */
  definition?: string;
  verbs: readonly string[];
}

/** Kubernetes' subresource kinds (status is the resource's own kind; see subresourceKind). */
export const subresourceKinds: Readonly<Record<Exclude<SubresourceName, 'status'>, SubresourceKind>> = {
  // A CSR's approval conditions: the CSR itself, like status.
  approval: { group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', definition: 'io.k8s.api.autoscaling.v1.Scale', verbs: ['get', 'patch', 'update'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', definition: 'io.k8s.api.policy.v1.Eviction', verbs: ['create'] },
  binding: { group: '', version: 'v1', kind: 'Binding', definition: 'io.k8s.api.core.v1.Binding', verbs: ['create'] },
  log: { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  proxy: { group: '', version: 'v1', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
};

export function subresourceKind(r: ResourceDescriptor, sub: SubresourceName): SubresourceKind {
  return sub === 'status' ? { group: r.group, version: r.version, kind: r.kind, verbs: ['get', 'patch', 'update'] } : subresourceKinds[sub];
}

/** The Go package an API group's types live in: "" -> core, "coordination.k8s.io" -> coordination. */
export function groupPackage(group: string): string {
  if (group === '') return 'core';
  return group.replace(/\.k8s\.io$/, '').split('.')[0]!;
}

export function groupVersions(resources: readonly ResourceDescriptor[]): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of resources) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

/**
 * The built-in resource of `kind` (in `group` when given; the core group is ''). Throws for
 * a kind Gantry does not serve, or one served by several groups when no group is given: a
 * wrong name in code is a programming error, not something to carry on without.
 */
export function resourceFor(kind: string, group?: string): ResourceDescriptor {
  const found = builtinResources.filter((r) => r.kind === kind && (group === undefined || r.group === group));
  if (found.length === 1) return found[0]!;
  const what = group === undefined ? kind : `${kind} in group ${JSON.stringify(group)}`;
  if (found.length === 0) throw new Error(`no built-in resource of kind ${what}`);
  throw new Error(`several built-in resources of kind ${kind} (groups ${found.map((r) => JSON.stringify(r.group)).join(', ')}): name the group`);
}
