import { expect } from 'chai';
import { builtinResources, resourceFor } from './resources.js';

describe('resourceFor', () => {
  const cases: { name: string; kind: string; group?: string; plural?: string; error?: RegExp }[] = [
    { name: 'a core kind without a group', kind: 'Pod', plural: 'pods' },
    { name: 'a core kind in the core group', kind: 'Namespace', group: '', plural: 'namespaces' },
    { name: 'an apps kind without a group', kind: 'Deployment', plural: 'deployments' },
    { name: 'an apps kind in its group', kind: 'ReplicaSet', group: 'apps', plural: 'replicasets' },
    { name: 'a kind in another group than asked', kind: 'Deployment', group: '', error: /no built-in resource of kind Deployment in group ""/ },
    { name: 'an unknown kind', kind: 'Widget', error: /no built-in resource of kind Widget$/ },
    { name: 'a plural is not a kind', kind: 'pods', error: /no built-in resource of kind pods/ },
    { name: 'kinds are case-sensitive', kind: 'pod', error: /no built-in resource/ },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      if (tc.error) {
        expect(() => resourceFor(tc.kind, tc.group)).to.throw(tc.error);
        return;
      }
      const r = resourceFor(tc.kind, tc.group);
      expect(r.plural).to.equal(tc.plural);
      // The descriptor itself, not a copy: callers compare and key maps by identity.
      expect(builtinResources).to.include(r);
    });
  }

  it('finds every built-in kind by kind and group', () => {
    for (const r of builtinResources) expect(resourceFor(r.kind, r.group)).to.equal(r);
  });
});
