import { expect } from 'chai';
import { deployment, replicaSet } from './fixtures.js';
import { newReplicaSetSize, planOldReplicaSetsScaleDown } from './rolling.js';
import type { ReplicaSet } from './types.js';

describe('deployment rolling update arithmetic', () => {
  describe('newReplicaSetSize', () => {
    const cases: { name: string; d: Parameters<typeof deployment>[0]; old: ReplicaSet[]; current: number; currentActual?: number; want: number }[] = [
      { name: 'surge 1 over 3 old pods: +1', d: { replicas: 3, maxSurge: 1, maxUnavailable: 0 }, old: [replicaSet('a', { replicas: 3 })], current: 0, want: 1 },
      { name: 'surge 25% of 10 rounds up to 3', d: { replicas: 10, maxSurge: '25%', maxUnavailable: '25%' }, old: [replicaSet('a', { replicas: 10 })], current: 0, want: 3 },
      { name: 'no room left: stays', d: { replicas: 3, maxSurge: 1, maxUnavailable: 0 }, old: [replicaSet('a', { replicas: 3 })], current: 1, want: 1 },
      { name: 'old shrank: grows into the room', d: { replicas: 4, maxSurge: 1, maxUnavailable: 1 }, old: [replicaSet('a', { replicas: 2 })], current: 1, want: 3 },
      { name: 'never beyond replicas', d: { replicas: 4, maxSurge: 10, maxUnavailable: 0 }, old: [replicaSet('a', { replicas: 1 })], current: 3, want: 4 },
      { name: 'maxSurge 0: only after old pods are really gone', d: { replicas: 4, maxSurge: 0, maxUnavailable: 1 }, old: [replicaSet('a', { replicas: 3, actual: 4 })], current: 0, want: 0 },
      { name: 'maxSurge 0, old pods gone: +1', d: { replicas: 4, maxSurge: 0, maxUnavailable: 1 }, old: [replicaSet('a', { replicas: 3, actual: 3 })], current: 0, want: 1 },
      { name: 'several old ReplicaSets count together', d: { replicas: 6, maxSurge: 2, maxUnavailable: 0 }, old: [replicaSet('a', { replicas: 2 }), replicaSet('b', { replicas: 3 })], current: 1, want: 3 },
      { name: 'Recreate: all at once', d: { replicas: 5, recreate: true }, old: [], current: 0, want: 5 },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const d = deployment(tc.d);
        const newRS = replicaSet('new', { replicas: tc.current, actual: tc.currentActual ?? tc.current, available: 0 });
        expect(newReplicaSetSize(d, [...tc.old, newRS], newRS)).to.equal(tc.want);
      });
    }
  });

  describe('planOldReplicaSetsScaleDown', () => {
    const cases: { name: string; d: Parameters<typeof deployment>[0]; newRS: ReplicaSet; old: ReplicaSet[]; want: Record<string, number>; removed: number }[] = [
      {
        name: 'maxUnavailable 1, new pod not ready yet: one old pod may go',
        d: { replicas: 4, maxSurge: 1, maxUnavailable: 1 },
        newRS: replicaSet('new', { replicas: 1, available: 0 }),
        old: [replicaSet('a', { replicas: 4 })],
        want: { a: 3 },
        removed: 1,
      },
      {
        name: 'maxUnavailable 0: nothing goes until new pods are available',
        d: { replicas: 3, maxSurge: 1, maxUnavailable: 0 },
        newRS: replicaSet('new', { replicas: 1, available: 0 }),
        old: [replicaSet('a', { replicas: 3 })],
        want: {},
        removed: 0,
      },
      {
        name: 'maxUnavailable 0: one new available, one old goes',
        d: { replicas: 3, maxSurge: 1, maxUnavailable: 0 },
        newRS: replicaSet('new', { replicas: 1, available: 1 }),
        old: [replicaSet('a', { replicas: 3 })],
        want: { a: 2 },
        removed: 1,
      },
      {
        name: 'unhealthy old pods go first, at no cost to availability',
        d: { replicas: 4, maxSurge: 1, maxUnavailable: 0 },
        newRS: replicaSet('new', { replicas: 1, available: 1 }),
        old: [replicaSet('a', { replicas: 4, available: 2 })],
        // allPods 5 - minAvailable 4 - 0 unavailable new = 1 may go: one of the two unhealthy.
        want: { a: 3 },
        removed: 1,
      },
      {
        name: 'oldest ReplicaSet shrinks first',
        d: { replicas: 4, maxSurge: 0, maxUnavailable: 2 },
        newRS: replicaSet('new', { replicas: 0, available: 0 }),
        old: [replicaSet('young', { replicas: 2, created: '2026-01-02T00:00:00Z' }), replicaSet('old', { replicas: 2, created: '2026-01-01T00:00:00Z' })],
        want: { old: 0 },
        removed: 2,
      },
      {
        name: 'a stale status never counts more available pods than desired',
        d: { replicas: 3, maxSurge: 0, maxUnavailable: 1 },
        newRS: replicaSet('new', { replicas: 1, available: 1 }),
        // Told to shrink to 2, its status still says 3 available: counting 3 would remove 2
        // more and leave 1 available; counting 2 removes 1 and leaves 2 = replicas - maxUnavailable.
        old: [replicaSet('a', { replicas: 2, available: 3, actual: 3 })],
        want: { a: 1 },
        removed: 1,
      },
      {
        name: 'unavailable new pods hold the old ones back',
        d: { replicas: 10, maxSurge: 3, maxUnavailable: 2 },
        newRS: replicaSet('new', { replicas: 5, available: 0 }),
        old: [replicaSet('a', { replicas: 8 })],
        want: {},
        removed: 0,
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const plan = planOldReplicaSetsScaleDown(deployment(tc.d), tc.newRS, tc.old);
        expect(Object.fromEntries(plan.sizes)).to.deep.equal(tc.want);
        expect(plan.removed).to.equal(tc.removed);
      });
    }
  });
});
