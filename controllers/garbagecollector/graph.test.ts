// The owner graph (owner-uid index, virtual owners, what to look at after each event) and
// the collector's decisions (which dependents to delete, orphan or keep), table-driven.

import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { OwnerGraph } from './graph.js';
import { removeFinalizerPatch, removeOwnerRefsPatch, unblockOwnerRefsPatch } from './patches.js';
import { planDependent, type OwnerState, type Plan } from './plan.js';
import { makeObject, resourceOf } from './testObjects.js';

const deploy = makeObject('Deployment', 'web').obj();
const rs = makeObject('ReplicaSet', 'web-1').ownedBy(deploy).obj();
const pod = makeObject('Pod', 'web-1-a').ownedBy(rs).obj();

function observeAll(g: OwnerGraph, ...objs: KubeObject[]): string[][] {
  return objs.map((o) => g.observe(resourceOf(o.kind!), o));
}

describe('garbage collector: owner graph', () => {
  it('indexes dependents by owner uid, whatever order owners and dependents arrive in', () => {
    for (const order of [
      [deploy, rs, pod],
      [pod, rs, deploy],
      [rs, pod, deploy],
    ]) {
      const g = new OwnerGraph();
      observeAll(g, ...order);
      expect(g.dependentsOf(deploy.metadata.uid!).map((n) => n.name)).to.deep.equal(['web-1']);
      expect(g.dependentsOf(rs.metadata.uid!).map((n) => n.name)).to.deep.equal(['web-1-a']);
      expect(g.get(deploy.metadata.uid!)!.virtual).to.equal(false);
      expect(g.size).to.equal(3);
    }
  });

  it('keeps an unobserved owner as a virtual node until its last dependent lets go', () => {
    const g = new OwnerGraph();
    const [enq] = observeAll(g, pod);
    expect(enq).to.deep.equal([pod.metadata.uid]);
    expect(g.get(rs.metadata.uid!)).to.include({ virtual: true, name: 'web-1' });
    // The pod drops its reference: the virtual owner has nothing left to hold.
    g.observe(resourceOf('Pod'), { ...pod, metadata: { ...pod.metadata, ownerReferences: [] } });
    expect(g.get(rs.metadata.uid!)).to.equal(undefined);
  });

  const cases: { name: string; before: KubeObject[]; event: (g: OwnerGraph) => string[]; enqueued: string[] }[] = [
    {
      name: 'an object with owners is looked at when added',
      before: [deploy],
      event: (g) => g.observe(resourceOf('ReplicaSet'), rs),
      enqueued: [rs.metadata.uid!],
    },
    {
      name: 'an object without owners is not',
      before: [],
      event: (g) => g.observe(resourceOf('Deployment'), deploy),
      enqueued: [],
    },
    {
      name: 'a change that leaves the owner references alone (a pod\'s status) sends nothing',
      before: [deploy, rs, pod],
      event: (g) => g.observe(resourceOf('Pod'), { ...pod, status: { phase: 'Running' } }),
      enqueued: [],
    },
    {
      name: 'a change of owner references sends the object',
      before: [deploy, rs, pod],
      event: (g) => g.observe(resourceOf('Pod'), makeObject('Pod', 'web-1-a').ownedBy(rs).ownedBy(deploy, { controller: false }).obj()),
      enqueued: [pod.metadata.uid!],
    },
    {
      name: 'a deleted owner sends its dependents to be looked at',
      before: [deploy, rs, pod],
      event: (g) => g.forget(rs),
      enqueued: [pod.metadata.uid!],
    },
    {
      name: 'an owner entering foreground deletion sends itself and its dependents',
      before: [deploy, rs],
      event: (g) => g.observe(resourceOf('Deployment'), makeObject('Deployment', 'web').finalizers('foregroundDeletion').deleting().obj()),
      enqueued: [deploy.metadata.uid!, rs.metadata.uid!],
    },
    {
      name: 'an owner entering orphan deletion sends itself',
      before: [deploy, rs],
      event: (g) => g.observe(resourceOf('Deployment'), makeObject('Deployment', 'web').finalizers('orphan').deleting().obj()),
      enqueued: [deploy.metadata.uid!],
    },
    {
      name: 'a deleted dependent sends its owner when the owner waits for it (foreground)',
      before: [makeObject('Deployment', 'web').finalizers('foregroundDeletion').deleting().obj(), rs],
      event: (g) => g.forget(rs),
      enqueued: [deploy.metadata.uid!],
    },
    {
      name: 'a dependent unblocking a waiting owner sends the owner',
      before: [makeObject('Deployment', 'web').finalizers('foregroundDeletion').deleting().obj(), rs],
      event: (g) => g.observe(resourceOf('ReplicaSet'), makeObject('ReplicaSet', 'web-1').ownedBy(deploy, { block: false }).obj()),
      enqueued: [deploy.metadata.uid!, rs.metadata.uid!],
    },
    {
      name: 'a deleted object that is nobody\'s owner sends nothing',
      before: [deploy],
      event: (g) => g.forget(deploy),
      enqueued: [],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const g = new OwnerGraph();
      observeAll(g, ...tc.before);
      expect(tc.event(g).sort()).to.deep.equal([...tc.enqueued].sort());
    });
  }

  it('keeps a deleted owner with dependents as a virtual node, so they stay findable by its uid', () => {
    const g = new OwnerGraph();
    observeAll(g, deploy, rs, pod);
    g.forget(rs);
    expect(g.get(rs.metadata.uid!)).to.include({ virtual: true });
    expect(g.dependentsOf(rs.metadata.uid!).map((n) => n.name)).to.deep.equal(['web-1-a']);
    expect(g.dependentsOf(deploy.metadata.uid!)).to.deep.equal([]);
    g.forget(pod);
    expect(g.get(rs.metadata.uid!)).to.equal(undefined);
  });

  it('counts only dependents with blockOwnerDeletion as blocking', () => {
    const g = new OwnerGraph();
    const loose = makeObject('ReplicaSet', 'loose').ownedBy(deploy, { block: false }).obj();
    const cm = makeObject('ConfigMap', 'cfg').ownedBy(deploy, { controller: false }).obj();
    observeAll(g, deploy, rs, loose, cm);
    expect(g.blockingDependents(deploy.metadata.uid!).map((n) => n.name).sort()).to.deep.equal(['cfg', 'web-1']);
  });
});

describe('garbage collector: what to do with a dependent', () => {
  const a = makeObject('ReplicaSet', 'a').obj();
  const b = makeObject('ReplicaSet', 'b').obj();
  const child = (f: (x: ReturnType<typeof makeObject>) => ReturnType<typeof makeObject> = (x) => x): KubeObject => f(makeObject('Pod', 'p').ownedBy(a).ownedBy(b, { controller: false })).obj();
  const cases: { name: string; object: KubeObject; a: OwnerState; b: OwnerState; hasDependents?: boolean; cycle?: boolean; plan: Plan }[] = [
    { name: 'all owners there: keep', object: child(), a: 'solid', b: 'solid', plan: { action: 'keep' } },
    { name: 'one owner gone, one there: drop the dangling reference', object: child(), a: 'dangling', b: 'solid', plan: { action: 'removeOwnerRefs', ownerUids: [a.metadata.uid!] } },
    { name: 'one owner deleting in the foreground, one there: drop that reference', object: child(), a: 'solid', b: 'waiting', plan: { action: 'removeOwnerRefs', ownerUids: [b.metadata.uid!] } },
    { name: 'all owners gone: delete in the background', object: child(), a: 'dangling', b: 'dangling', plan: { action: 'delete', policy: 'Background', unblock: [] } },
    { name: 'an owner of a kind not served counts as there', object: child(), a: 'dangling', b: 'unresolvable', plan: { action: 'removeOwnerRefs', ownerUids: [a.metadata.uid!] } },
    { name: 'owner waits, no dependents of our own: delete in the background', object: child(), a: 'waiting', b: 'dangling', plan: { action: 'delete', policy: 'Background', unblock: [] } },
    { name: 'owner waits and we have dependents: delete in the foreground', object: child(), a: 'waiting', b: 'dangling', hasDependents: true, plan: { action: 'delete', policy: 'Foreground', unblock: [] } },
    { name: 'a foreground chain that could wait on itself: unblock, then delete in the foreground', object: child(), a: 'waiting', b: 'waiting', hasDependents: true, cycle: true, plan: { action: 'delete', policy: 'Foreground', unblock: [a.metadata.uid!, b.metadata.uid!] } },
    { name: 'the object asks for orphaning of its own dependents', object: child((x) => x.finalizers('orphan')), a: 'dangling', b: 'dangling', plan: { action: 'delete', policy: 'Orphan', unblock: [] } },
    { name: 'the object asks for foreground deletion', object: child((x) => x.finalizers('foregroundDeletion')), a: 'dangling', b: 'dangling', plan: { action: 'delete', policy: 'Foreground', unblock: [] } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const owners = new Map<string, OwnerState>([
        [a.metadata.uid!, tc.a],
        [b.metadata.uid!, tc.b],
      ]);
      expect(planDependent({ object: tc.object, owners, hasDependents: !!tc.hasDependents, dependentDeletingDependents: !!tc.cycle })).to.deep.equal(tc.plan);
    });
  }
  it('an object without owners is kept', () => {
    expect(planDependent({ object: a, owners: new Map(), hasDependents: true, dependentDeletingDependents: false })).to.deep.equal({ action: 'keep' });
  });
});

describe('garbage collector: guarded patches', () => {
  const o1 = makeObject('ReplicaSet', 'o1').obj();
  const o2 = makeObject('ReplicaSet', 'o2').obj();
  const p = makeObject('Pod', 'p').ownedBy(o1).ownedBy(o2).finalizers('x', 'orphan').obj();
  it('removes references by uid, last index first, each guarded by a test', () => {
    expect(removeOwnerRefsPatch(p, new Set([o1.metadata.uid!, o2.metadata.uid!]))).to.deep.equal([
      { op: 'test', path: '/metadata/uid', value: p.metadata.uid },
      { op: 'test', path: '/metadata/ownerReferences/1/uid', value: o2.metadata.uid },
      { op: 'remove', path: '/metadata/ownerReferences/1' },
      { op: 'test', path: '/metadata/ownerReferences/0/uid', value: o1.metadata.uid },
      { op: 'remove', path: '/metadata/ownerReferences/0' },
    ]);
    expect(removeOwnerRefsPatch(p, new Set(['other']))).to.equal(undefined);
  });
  it('unblocks only blocking references', () => {
    expect(unblockOwnerRefsPatch(p, new Set([o2.metadata.uid!]))).to.deep.equal([
      { op: 'test', path: '/metadata/uid', value: p.metadata.uid },
      { op: 'test', path: '/metadata/ownerReferences/1/uid', value: o2.metadata.uid },
      { op: 'replace', path: '/metadata/ownerReferences/1/blockOwnerDeletion', value: false },
    ]);
    const loose = makeObject('Pod', 'q').ownedBy(o1, { block: false }).obj();
    expect(unblockOwnerRefsPatch(loose, new Set([o1.metadata.uid!]))).to.equal(undefined);
  });
  it('removes a finalizer it sees, and nothing else', () => {
    expect(removeFinalizerPatch(p, 'orphan')).to.deep.equal([
      { op: 'test', path: '/metadata/uid', value: p.metadata.uid },
      { op: 'test', path: '/metadata/finalizers/1', value: 'orphan' },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizerPatch(p, 'foregroundDeletion')).to.equal(undefined);
  });
});
