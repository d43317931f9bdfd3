// The self reviews: a client asks about itself by creating one, and the answer is the same
// object with its status filled in. Nothing is stored. What they mean lives here; the
// endpoint that serves them is registry/reviewEndpoint.ts.

import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import type { Attributes, Decision, UserRules } from '../../auth/authorizer.js';
import type { UserInfo } from '../../auth/tokens.js';

/** What a review may ask of the authorizer. */
export interface ReviewAuthorizer {
  decide(user: UserInfo, attrs: Attributes): Decision;
  rulesFor(user: UserInfo, namespace?: string): UserRules;
}

export interface ReviewContext {
  user: UserInfo;
  authorizer: ReviewAuthorizer;
}

/** Field errors in the request, or the answered review. */
export type ReviewOutcome = { invalid: FieldCause[] } | { answer: KubeObject };

export type Review = (request: KubeObject, ctx: ReviewContext) => ReviewOutcome;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The request as it was asked, with the status the server found (a status sent along is ignored). */
function answered(request: KubeObject, status: Record<string, unknown>): KubeObject {
  return { ...request, status };
}

/** authorization.k8s.io SelfSubjectAccessReview: may I do this? */
export const selfSubjectAccessReview: Review = (request, { user, authorizer }) => {
  const spec = isObject(request.spec) ? request.spec : {};
  const resource = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if ((resource === undefined) === (nonResource === undefined)) {
    const message = resource ? 'cannot be specified in combination with resourceAttributes' : 'exactly one of nonResourceAttributes or resourceAttributes must be specified';
    return { invalid: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${resource ? '"nonResourceAttributes"' : '"null"'}: ${message}`, field: resource ? 'spec.nonResourceAttributes' : 'spec.resourceAttributes' }] };
  }
  let attrs: Attributes;
  if (resource) {
    attrs = { kind: 'resource', verb: str(resource.verb), group: str(resource.group), resource: str(resource.resource) };
    if (str(resource.subresource)) attrs.subresource = str(resource.subresource);
    if (str(resource.namespace)) attrs.namespace = str(resource.namespace);
    if (str(resource.name)) attrs.name = str(resource.name);
  } else {
    attrs = { kind: 'nonresource', verb: str(nonResource!.verb), path: str(nonResource!.path) };
  }
  const decision = authorizer.decide(user, attrs);
  return { answer: answered(request, { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) }) };
};

/** authorization.k8s.io SelfSubjectRulesReview: what may I do in a namespace (rules scoped to other namespaces are left out)? */
export const selfSubjectRulesReview: Review = (request, { user, authorizer }) => {
  const spec = isObject(request.spec) ? request.spec : {};
  if (spec.namespace !== undefined && typeof spec.namespace !== 'string') {
    return { invalid: [{ reason: 'FieldValueInvalid', message: 'Invalid value: must be a string', field: 'spec.namespace' }] };
  }
  const rules = authorizer.rulesFor(user, typeof spec.namespace === 'string' ? spec.namespace : undefined);
  return { answer: answered(request, { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: false }) };
};

/** authentication.k8s.io SelfSubjectReview: who am I? */
export const selfSubjectReview: Review = (request, { user }) => ({
  answer: answered(request, { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups] } }),
});

/** Which review answers each kind. */
export const reviews: Record<string, Review> = {
  SelfSubjectAccessReview: selfSubjectAccessReview,
  SelfSubjectRulesReview: selfSubjectRulesReview,
  SelfSubjectReview: selfSubjectReview,
};
