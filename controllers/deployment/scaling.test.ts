import { expect } from 'chai';
import { deployment, replicaSet } from './fixtures.js';
import { findActiveOrLatest, isScalingEvent, planScale } from './scaling.js';

describe('deployment scaling', () => {
  const cases: { name: string; d: Parameters<typeof deployment>[0]; newRS?: ReturnType<typeof replicaSet>; old: ReturnType<typeof replicaSet>[]; want: Record<string, number> }[] = [
    {
      name: 'one active ReplicaSet takes the new count',
      d: { replicas: 5 },
      newRS: replicaSet('new', { replicas: 3, desired: 3, max: 4 }),
      old: [replicaSet('a', { replicas: 0 })],
      want: { new: 5 },
    },
    {
      name: "Kubernetes' documented example: 10 -> 15 during a stuck rollout (8 old, 5 new) adds 3 old, 2 new",
      d: { replicas: 15, maxSurge: 3, maxUnavailable: 2 },
      newRS: replicaSet('new', { replicas: 5, available: 0, desired: 10, max: 13, created: '2026-01-02T00:00:00Z' }),
      old: [replicaSet('a', { replicas: 8, desired: 10, max: 13 })],
      want: { a: 11, new: 7 },
    },
    {
      name: 'scaling down removes proportionally, larger first',
      d: { replicas: 5, maxSurge: 3, maxUnavailable: 2 },
      newRS: replicaSet('new', { replicas: 5, available: 0, desired: 10, max: 13, created: '2026-01-02T00:00:00Z' }),
      old: [replicaSet('a', { replicas: 8, desired: 10, max: 13 })],
      // allowed 8, have 13: -5. a: round(8*8/13)-8 = -3; new: round(5*8/13)-5 = -2.
      want: { a: 5, new: 3 },
    },
    {
      name: 'rounding leftovers go to the largest ReplicaSet',
      d: { replicas: 4, maxSurge: 0, maxUnavailable: 1 },
      newRS: replicaSet('new', { replicas: 1, available: 0, desired: 3, max: 3, created: '2026-01-03T00:00:00Z' }),
      old: [replicaSet('a', { replicas: 1, desired: 3, max: 3 }), replicaSet('b', { replicas: 1, desired: 3, max: 3, created: '2026-01-02T00:00:00Z' })],
      // +1 to add: each fraction round(1*4/3)-1 = 0; the leftover goes to the largest, newest first on a tie.
      want: { new: 2, b: 1, a: 1 },
    },
    {
      name: 'to zero: every ReplicaSet to zero',
      d: { replicas: 0, maxSurge: 1, maxUnavailable: 0 },
      newRS: replicaSet('new', { replicas: 2, desired: 4, max: 5, created: '2026-01-02T00:00:00Z' }),
      old: [replicaSet('a', { replicas: 3, desired: 4, max: 5 })],
      want: { a: 0, new: 0 },
    },
    {
      name: 'a saturated new ReplicaSet: old ones go to zero',
      d: { replicas: 3 },
      newRS: replicaSet('new', { replicas: 3, available: 3, desired: 3, max: 4, created: '2026-01-02T00:00:00Z' }),
      old: [replicaSet('a', { replicas: 1, desired: 3, max: 4 })],
      want: { a: 0 },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(Object.fromEntries(planScale(deployment(tc.d), tc.newRS, tc.old))).to.deep.equal(tc.want);
    });
  }

  it('a scaling event is a change of replicas since an active ReplicaSet was sized', () => {
    const d = deployment({ replicas: 5 });
    expect(isScalingEvent(d, [replicaSet('a', { replicas: 3, desired: 3 })])).to.equal(true);
    expect(isScalingEvent(d, [replicaSet('a', { replicas: 3, desired: 5 })])).to.equal(false);
    expect(isScalingEvent(d, [replicaSet('a', { replicas: 0, desired: 3 })]), 'inactive ones do not count').to.equal(false);
    expect(isScalingEvent(d, [replicaSet('a', { replicas: 3 })]), 'without the annotation').to.equal(false);
  });

  it('findActiveOrLatest: the only active one, else the newest', () => {
    const a = replicaSet('a', { replicas: 0, created: '2026-01-01T00:00:00Z' });
    const b = replicaSet('b', { replicas: 0, created: '2026-01-02T00:00:00Z' });
    expect(findActiveOrLatest(undefined, [a, b])?.metadata.name).to.equal('b');
    expect(findActiveOrLatest(replicaSet('n'), [a, b])?.metadata.name).to.equal('n');
    expect(findActiveOrLatest(replicaSet('n', { replicas: 1 }), [replicaSet('c', { replicas: 1 })])).to.equal(undefined);
  });
});
