// Who may do what. A small rule list in the spirit of RBAC: the first rule whose
// subject, verbs and resources match allows the request; nothing matching is 403.

import { builtinResources } from '../../common/api/resources.js';
import { ForbiddenError } from '../../common/errors.js';
import { graphResources, type NodeGraph } from './nodeGraph.js';
import type { UserInfo } from './tokens.js';
import { localPathNodeLabel } from '../../common/api/storage.js';

/** What a request (or a SelfSubjectAccessReview) asks to do. Verbs are free-form, as in RBAC ("use", "*"). */
export type Attributes =
  | {
      kind: 'resource';
      group: string;
      resource: string;
      subresource?: string;
      namespace?: string;
      name?: string;
      verb: string;
      /** A list's or watch's label selector, as sent (Kubernetes' authorizers see it too since 1.31). */
      labelSelector?: string;
    }
  | { kind: 'nonresource'; path: string; verb: string };

export interface Decision {
  allowed: boolean;
  /** Which rule allowed it; empty when nothing did (RBAC gives no reason for a denial either). */
  reason: string;
}

/** The rules that apply to one user, in the shape of a SelfSubjectRulesReview's status. */
export interface UserRules {
  resourceRules: { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
}

export interface Rule {
  /** A user name or `group:<name>`. */
  subject: string;
  verbs: string[] | '*';
  /** `group/resource` (core group: `/pods`), `group/resource/subresource`, or '*'. */
  resources: string[] | '*';
  /** Non-resource paths such as /healthz; '*' for all. */
  paths?: string[] | '*';
  /** Only in these namespaces (RBAC's RoleBinding scope); absent: any. */
  namespaces?: string[];
  /** Only objects of these names (RBAC's resourceNames); absent: any. */
  names?: string[];
}

const read = ['get', 'list', 'watch'];
const events = ['/events', 'events.k8s.io/events'];

/** The namespace of node heartbeat Leases. */
export const nodeLeaseNamespace = 'kube-node-lease';
/** The leader-election Leases of the scheduler and the controller manager (their default config). */
export const schedulerLease = { namespace: 'kube-system', name: 'gantry-scheduler' };
export const controllerManagerLease = { namespace: 'kube-system', name: 'kube-controller-manager' };

/**
 * What a node agent needs (Kubernetes' system:node role, minus mirror pods). Secrets,
 * ConfigMaps, PVCs and ServiceAccounts are not here: a node reads one only while a pod bound
 * to it refers to it (the graph, nodeGraph.ts). Which Node, Lease and pods it may write is
 * narrowed further by admission/nodeRestriction.ts.
 */
export const nodeRules: Rule[] = [
  // Services, Endpoints and EndpointSlices: the service proxy in every agent (kube-proxy's reads).
  { subject: 'group:system:nodes', verbs: read, resources: ['/nodes', '/pods', '/services', '/endpoints', 'discovery.k8s.io/endpointslices'] },
  { subject: 'group:system:nodes', verbs: ['create', 'update', 'patch'], resources: ['/nodes', '/nodes/status'] },
  // Its own Node only (NodeRestriction): `gantry leave` removes the node with its own credentials.
  { subject: 'group:system:nodes', verbs: ['delete'], resources: ['/nodes'] },
  // Its serving certificate; which CSRs it may read is narrowed to its own (csrRestriction.ts).
  { subject: 'group:system:nodes', verbs: ['create', ...read], resources: ['certificates.k8s.io/certificatesigningrequests'] },
  { subject: 'group:system:nodes', verbs: ['update', 'patch'], resources: ['/pods/status'] },
  // Finishing a graceful deletion once the containers are gone.
  { subject: 'group:system:nodes', verbs: ['delete'], resources: ['/pods'] },
  { subject: 'group:system:nodes', verbs: ['create', 'update', 'patch'], resources: events },
  // Its local-path volumes: only to drop the cleanup finalizer of its own (admission/storageRestrictions.ts).
  // Reading PersistentVolumes is the node authorizer's (RuleAuthorizer.decideNode).
  { subject: 'group:system:nodes', verbs: ['update', 'patch'], resources: ['/persistentvolumes'] },
  // Its heartbeat, in kube-node-lease only; the Lease named after itself only (NodeRestriction).
  { subject: 'group:system:nodes', verbs: ['get', 'create', 'update', 'patch'], resources: ['coordination.k8s.io/leases'], namespaces: [nodeLeaseNamespace] },
];

/** What the scheduler reads (its informers), writes (bindings, evictions for preemption, status, events) and its leader lease. */
export const schedulerRules: Rule[] = [
  {
    subject: 'system:kube-scheduler',
    verbs: read,
    resources: [
      '/pods', '/nodes', '/namespaces', '/services', 'apps/replicasets', 'apps/statefulsets', 'scheduling.k8s.io/priorityclasses',
      // VolumeBinding: claims, volumes and classes.
      '/persistentvolumeclaims', '/persistentvolumes', 'storage.k8s.io/storageclasses',
      // Preemption: budgets it prefers not to break.
      'policy/poddisruptionbudgets',
    ],
  },
  // The node chosen for a WaitForFirstConsumer claim; only that annotation (admission/storageRestrictions.ts).
  { subject: 'system:kube-scheduler', verbs: ['patch'], resources: ['/persistentvolumeclaims'] },
  { subject: 'system:kube-scheduler', verbs: ['create'], resources: ['/pods/binding', '/pods/eviction'] },
  { subject: 'system:kube-scheduler', verbs: ['update', 'patch'], resources: ['/pods/status'] },
  // delete: preemption; patch: the scheduler.gantry.dev/unschedulable-nodes annotation `gantry why` reads.
  { subject: 'system:kube-scheduler', verbs: ['delete', 'patch'], resources: ['/pods'] },
  { subject: 'system:kube-scheduler', verbs: ['create', 'update', 'patch'], resources: events },
  // Its leader Lease only. Creating names its object in the body, which RBAC's resourceNames
  // cannot see: create is limited to the namespace, and creating cannot overwrite a Lease.
  { subject: 'system:kube-scheduler', verbs: ['create'], resources: ['coordination.k8s.io/leases'], namespaces: [schedulerLease.namespace] },
  { subject: 'system:kube-scheduler', verbs: ['get', 'update', 'patch'], resources: ['coordination.k8s.io/leases'], namespaces: [schedulerLease.namespace], names: [schedulerLease.name] },
];

const leases = 'coordination.k8s.io/leases';
/** Every built-in resource and subresource but Leases, as `group/resource[/subresource]`. */
const allButLeases: string[] = builtinResources
  .filter((r) => `${r.group}/${r.plural}` !== leases)
  .flatMap((r) => [`${r.group}/${r.plural}`, ...r.subresources.map((sub) => `${r.group}/${r.plural}/${sub}`), ...(r.plural === 'namespaces' ? ['/namespaces/finalize'] : [])]);

/**
 * The controllers read everything; the garbage collector and the namespace controller
 * patch finalizers and owner references of, and delete, objects of any kind. Creation is
 * limited to what controllers make.
 */
export const controllerManagerRules: Rule[] = [
  { subject: 'system:kube-controller-manager', verbs: read, resources: '*' },
  { subject: 'system:kube-controller-manager', verbs: ['update', 'patch', 'delete', 'deletecollection'], resources: allButLeases },
  // Leases: delete (the garbage collector removes a deleted Node's Lease, the namespace
  // controller a namespace's), and write only its own leader Lease.
  { subject: 'system:kube-controller-manager', verbs: ['delete', 'deletecollection'], resources: [leases] },
  { subject: 'system:kube-controller-manager', verbs: ['create'], resources: [leases], namespaces: [controllerManagerLease.namespace] },
  { subject: 'system:kube-controller-manager', verbs: ['get', 'update', 'patch'], resources: [leases], namespaces: [controllerManagerLease.namespace], names: [controllerManagerLease.name] },
  {
    subject: 'system:kube-controller-manager',
    verbs: ['create'],
    resources: [
      '/pods', '/pods/binding', '/pods/eviction', '/namespaces', '/services', '/endpoints', '/configmaps', '/serviceaccounts', ...events,
      'apps/deployments', 'apps/replicasets', 'discovery.k8s.io/endpointslices',
      // The CronJob controller's runs; the DaemonSet and StatefulSet controllers' revision history.
      'batch/jobs',
      'apps/controllerrevisions',
      // A StatefulSet's claims; the local-path provisioner's volumes.
      '/persistentvolumeclaims',
      '/persistentvolumes',
    ],
  },
];

/**
 * The cluster DNS server (dns/): reads what it answers from, and registers its own
 * `kube-dns` Service and EndpointSlice in kube-system, as the API server does `kubernetes`.
 */
export const dnsRules: Rule[] = [
  { subject: 'system:gantry-dns', verbs: read, resources: ['/services', '/endpoints', 'discovery.k8s.io/endpointslices', '/pods', '/namespaces'] },
  { subject: 'system:gantry-dns', verbs: ['create', 'update', 'patch'], resources: ['/services', 'discovery.k8s.io/endpointslices', '/endpoints'] },
];

/**
 * A joining node holding a bootstrap token (Kubernetes' system:node-bootstrapper): it may
 * ask for a client certificate and read the answer, nothing else. Which CSRs it may read is
 * narrowed to its own (csrRestriction.ts).
 */
export const bootstrapperRules: Rule[] = [
  { subject: 'group:system:bootstrappers', verbs: ['create', ...read], resources: ['certificates.k8s.io/certificatesigningrequests'] },
];

/**
 * kubeadm's discovery: the cluster's CA (and address) in kube-public/cluster-info, readable
 * before the joining node trusts the server, so it can check the CA against its pin.
 */
export const clusterInfoRules: Rule[] = [
  { subject: 'group:system:unauthenticated', verbs: ['get'], resources: ['/configmaps'], namespaces: ['kube-public'], names: ['cluster-info'] },
  { subject: 'group:system:authenticated', verbs: ['get'], resources: ['/configmaps'], namespaces: ['kube-public'], names: ['cluster-info'] },
];

/** Questions about oneself (Kubernetes' system:basic-user): may I?, what may I?, who am I? */
export const selfReviewResources = ['authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews', 'authentication.k8s.io/selfsubjectreviews'];

export const defaultRules: Rule[] = [
  { subject: 'group:system:masters', verbs: '*', resources: '*', paths: '*' },
  { subject: 'group:system:authenticated', verbs: ['create'], resources: selfReviewResources },
  // Everyone authenticated may read discovery, version and health, as in Kubernetes.
  { subject: 'group:system:authenticated', verbs: ['get'], resources: [], paths: ['/api', '/apis', '/version', '/healthz', '/readyz', '/livez', '/openapi/*', '/api/*', '/apis/*'] },
  ...nodeRules,
  ...schedulerRules,
  ...controllerManagerRules,
  ...dnsRules,
  ...bootstrapperRules,
  ...clusterInfoRules,
];

function matchesSubject(rule: Rule, user: UserInfo): boolean {
  if (rule.subject.startsWith('group:')) return user.groups.includes(rule.subject.slice(6));
  return rule.subject === user.name;
}

function matchesPath(patterns: string[] | '*' | undefined, path: string): boolean {
  if (patterns === '*') return true;
  return (patterns ?? []).some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : p === path));
}

const nodeUserPrefix = 'system:node:';
const graphed = new Set<string>([...graphResources, '/persistentvolumes']);
export { localPathNodeLabel };

/** Whether a label selector is exactly `storage.gantry.dev/node=<node>` (`==` too, spaces around). */
export function isOwnVolumeSelector(selector: string | undefined, node: string): boolean {
  const m = /^\s*([^=!\s]+)\s*==?\s*([^,\s]*)\s*$/.exec(selector ?? '');
  return m !== null && m[1] === localPathNodeLabel && m[2] === node;
}

/** The attributes of a request, with the label selector of a list or watch. */
export function withLabelSelector(info: Attributes, query: URLSearchParams): Attributes {
  if (info.kind !== 'resource' || (info.verb !== 'list' && info.verb !== 'watch')) return info;
  const selector = query.get('labelSelector');
  return selector === null ? info : { ...info, labelSelector: selector };
}

/** The node a user acts for (user system:node:<name> in group system:nodes), or undefined. */
export function nodeOfUser(user: UserInfo): string | undefined {
  if (!user.groups.includes('system:nodes') || !user.name.startsWith(nodeUserPrefix)) return undefined;
  return user.name.slice(nodeUserPrefix.length) || undefined;
}

export interface RuleAuthorizerOptions {
  /**
   * Kubernetes' Node authorizer: a node may get a Secret, ConfigMap, PVC or ServiceAccount
   * only while the graph says a pod bound to it refers to it. Absent: never.
   */
  nodeGraph?: NodeGraph;
}

export class RuleAuthorizer {
  constructor(
    private readonly rules: Rule[] = defaultRules,
    private readonly opts: RuleAuthorizerOptions = {},
  ) {}

  /**
   * A node asking for a graph kind: a single get of an object one of its pods refers to
   * (a volume: bound to a claim one of its pods refers to), or nothing. PersistentVolumes
   * also: a list or watch selecting exactly the node's own local-path volumes. Undefined for
   * every other request (the rules decide).
   */
  private decideNode(user: UserInfo, info: Attributes): Decision | undefined {
    if (info.kind !== 'resource' || info.subresource) return undefined;
    const node = nodeOfUser(user);
    const resource = `${info.group}/${info.resource}`;
    if (node === undefined || !graphed.has(resource)) return undefined;
    if (resource === '/persistentvolumes' && (info.verb === 'list' || info.verb === 'watch') && info.name === undefined && isOwnVolumeSelector(info.labelSelector, node)) {
      return { allowed: true, reason: `allowed by the node authorizer: the PersistentVolumes labelled ${localPathNodeLabel}=${node}` };
    }
    const scoped = resource === '/persistentvolumes' ? info.namespace === undefined : info.namespace !== undefined;
    const ok = info.verb === 'get' && scoped && info.name !== undefined && this.opts.nodeGraph?.allows(node, resource, info.namespace ?? '', info.name) === true;
    return ok ? { allowed: true, reason: `allowed by the node authorizer: a pod bound to node "${node}" refers to it` } : undefined;
  }

  /** Whether `user` may do what `info` asks, and by which rule. */
  decide(user: UserInfo, info: Attributes): Decision {
    const byGraph = this.decideNode(user, info);
    if (byGraph) return byGraph;
    for (const rule of this.rules) {
      if (!matchesSubject(rule, user)) continue;
      if (rule.verbs !== '*' && !rule.verbs.includes(info.verb)) continue;
      if (info.kind === 'nonresource') {
        if (matchesPath(rule.paths, info.path)) return { allowed: true, reason: allowedBy(rule) };
        continue;
      }
      const resource = `${info.group}/${info.resource}${info.subresource ? '/' + info.subresource : ''}`;
      if (rule.namespaces && (info.namespace === undefined || !rule.namespaces.includes(info.namespace))) continue;
      if (rule.names && (info.name === undefined || !rule.names.includes(info.name))) continue;
      if (rule.resources === '*' || rule.resources.includes(resource) || rule.resources.includes(`${info.group}/*`)) return { allowed: true, reason: allowedBy(rule) };
    }
    return { allowed: false, reason: '' };
  }

  /** Throws 403 Forbidden unless `user` may do what `info` asks. */
  authorize(user: UserInfo, info: Attributes): void {
    if (this.decide(user, info).allowed) return;
    if (info.kind === 'nonresource') throw new ForbiddenError(`forbidden: User "${user.name}" cannot ${info.verb} path "${info.path}"`);
    const res = `${info.resource}${info.group ? '.' + info.group : ''}${info.subresource ? '/' + info.subresource : ''}`;
    const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
    throw new ForbiddenError(`${res}${info.name ? ` "${info.name}"` : ''} is forbidden: User "${user.name}" cannot ${info.verb} resource "${info.resource}" in API group "${info.group}" ${scope}`, {
      resource: info.resource,
      group: info.group,
      ...(info.name ? { name: info.name } : {}),
    });
  }

  /** Every rule that applies to `user` in `namespace` (any, when absent), as RBAC-style resource and non-resource rules. */
  rulesFor(user: UserInfo, namespace?: string): UserRules {
    const out: UserRules = { resourceRules: [], nonResourceRules: [] };
    for (const rule of this.rules) {
      if (!matchesSubject(rule, user)) continue;
      // A rule bound to other namespaces (a RoleBinding elsewhere) is not what the asker may do here.
      if (rule.namespaces && namespace !== undefined && !rule.namespaces.includes(namespace)) continue;
      const verbs = rule.verbs === '*' ? ['*'] : [...rule.verbs];
      if (rule.resources === '*') {
        out.resourceRules.push({ verbs, apiGroups: ['*'], resources: ['*'] });
      } else {
        // `group/resource[/subresource]`, one RBAC rule per API group.
        const byGroup = new Map<string, string[]>();
        for (const r of rule.resources) {
          const slash = r.indexOf('/');
          const group = r.slice(0, slash);
          byGroup.set(group, [...(byGroup.get(group) ?? []), r.slice(slash + 1)]);
        }
        for (const [group, resources] of byGroup) out.resourceRules.push({ verbs, apiGroups: [group], resources, ...(rule.names ? { resourceNames: [...rule.names] } : {}) });
      }
      if (rule.paths !== undefined) out.nonResourceRules.push({ verbs, nonResourceURLs: rule.paths === '*' ? ['*'] : [...rule.paths] });
    }
    return out;
  }
}

function allowedBy(rule: Rule): string {
  const subject = rule.subject.startsWith('group:') ? `Group "${rule.subject.slice(6)}"` : `User "${rule.subject}"`;
  return `allowed by Gantry's rules for ${subject}`;
}
