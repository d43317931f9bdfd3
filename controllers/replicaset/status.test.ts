import { expect } from 'chai';
import { computeStatus, nextAvailabilityCheckMs, statusChanged } from './status.js';
import { makeReplicaSet, rsPod } from './testing.js';
import type { ReplicaSetStatus } from './types.js';

const now = Date.parse('2026-01-01T00:01:00Z');
const readyAt = (secondsAgo: number): string => new Date(now - secondsAgo * 1000).toISOString().replace('.000Z', 'Z');

describe('ReplicaSet status', () => {
  const cases: { name: string; minReady?: number; pods: ReturnType<typeof rsPod>[]; want: Omit<ReplicaSetStatus, 'observedGeneration' | 'conditions'> }[] = [
    { name: 'no pods', pods: [], want: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0 } },
    {
      name: 'ready pods are available without minReadySeconds',
      pods: [rsPod('a', { ready: readyAt(1) }), rsPod('b', { ready: false }), rsPod('c', { ready: true })],
      want: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
    },
    {
      name: 'minReadySeconds holds back recently ready pods',
      minReady: 10,
      pods: [rsPod('a', { ready: readyAt(30) }), rsPod('b', { ready: readyAt(5) }), rsPod('c', { ready: true })],
      want: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 1 },
    },
    {
      name: 'pods missing a template label are not fully labeled',
      pods: [rsPod('a', { labels: { app: 'web', tier: 'front' } }), rsPod('b', { labels: { app: 'web' } })],
      want: { replicas: 2, fullyLabeledReplicas: 1, readyReplicas: 0, availableReplicas: 0 },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const rs = makeReplicaSet('web', { generation: 4, ...(tc.minReady !== undefined ? { minReadySeconds: tc.minReady } : {}) });
      if (tc.name.includes('template label')) rs.spec!.template!.metadata!.labels = { app: 'web', tier: 'front' };
      const s = computeStatus(rs, tc.pods, undefined, now);
      expect(s).to.deep.equal({ ...tc.want, observedGeneration: 4 });
    });
  }

  it('adds ReplicaFailure on a failure, keeps its transition time, and drops it on success', () => {
    const rs = makeReplicaSet('web');
    const failed = computeStatus(rs, [], { reason: 'FailedCreate', message: 'pods "web-" is forbidden: quota' }, now);
    expect(failed.conditions).to.deep.equal([{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2026-01-01T00:01:00Z', reason: 'FailedCreate', message: 'pods "web-" is forbidden: quota' }]);
    rs.status = failed;
    const still = computeStatus(rs, [], { reason: 'FailedCreate', message: 'again' }, now + 60_000);
    expect(still.conditions).to.deep.equal(failed.conditions);
    rs.status = still;
    expect(computeStatus(rs, [], undefined, now + 120_000).conditions).to.equal(undefined);
  });

  const changes: { name: string; current: ReplicaSetStatus | undefined; next: ReplicaSetStatus; changed: boolean }[] = [
    { name: 'absent counters equal zeros', current: { replicas: 0 }, next: { replicas: 0, readyReplicas: 0, availableReplicas: 0, fullyLabeledReplicas: 0 }, changed: false },
    { name: 'a counter moved', current: { replicas: 1, readyReplicas: 0 }, next: { replicas: 1, readyReplicas: 1 }, changed: true },
    { name: 'a new generation observed', current: { replicas: 1, observedGeneration: 1 }, next: { replicas: 1, observedGeneration: 2 }, changed: true },
    { name: 'no status yet', current: undefined, next: { replicas: 0 }, changed: false },
  ];
  for (const tc of changes) it(`statusChanged: ${tc.name}`, () => expect(statusChanged(tc.current, tc.next)).to.equal(tc.changed));

  it('asks to look again when the soonest ready pod becomes available', () => {
    const rs = makeReplicaSet('web', { minReadySeconds: 10 });
    expect(nextAvailabilityCheckMs(rs, [rsPod('a', { ready: readyAt(4) }), rsPod('b', { ready: readyAt(8) })], now)).to.equal(3000);
    expect(nextAvailabilityCheckMs(rs, [rsPod('a', { ready: readyAt(30) })], now)).to.equal(undefined);
    expect(nextAvailabilityCheckMs(makeReplicaSet('web'), [rsPod('a', { ready: readyAt(1) })], now)).to.equal(undefined);
  });
});
