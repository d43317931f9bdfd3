import { expect } from 'chai';
import { makePod, makeService } from '../endpoints/testing.js';
import type { Pod } from '../endpoints/types.js';
import { planSlices, sliceLabels, type SlicePlan } from './plan.js';
import type { EndpointSlice } from './types.js';

const svc = makeService('web', [{ name: 'http', port: 80, targetPort: 8080 }]);
const pods = (n: number, from = 0): Pod[] => Array.from({ length: n }, (_, i) => makePod(`p${from + i}`).ip(`10.0.${(from + i) >> 8}.${(from + i) & 255}`).obj());

let counter = 0;
/** Gives planned creations names and uids, as the API server would, so a plan can be applied. */
function apply(existing: EndpointSlice[], plan: SlicePlan): EndpointSlice[] {
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const kept = existing.filter((s) => !gone.has(s.metadata.name)).map((s) => updated.get(s.metadata.name) ?? s);
  const created = plan.create.map((s) => ({ ...s, metadata: { ...s.metadata, name: `web-${++counter}`, uid: `slice-${counter}` } }));
  return [...kept, ...created];
}
const count = (p: SlicePlan): string => `create ${p.create.length}, update ${p.update.length}, delete ${p.delete.length}`;
const addresses = (slices: EndpointSlice[]): string[] => slices.flatMap((s) => (s.endpoints ?? []).map((e) => e.addresses[0]!)).sort();

describe('planSlices', () => {
  it('creates one placeholder slice when there are no endpoints', () => {
    const plan = planSlices(svc, [], [], 100);
    expect(count(plan)).to.equal('create 1, update 0, delete 0');
    const s = plan.create[0]!;
    expect(s).to.deep.include({ addressType: 'IPv4', endpoints: [], ports: [] });
    expect(s.metadata.generateName).to.equal('web-');
    expect(s.metadata.labels).to.deep.equal({ tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(s.metadata.ownerReferences).to.deep.equal([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }]);
    // Applied, nothing more to do.
    expect(count(planSlices(svc, [], apply([], plan), 100))).to.equal('create 0, update 0, delete 0');
  });

  it('builds endpoints with Kubernetes conditions, node name and pod reference', () => {
    const plan = planSlices(svc, [makePod('a').ip('10.0.0.1').obj(), makePod('b').ip('10.0.0.2').terminating().obj(), makePod('c').ip('10.0.0.3').ready(false).node('node-2').obj()], [], 100);
    expect(plan.create).to.have.length(1);
    expect(plan.create[0]!.ports).to.deep.equal([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(plan.create[0]!.endpoints).to.deep.equal([
      { addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' }, nodeName: 'node-1' },
      { addresses: ['10.0.0.2'], conditions: { ready: false, serving: true, terminating: true }, targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' }, nodeName: 'node-1' },
      { addresses: ['10.0.0.3'], conditions: { ready: false, serving: false, terminating: false }, targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' }, nodeName: 'node-2' },
    ]);
  });

  const slicing: { name: string; pods: number; max: number; sizes: number[] }[] = [
    { name: '250 endpoints, 100 per slice', pods: 250, max: 100, sizes: [100, 100, 50] },
    { name: 'exactly 100', pods: 100, max: 100, sizes: [100] },
    { name: '7 endpoints, 3 per slice', pods: 7, max: 3, sizes: [3, 3, 1] },
  ];
  for (const tc of slicing) {
    it(`slices ${tc.name}`, () => {
      const plan = planSlices(svc, pods(tc.pods), [], tc.max);
      expect(plan.create.map((s) => s.endpoints!.length)).to.deep.equal(tc.sizes);
      expect(addresses(plan.create)).to.have.length(tc.pods);
    });
  }

  const churn: { name: string; before: () => Pod[]; after: () => Pod[]; max: number; want: string }[] = [
    { name: 'nothing changed', before: () => pods(5), after: () => pods(5), max: 100, want: 'create 0, update 0, delete 0' },
    { name: 'one pod added: the slice is updated in place', before: () => pods(5), after: () => pods(6), max: 100, want: 'create 0, update 1, delete 0' },
    { name: 'a pod becomes not ready: one update', before: () => pods(5), after: () => [...pods(4), makePod('p4').ip('10.0.0.4').ready(false).obj()], max: 100, want: 'create 0, update 1, delete 0' },
    { name: 'a pod removed from one of three full slices: that slice only', before: () => pods(9), after: () => pods(8), max: 3, want: 'create 0, update 1, delete 0' },
    { name: 'a new pod while every slice is full: one new slice', before: () => pods(6), after: () => pods(7), max: 3, want: 'create 1, update 0, delete 0' },
    { name: 'every pod gone: one placeholder stays', before: () => pods(6), after: () => [], max: 3, want: 'create 1, update 0, delete 2' },
    { name: 'all pods replaced: the slice is reused', before: () => pods(3), after: () => pods(3, 100), max: 100, want: 'create 0, update 1, delete 0' },
    { name: 'pods come after the placeholder: it is deleted, a slice with ports made', before: () => [], after: () => pods(2), max: 100, want: 'create 1, update 0, delete 1' },
  ];
  for (const tc of churn) {
    it(`minimal churn: ${tc.name}`, () => {
      const first = apply([], planSlices(svc, tc.before(), [], tc.max));
      const plan = planSlices(svc, tc.after(), first, tc.max);
      expect(count(plan)).to.equal(tc.want);
      const after = apply(first, plan);
      expect(addresses(after)).to.deep.equal(addresses(planSlices(svc, tc.after(), [], tc.max).create));
      for (const s of after) expect((s.endpoints ?? []).length).to.be.at.most(tc.max);
      expect(count(planSlices(svc, tc.after(), after, tc.max)), 'converged').to.equal('create 0, update 0, delete 0');
    });
  }

  it('deletes slices owned by an earlier service of the same name', () => {
    const old = apply([], planSlices({ ...svc, metadata: { ...svc.metadata, uid: 'old-uid' } }, pods(2), [], 100));
    const plan = planSlices(svc, pods(2), old, 100);
    expect(count(plan)).to.equal('create 1, update 0, delete 1');
  });

  it('updates labels when the service labels change', () => {
    const first = apply([], planSlices(svc, pods(2), [], 100));
    const relabelled = { ...svc, metadata: { ...svc.metadata, labels: { tier: 'back' } } };
    const plan = planSlices(relabelled, pods(2), first, 100);
    expect(count(plan)).to.equal('create 0, update 1, delete 0');
    expect(plan.update[0]!.metadata.labels).to.deep.equal(sliceLabels(relabelled));
  });

  it('groups endpoints by the ports a named target port resolves to', () => {
    const named = makeService('web', [{ name: 'http', port: 80, targetPort: 'web' }]);
    const plan = planSlices(named, [makePod('a').ip('10.0.0.1').port('web', 8080).obj(), makePod('b').ip('10.0.0.2').port('web', 9090).obj(), makePod('c').ip('10.0.0.3').obj()], [], 100);
    expect(plan.create.map((s) => [s.ports![0]!.port, addresses([s])])).to.deep.equal([
      [8080, ['10.0.0.1']],
      [9090, ['10.0.0.2']],
    ]);
  });

  it('one slice per address family of a dual-stack service', () => {
    const dual = makeService('web', [{ port: 80 }], { ipFamilies: ['IPv4', 'IPv6'] });
    const plan = planSlices(dual, [makePod('a').ip('10.0.0.1', 'fd00::1').obj()], [], 100);
    expect(plan.create.map((s) => [s.addressType, addresses([s])])).to.deep.equal([
      ['IPv4', ['10.0.0.1']],
      ['IPv6', ['fd00::1']],
    ]);
  });

  it('marks headless services', () => {
    expect(sliceLabels(makeService('db', [], { clusterIP: 'None' }))).to.include({ 'service.kubernetes.io/headless': '' });
  });
});
