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

export const defaultRules: Rule[] = [
  { subject: 'group:system:masters', verbs: '*', resources: '*', paths: '*' },
  // Everyone authenticated may read discovery, version and health, as in Kubernetes.
  { subject: 'group:system:authenticated', verbs: ['get'], resources: [], paths: ['/api', '/apis', '/version', '/healthz', '/readyz', '/livez', '/openapi/*', '/api/*', '/apis/*'] },
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
