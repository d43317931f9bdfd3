import { expect } from 'chai';
import type { KubeObject } from '../../../common/api/meta.js';
import { RuleAuthorizer } from '../../auth/authorizer.js';
import type { UserInfo } from '../../auth/tokens.js';
import { selfSubjectAccessReview, selfSubjectRulesReview, selfSubjectReview } from './reviews.js';

const admin: UserInfo = { name: 'admin', uid: '1', groups: ['system:masters', 'system:authenticated'] };
const nobody: UserInfo = { name: 'nobody', uid: '2', groups: ['system:authenticated'] };
const scheduler: UserInfo = { name: 'system:kube-scheduler', uid: 's', groups: ['system:authenticated'] };
const authorizer = new RuleAuthorizer();

const ssar = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec, status: { allowed: true } });

describe('SelfSubjectAccessReview', () => {
  const cases: { name: string; user: UserInfo; spec: Record<string, unknown>; allowed: boolean }[] = [
    { name: 'admin may create pods', user: admin, spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } }, allowed: true },
    { name: 'admin may do anything anywhere', user: admin, spec: { resourceAttributes: { verb: '*', group: '*', resource: '*' } }, allowed: true },
    { name: 'nobody may not create pods (a status sent along is ignored)', user: nobody, spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } }, allowed: false },
    { name: 'nobody may ask about itself', user: nobody, spec: { resourceAttributes: { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' } }, allowed: true },
    { name: 'nobody may read /healthz', user: nobody, spec: { nonResourceAttributes: { verb: 'get', path: '/healthz' } }, allowed: true },
    { name: 'nobody may not read /metrics', user: nobody, spec: { nonResourceAttributes: { verb: 'get', path: '/metrics' } }, allowed: false },
    { name: 'the scheduler may create bindings', user: scheduler, spec: { resourceAttributes: { namespace: 'a', verb: 'create', resource: 'pods', subresource: 'binding' } }, allowed: true },
    { name: 'the scheduler may not create pods', user: scheduler, spec: { resourceAttributes: { namespace: 'a', verb: 'create', resource: 'pods' } }, allowed: false },
    { name: 'a verb RBAC knows but Gantry grants nobody', user: scheduler, spec: { resourceAttributes: { verb: 'impersonate', resource: 'users' } }, allowed: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const out = selfSubjectAccessReview(ssar(tc.spec), { user: tc.user, authorizer });
      if (!('answer' in out)) throw new Error(`invalid: ${JSON.stringify(out.invalid)}`);
      const status = out.answer.status as { allowed: boolean; reason?: string };
      expect(status.allowed).to.equal(tc.allowed);
      // Like RBAC: a reason when allowed, none when not (kubectl then prints a bare "no").
      expect(status.reason !== undefined).to.equal(tc.allowed);
      expect(out.answer.spec).to.deep.equal(tc.spec);
    });
  }

  const invalid: { name: string; spec: Record<string, unknown>; field: string }[] = [
    { name: 'neither attributes', spec: {}, field: 'spec.resourceAttributes' },
    { name: 'both attributes', spec: { resourceAttributes: { verb: 'get', resource: 'pods' }, nonResourceAttributes: { verb: 'get', path: '/x' } }, field: 'spec.nonResourceAttributes' },
  ];
  for (const tc of invalid) {
    it(`refuses ${tc.name}`, () => {
      const out = selfSubjectAccessReview(ssar(tc.spec), { user: admin, authorizer });
      expect(out).to.have.property('invalid').that.has.length(1);
      expect((out as { invalid: { field: string }[] }).invalid[0]!.field).to.equal(tc.field);
    });
  }
});

describe('SelfSubjectRulesReview and SelfSubjectReview', () => {
  it('lists everything for admin and only self reviews and discovery for nobody', () => {
    const req: KubeObject = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'default' } };
    const forAdmin = selfSubjectRulesReview(req, { user: admin, authorizer });
    const forNobody = selfSubjectRulesReview(req, { user: nobody, authorizer });
    if (!('answer' in forAdmin) || !('answer' in forNobody)) throw new Error('invalid');
    const a = forAdmin.answer.status as { resourceRules: unknown[]; nonResourceRules: unknown[]; incomplete: boolean };
    const n = forNobody.answer.status as { resourceRules: { resources: string[] }[]; nonResourceRules: { nonResourceURLs: string[] }[] };
    expect(a.resourceRules).to.deep.include({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    expect(a.nonResourceRules).to.deep.include({ verbs: ['*'], nonResourceURLs: ['*'] });
    expect(a.incomplete).to.equal(false);
    expect(n.resourceRules).to.deep.equal([
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
    ]);
    expect(n.nonResourceRules.flatMap((r) => r.nonResourceURLs)).to.include('/healthz');
  });

  it("groups a component's resources by API group", () => {
    const out = selfSubjectRulesReview({ metadata: {}, spec: {} }, { user: scheduler, authorizer });
    if (!('answer' in out)) throw new Error('invalid');
    const rules = (out.answer.status as { resourceRules: { verbs: string[]; apiGroups: string[]; resources: string[] }[] }).resourceRules;
    expect(rules).to.deep.include({ verbs: ['create'], apiGroups: [''], resources: ['pods/binding', 'pods/eviction'] });
    expect(rules).to.deep.include({ verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['replicasets', 'statefulsets'] });
  });

  it('tells who is asking', () => {
    const out = selfSubjectReview({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} }, { user: nobody, authorizer });
    expect(out).to.deep.equal({ answer: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: { username: 'nobody', uid: '2', groups: ['system:authenticated'] } } } });
  });
});
