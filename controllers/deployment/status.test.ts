import { expect } from 'chai';
import { FakeClock, rfc3339 } from '../../common/clock.js';
import { deploymentTimedOut, getCondition, requeueForDeadline } from './conditions.js';
import { deployment, replicaSet } from './fixtures.js';
import { calculateStatus, pausedConditionStatus, rolloutStatus } from './status.js';
import type { DeploymentCondition } from './types.js';

const progressing = (reason: string, at: number, status: 'True' | 'False' | 'Unknown' = 'True'): DeploymentCondition => ({ type: 'Progressing', status, reason, message: '', lastUpdateTime: rfc3339(at), lastTransitionTime: rfc3339(at) });

describe('deployment status and conditions', () => {
  it('counters sum the ReplicaSets; Available holds at replicas - maxUnavailable', () => {
    const clock = new FakeClock();
    const d = deployment({ replicas: 4, maxUnavailable: 1, generation: 3 });
    const s = calculateStatus(d, [replicaSet('a', { replicas: 2, available: 2 }), replicaSet('b', { replicas: 3, available: 1, ready: 2 })], replicaSet('b', { replicas: 3, available: 1, ready: 2 }), clock.now());
    expect(s).to.include({ observedGeneration: 3, replicas: 5, updatedReplicas: 3, readyReplicas: 4, availableReplicas: 3, unavailableReplicas: 2 });
    expect(getCondition(s, 'Available')).to.include({ status: 'True', reason: 'MinimumReplicasAvailable' });
    const low = calculateStatus(d, [replicaSet('a', { replicas: 4, available: 2 })], undefined, clock.now());
    expect(getCondition(low, 'Available')).to.include({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  const start = Date.parse('2026-01-01T00:00:00Z');
  const cases: { name: string; prev: DeploymentCondition; prevStatus: Record<string, number>; rss: ReturnType<typeof replicaSet>[]; advanceMs: number; want: { reason: string; status: string; renewed: boolean } }[] = [
    {
      name: 'all updated and available: NewReplicaSetAvailable',
      prev: progressing('ReplicaSetUpdated', start),
      prevStatus: { replicas: 3, updatedReplicas: 2, availableReplicas: 2 },
      rss: [replicaSet('new', { replicas: 3 })],
      advanceMs: 1000,
      want: { reason: 'NewReplicaSetAvailable', status: 'True', renewed: true },
    },
    {
      name: 'more available than before: ReplicaSetUpdated with a fresh lastUpdateTime',
      prev: progressing('NewReplicaSetCreated', start),
      prevStatus: { replicas: 4, updatedReplicas: 1, availableReplicas: 3 },
      rss: [replicaSet('old', { replicas: 2 }), replicaSet('new', { replicas: 2, available: 2 })],
      advanceMs: 5000,
      want: { reason: 'ReplicaSetUpdated', status: 'True', renewed: true },
    },
    {
      name: 'no progress within the deadline: unchanged',
      prev: progressing('ReplicaSetUpdated', start),
      prevStatus: { replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
      rss: [replicaSet('old', { replicas: 2 }), replicaSet('new', { replicas: 2, available: 0, ready: 0 })],
      advanceMs: 9_000,
      want: { reason: 'ReplicaSetUpdated', status: 'True', renewed: false },
    },
    {
      name: 'no progress past the deadline: ProgressDeadlineExceeded',
      prev: progressing('ReplicaSetUpdated', start),
      prevStatus: { replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
      rss: [replicaSet('old', { replicas: 2 }), replicaSet('new', { replicas: 2, available: 0, ready: 0 })],
      advanceMs: 11_000,
      want: { reason: 'ProgressDeadlineExceeded', status: 'False', renewed: true },
    },
  ];
  for (const tc of cases) {
    it(`Progressing (deadline 10s): ${tc.name}`, () => {
      const clock = new FakeClock(start);
      clock.advance(tc.advanceMs);
      const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 1, progressDeadlineSeconds: 10, status: { observedGeneration: 1, ...tc.prevStatus, conditions: [tc.prev] } });
      const newRS = tc.rss.find((r) => r.metadata.name === 'new');
      const s = rolloutStatus(d, tc.rss, newRS, clock.now());
      const cond = getCondition(s, 'Progressing')!;
      expect(cond).to.include({ reason: tc.want.reason, status: tc.want.status });
      expect(cond.lastUpdateTime === rfc3339(clock.now())).to.equal(tc.want.renewed);
      if (tc.want.status === 'True') expect(cond.lastTransitionTime, 'transition time kept while True').to.equal(tc.prev.lastTransitionTime);
    });
  }

  it('timing out: a finished rollout never times out; a timed-out one stays so; requeue at the deadline', () => {
    const d = deployment({ progressDeadlineSeconds: 10, status: { conditions: [progressing('NewReplicaSetAvailable', start)] } });
    expect(deploymentTimedOut(d, d.status!, start + 3_600_000)).to.equal(false);
    const t = deployment({ progressDeadlineSeconds: 10, status: { conditions: [progressing('ProgressDeadlineExceeded', start, 'False')] } });
    expect(deploymentTimedOut(t, t.status!, start)).to.equal(true);
    const p = deployment({ replicas: 3, progressDeadlineSeconds: 10, status: { replicas: 1, conditions: [progressing('ReplicaSetUpdated', start)] } });
    expect(requeueForDeadline(p, p.status!, start + 4_000)).to.equal(7_000);
    expect(requeueForDeadline(p, p.status!, start + 10_500)).to.equal(1_000);
    expect(requeueForDeadline(deployment({ progressDeadlineSeconds: undefined, status: p.status }), p.status!, start)).to.equal(undefined);
  });

  it('pause and resume show in Progressing; a timed-out condition stays', () => {
    const clock = new FakeClock(start);
    const d = deployment({ progressDeadlineSeconds: 600, status: { conditions: [progressing('ReplicaSetUpdated', start)] } });
    d.spec.paused = true;
    const paused = pausedConditionStatus(d, clock.now())!;
    expect(getCondition(paused, 'Progressing')).to.include({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    expect(pausedConditionStatus({ ...d, status: paused }, clock.now()), 'already shown').to.equal(undefined);
    const resumed = pausedConditionStatus({ ...d, spec: { ...d.spec, paused: false }, status: paused }, clock.now())!;
    expect(getCondition(resumed, 'Progressing')).to.include({ reason: 'DeploymentResumed', message: 'Deployment is resumed' });
    const timedOut = deployment({ progressDeadlineSeconds: 600, status: { conditions: [progressing('ProgressDeadlineExceeded', start, 'False')] } });
    timedOut.spec.paused = true;
    expect(pausedConditionStatus(timedOut, clock.now())).to.equal(undefined);
  });
});
