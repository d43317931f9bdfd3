import { expect } from 'chai';
import { builtinResources, reviewResources } from '../../common/api/resources.js';
import { metricsResources } from '../metricsapi/resources.js';
import { buildDiscovery } from './discovery.js';

interface Resource {
  name: string;
  verbs: string[];
  storageVersionHash?: string;
}
interface Group {
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion: { version: string };
}
interface AggregatedGroup {
  metadata: { name: string };
  versions: { version: string; resources: { resource: string; verbs: string[]; scope: string; responseKind: { kind: string } }[] }[];
}

describe('discovery', () => {
  const d = buildDiscovery([...builtinResources, ...reviewResources, ...metricsResources]);
  const list = (gv: string): Resource[] => (d.resourceLists.get(gv) as { resources: Resource[] }).resources;

  const verbCases: { gv: string; name: string; verbs: string[]; stored?: false }[] = [
    { gv: 'v1', name: 'pods', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
    { gv: 'authorization.k8s.io/v1', name: 'selfsubjectaccessreviews', verbs: ['create'] },
    { gv: 'authorization.k8s.io/v1', name: 'selfsubjectrulesreviews', verbs: ['create'] },
    { gv: 'authentication.k8s.io/v1', name: 'selfsubjectreviews', verbs: ['create'] },
    { gv: 'authentication.k8s.io/v1beta1', name: 'selfsubjectreviews', verbs: ['create'] },
    // Read-only and not stored: served from the node agents' usage (metricsapi/).
    { gv: 'metrics.k8s.io/v1beta1', name: 'nodes', verbs: ['get', 'list'], stored: false },
    { gv: 'metrics.k8s.io/v1beta1', name: 'pods', verbs: ['get', 'list'], stored: false },
  ];
  for (const tc of verbCases) {
    it(`${tc.gv} ${tc.name} serves ${tc.verbs.join(',')}`, () => {
      const r = list(tc.gv).find((x) => x.name === tc.name);
      expect(r?.verbs).to.deep.equal(tc.verbs);
      // Only stored kinds have a storage version.
      expect(r && 'storageVersionHash' in r).to.equal(tc.stored !== false && tc.verbs.length > 1);
    });
  }

  it('lists a group once, with every version, the first preferred', () => {
    const groups = (d.groupList as { groups: Group[] }).groups;
    expect(groups.filter((g) => g.name === 'authentication.k8s.io')).to.deep.equal([
      {
        name: 'authentication.k8s.io',
        versions: [
          { groupVersion: 'authentication.k8s.io/v1', version: 'v1' },
          { groupVersion: 'authentication.k8s.io/v1beta1', version: 'v1beta1' },
        ],
        preferredVersion: { groupVersion: 'authentication.k8s.io/v1', version: 'v1' },
      },
    ]);
    expect(new Set(groups.map((g) => g.name)).size).to.equal(groups.length);
  });

  it('aggregated discovery carries the same, with response kinds', () => {
    const items = (d.aggregatedGroups as { items: AggregatedGroup[] }).items;
    const authn = items.find((g) => g.metadata.name === 'authentication.k8s.io')!;
    expect(authn.versions.map((v) => v.version)).to.deep.equal(['v1', 'v1beta1']);
    const ssar = items.find((g) => g.metadata.name === 'authorization.k8s.io')!.versions[0]!.resources.find((r) => r.resource === 'selfsubjectaccessreviews')!;
    expect(ssar).to.deep.include({ verbs: ['create'], scope: 'Cluster' });
    expect(ssar.responseKind.kind).to.equal('SelfSubjectAccessReview');
    const metrics = items.find((g) => g.metadata.name === 'metrics.k8s.io')!;
    expect(metrics.versions.map((v) => v.version)).to.deep.equal(['v1beta1']);
    expect(metrics.versions[0]!.resources.map((r) => [r.resource, r.scope, r.responseKind.kind, r.verbs.join(',')])).to.deep.equal([
      ['nodes', 'Cluster', 'NodeMetrics', 'get,list'],
      ['pods', 'Namespaced', 'PodMetrics', 'get,list'],
    ]);
  });
});
