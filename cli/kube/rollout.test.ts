import { expect } from 'chai';
import { rfc3339, rolloutStatus } from './rollout.js';
import type { Deployment } from './describe/wire.js';

const d = (generation: number, replicas: number, status: NonNullable<Deployment['status']>): Deployment => ({ metadata: { name: 'web', generation }, spec: { replicas }, status });

describe('rollout status of a deployment (kubectl rules)', () => {
  const cases: { name: string; d: Deployment; want: ReturnType<typeof rolloutStatus> }[] = [
    { name: 'a spec change not yet observed', d: d(2, 3, { observedGeneration: 1 }), want: { message: 'Waiting for deployment spec update to be observed...', done: false } },
    { name: 'new replicas still being created', d: d(2, 3, { observedGeneration: 2, updatedReplicas: 1, replicas: 4 }), want: { message: 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...', done: false } },
    { name: 'old replicas still terminating', d: d(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 5 }), want: { message: 'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...', done: false } },
    { name: 'updated replicas not yet available', d: d(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 1 }), want: { message: 'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...', done: false } },
    { name: 'done', d: d(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), want: { message: 'deployment "web" successfully rolled out', done: true } },
    {
      name: 'the progress deadline passed: an error with the reason',
      d: d(2, 3, { observedGeneration: 2, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] }),
      want: { message: '', done: false, error: 'deployment "web" exceeded its progress deadline: ReplicaSet "web-1" has timed out progressing.' },
    },
    { name: 'scaled to zero', d: d(1, 0, { observedGeneration: 1 }), want: { message: 'deployment "web" successfully rolled out', done: true } },
  ];
  for (const tc of cases) it(tc.name, () => expect(rolloutStatus(tc.d)).to.deep.equal(tc.want));

  it('restartedAt is RFC 3339 to the second, as kubectl writes it', () => {
    expect(rfc3339(new Date('2026-12-07T10:05:06.789Z'))).to.match(/^2026-12-07T\d\d:\d\d:06(Z|[+-]\d\d:\d\d)$/);
  });
});
