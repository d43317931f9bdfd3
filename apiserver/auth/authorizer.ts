// Who may do what. A small rule list in the spirit of RBAC: the first rule whose
// subject, verbs and resources match allows the request; nothing matching is 403.

import { ForbiddenError } from '../../common/errors.js';
import type { RequestInfo } from '../http/requestInfo.js';
import type { UserInfo } from './tokens.js';

export interface Rule {
  /** A user name or `group:<name>`. */
  subject: string;
  verbs: string[] | '*';
  /** `group/resource` (core group: `/pods`), `group/resource/subresource`, or '*'. */
  resources: string[] | '*';
  /** Non-resource paths such as /healthz; '*' for all. */
  paths?: string[] | '*';
}

const read = ['get', 'list', 'watch'];
const events = ['/events', 'events.k8s.io/events'];

/**
 * What a node agent needs (Kubernetes' system:node role, minus mirror pods). Which node and
 * which pods it may touch is narrowed further by admission/nodeRestriction.ts.
 */
export const nodeRules: Rule[] = [
  { subject: 'group:system:nodes', verbs: read, resources: ['/nodes', '/pods', '/configmaps', '/secrets', '/services'] },
  { subject: 'group:system:nodes', verbs: ['create', 'update', 'patch'], resources: ['/nodes', '/nodes/status'] },
  { subject: 'group:system:nodes', verbs: ['update', 'patch'], resources: ['/pods/status'] },
  // Finishing a graceful deletion once the containers are gone.
  { subject: 'group:system:nodes', verbs: ['delete'], resources: ['/pods'] },
  { subject: 'group:system:nodes', verbs: ['create', 'update', 'patch'], resources: events },
  { subject: 'group:system:nodes', verbs: ['get', 'create', 'update', 'patch'], resources: ['coordination.k8s.io/leases'] },
];

/** What the scheduler reads (its informers), writes (bindings, evictions for preemption, status, events) and its leader lease. */
export const schedulerRules: Rule[] = [
  { subject: 'system:kube-scheduler', verbs: read, resources: ['/pods', '/nodes', '/namespaces', '/services', 'apps/replicasets', 'scheduling.k8s.io/priorityclasses'] },
  { subject: 'system:kube-scheduler', verbs: ['create'], resources: ['/pods/binding', '/pods/eviction'] },
  { subject: 'system:kube-scheduler', verbs: ['update', 'patch'], resources: ['/pods/status'] },
  { subject: 'system:kube-scheduler', verbs: ['delete'], resources: ['/pods'] },
  { subject: 'system:kube-scheduler', verbs: ['create', 'update', 'patch'], resources: events },
  { subject: 'system:kube-scheduler', verbs: ['get', 'create', 'update'], resources: ['coordination.k8s.io/leases'] },
];

/**
 * The controllers read everything; the garbage collector and the namespace controller
 * patch finalizers and owner references of, and delete, objects of any kind. Creation is
 * limited to what controllers make.
 */
export const controllerManagerRules: Rule[] = [
  { subject: 'system:kube-controller-manager', verbs: [...read, 'update', 'patch', 'delete', 'deletecollection'], resources: '*' },
  {
    subject: 'system:kube-controller-manager',
    verbs: ['create'],
    resources: [
      '/pods', '/pods/binding', '/pods/eviction', '/namespaces', '/services', '/endpoints', '/configmaps', '/serviceaccounts', ...events,
      'apps/deployments', 'apps/replicasets', 'coordination.k8s.io/leases',
    ],
  },
];

export const defaultRules: Rule[] = [
  { subject: 'group:system:masters', verbs: '*', resources: '*', paths: '*' },
  // Everyone authenticated may read discovery, version and health, as in Kubernetes.
  { subject: 'group:system:authenticated', verbs: ['get'], resources: [], paths: ['/api', '/apis', '/version', '/healthz', '/readyz', '/livez', '/openapi/*', '/api/*', '/apis/*'] },
  ...nodeRules,
  ...schedulerRules,
  ...controllerManagerRules,
];

function matchesSubject(rule: Rule, user: UserInfo): boolean {
  if (rule.subject.startsWith('group:')) return user.groups.includes(rule.subject.slice(6));
  return rule.subject === user.name;
}

function matchesPath(patterns: string[] | '*' | undefined, path: string): boolean {
  if (patterns === '*') return true;
  return (patterns ?? []).some((p) => (p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : p === path));
}

export class RuleAuthorizer {
  constructor(private readonly rules: Rule[] = defaultRules) {}

  authorize(user: UserInfo, info: RequestInfo): void {
    for (const rule of this.rules) {
      if (!matchesSubject(rule, user)) continue;
      if (info.kind === 'nonresource') {
        if (matchesPath(rule.paths, info.path) && (rule.verbs === '*' || rule.verbs.includes(info.verb))) return;
        continue;
      }
      const resource = `${info.group}/${info.resource}${info.subresource ? '/' + info.subresource : ''}`;
      const verbOk = rule.verbs === '*' || rule.verbs.includes(info.verb);
      const resOk = rule.resources === '*' || rule.resources.includes(resource) || rule.resources.includes(`${info.group}/*`);
      if (verbOk && resOk) return;
    }
    if (info.kind === 'nonresource') throw new ForbiddenError(`forbidden: User "${user.name}" cannot ${info.verb} path "${info.path}"`);
    const res = `${info.resource}${info.group ? '.' + info.group : ''}${info.subresource ? '/' + info.subresource : ''}`;
    const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
    throw new ForbiddenError(`${res}${info.name ? ` "${info.name}"` : ''} is forbidden: User "${user.name}" cannot ${info.verb} resource "${info.resource}" in API group "${info.group}" ${scope}`, {
      resource: info.resource,
      group: info.group,
      ...(info.name ? { name: info.name } : {}),
    });
  }
}
