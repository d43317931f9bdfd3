// Who may read usage: whoever may read the pods or nodes it is about. Kubernetes leaves this
// to RBAC rules on metrics.k8s.io (metrics-server ships a ClusterRole aggregated into view);
// Gantry's rule list has no such group, so a metrics request is decided as the same verb on
// the core resource. Done in the authorizer, so requests and SelfSubjectAccessReviews
// (`kubectl auth can-i list pods.metrics.k8s.io`) get the same answer; a refusal still names
// what was asked.

import { RuleAuthorizer, type Attributes, type Decision } from '../auth/authorizer.js';
import type { UserInfo } from '../auth/tokens.js';
import { metricsGroup } from './resources.js';

export function authorizationAttributes(info: Attributes): Attributes {
  if (info.kind !== 'resource' || info.group !== metricsGroup || (info.resource !== 'pods' && info.resource !== 'nodes')) return info;
  return { ...info, group: '' };
}

export class MetricsAwareAuthorizer extends RuleAuthorizer {
  override decide(user: UserInfo, info: Attributes): Decision {
    return super.decide(user, authorizationAttributes(info));
  }
}
