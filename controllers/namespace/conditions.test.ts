import { expect } from 'chai';
import { conditionsChanged, conditionsFor, emptyReport, mergeConditions, type ContentReport, type NamespaceCondition } from './conditions.js';

function report(over: Partial<ContentReport>): ContentReport {
  return { ...emptyReport(), ...over };
}

function byType(cs: NamespaceCondition[]): Record<string, Pick<NamespaceCondition, 'status' | 'reason' | 'message'>> {
  return Object.fromEntries(cs.map((c) => [c.type, { status: c.status, reason: c.reason, message: c.message }]));
}

describe('namespace controller: conditions', () => {
  const cases: { name: string; report: ContentReport; want: Record<string, Partial<NamespaceCondition>> }[] = [
    {
      name: 'everything deleted',
      report: report({}),
      want: {
        NamespaceDeletionDiscoveryFailure: { status: 'False', reason: 'ResourcesDiscovered' },
        NamespaceDeletionGroupVersionParsingFailure: { status: 'False', reason: 'ParsedGroupVersions' },
        NamespaceDeletionContentFailure: { status: 'False', reason: 'ContentDeleted' },
        NamespaceContentRemaining: { status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
        NamespaceFinalizersRemaining: { status: 'False', reason: 'ContentHasNoFinalizers' },
      },
    },
    {
      name: 'pods still stopping and a configmap held by a finalizer',
      report: report({ remaining: new Map([['pods.', 2], ['configmaps.', 1]]), finalizers: new Map([['example.com/hold', 1]]) }),
      want: {
        NamespaceContentRemaining: { status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances' },
        NamespaceFinalizersRemaining: { status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' },
      },
    },
    {
      name: 'a list and a delete failed',
      report: report({ discoveryFailures: ['leases.coordination.k8s.io: boom'], deletionFailures: ['secrets/s: boom'] }),
      want: {
        NamespaceDeletionDiscoveryFailure: { status: 'True', reason: 'DiscoveryFailed', message: 'Discovery failed for some groups: leases.coordination.k8s.io: boom' },
        NamespaceDeletionContentFailure: { status: 'True', reason: 'ContentDeletionFailed', message: 'Failed to delete all resource types, 1 remaining: secrets/s: boom' },
      },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = byType(conditionsFor(tc.report));
      expect(Object.keys(got)).to.have.length(5);
      for (const [type, want] of Object.entries(tc.want)) expect(got[type], type).to.deep.include(want);
    });
  }

  it('keeps the transition time while a condition keeps its status, and other conditions', () => {
    const first = mergeConditions([{ type: 'Custom', status: 'True' }], conditionsFor(report({ remaining: new Map([['pods.', 1]]) })), 't1');
    const second = mergeConditions(first, conditionsFor(report({ remaining: new Map([['pods.', 1]]) })), 't2');
    expect(conditionsChanged(first, second)).to.equal(false);
    const third = mergeConditions(second, conditionsFor(report({})), 't3');
    expect(conditionsChanged(second, third)).to.equal(true);
    const at = (cs: NamespaceCondition[], t: string): string | undefined => cs.find((c) => c.type === t)?.lastTransitionTime;
    expect(at(second, 'NamespaceContentRemaining')).to.equal('t1');
    expect(at(third, 'NamespaceContentRemaining')).to.equal('t3');
    expect(at(third, 'NamespaceDeletionDiscoveryFailure')).to.equal('t1');
    expect(third.find((c) => c.type === 'Custom')).to.deep.equal({ type: 'Custom', status: 'True' });
  });
});
