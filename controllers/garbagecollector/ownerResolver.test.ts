// Dangling references: owners that never existed, were replaced (another uid), live in
// another namespace, or are namespaced owners of cluster-scoped objects; observed owners
// are judged from the graph, unobserved ones with a live GET whose "absent" is remembered.

import { expect } from 'chai';
import type { KubeObject, OwnerReference } from '../../common/api/meta.js';
import { builtinResources, type ResourceDescriptor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import { NotFoundError } from '../../common/errors.js';
import { OwnerGraph } from './graph.js';
import { OwnerResolver, type ResolvedOwner } from './ownerResolver.js';
import { makeObject, resourceOf } from './testObjects.js';

/** The one Api verb the resolver uses, answered from a map of live objects. */
function fakeApi(live: KubeObject[], gets: string[]): Api {
  const get = async (r: ResourceDescriptor, ns: string | undefined, name: string): Promise<KubeObject> => {
    gets.push(`${r.plural}/${ns ?? ''}/${name}`);
    const hit = live.find((o) => o.kind === r.kind && o.metadata.name === name && (o.metadata.namespace ?? undefined) === ns);
    if (!hit) throw new NotFoundError({ resource: r.plural, name });
    return hit;
  };
  return { get } as unknown as Api;
}

const rs = makeObject('ReplicaSet', 'rs').obj();
const refTo = (o: KubeObject, over: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, ...over });

describe('garbage collector: resolving owner references', () => {
  const cases: { name: string; observed?: KubeObject[]; live?: KubeObject[]; dependent: KubeObject; ref: OwnerReference; want: ResolvedOwner; gets: number }[] = [
    { name: 'an observed owner is solid without a request', observed: [rs], dependent: makeObject('Pod', 'p').obj(), ref: refTo(rs), want: { state: 'solid' }, gets: 0 },
    {
      name: 'an observed owner deleting in the foreground is waiting',
      observed: [makeObject('ReplicaSet', 'rs').finalizers('foregroundDeletion').deleting().obj()],
      dependent: makeObject('Pod', 'p').obj(),
      ref: refTo(rs),
      want: { state: 'waiting' },
      gets: 0,
    },
    { name: 'an owner that never existed is dangling (verified live)', dependent: makeObject('Pod', 'p').obj(), ref: refTo(rs), want: { state: 'dangling' }, gets: 1 },
    { name: 'an unobserved owner that exists is solid (verified live)', live: [rs], dependent: makeObject('Pod', 'p').obj(), ref: refTo(rs), want: { state: 'solid' }, gets: 1 },
    { name: 'a live owner with another uid (replaced) is dangling', live: [makeObject('ReplicaSet', 'rs', 'new-uid').obj()], dependent: makeObject('Pod', 'p').obj(), ref: refTo(rs), want: { state: 'dangling' }, gets: 1 },
    {
      name: 'an owner in another namespace is dangling, with the event message',
      observed: [makeObject('ReplicaSet', 'rs').namespace('other').obj()],
      dependent: makeObject('Pod', 'p').obj(),
      ref: refTo(rs),
      want: { state: 'dangling', invalidNamespace: `ownerRef [apps/v1/ReplicaSet, namespace: other, name: rs, uid: ${rs.metadata.uid}] does not exist in namespace "default"` },
      gets: 0,
    },
    {
      name: 'a cluster-scoped object cannot have a namespaced owner',
      dependent: makeObject('PriorityClass', 'pc').obj(),
      ref: refTo(rs),
      want: { state: 'dangling', invalidNamespace: `ownerRef [apps/v1/ReplicaSet, namespace: , name: rs, uid: ${rs.metadata.uid}] does not exist in namespace "": a cluster-scoped object cannot have a namespaced owner` },
      gets: 0,
    },
    {
      name: 'a namespaced object may have a cluster-scoped owner',
      observed: [makeObject('Node', 'n1').obj()],
      dependent: makeObject('Pod', 'p').obj(),
      ref: refTo(makeObject('Node', 'n1').obj()),
      want: { state: 'solid' },
      gets: 0,
    },
    { name: 'a kind this server does not serve is unresolvable', dependent: makeObject('Pod', 'p').obj(), ref: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w1' }, want: { state: 'unresolvable' }, gets: 0 },
    {
      name: 'the uid observed under another kind is dangling for this reference',
      observed: [makeObject('Deployment', 'rs', rs.metadata.uid).obj()],
      dependent: makeObject('Pod', 'p').obj(),
      ref: refTo(rs),
      want: { state: 'dangling' },
      gets: 0,
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const graph = new OwnerGraph();
      for (const o of tc.observed ?? []) graph.observe(resourceOf(o.kind!), o);
      graph.observe(resourceOf(tc.dependent.kind!), { ...tc.dependent, metadata: { ...tc.dependent.metadata, ownerReferences: [tc.ref] } });
      const gets: string[] = [];
      const resolver = new OwnerResolver(fakeApi(tc.live ?? [], gets), graph, builtinResources);
      expect(await resolver.resolve(tc.dependent, tc.ref)).to.deep.equal(tc.want);
      expect(gets.length).to.equal(tc.gets);
    });
  }

  it('remembers an owner proven absent, so many dependents cost one request', async () => {
    const gets: string[] = [];
    const resolver = new OwnerResolver(fakeApi([], gets), new OwnerGraph(), builtinResources);
    for (let i = 0; i < 5; i++) expect((await resolver.resolve(makeObject('Pod', `p${i}`).obj(), refTo(rs))).state).to.equal('dangling');
    expect(gets).to.deep.equal(['replicasets/default/rs']);
  });
});
