// The evictor's answers to what pods/eviction can say: admitted, gone, refused by a budget
// (then deleted all the same, with the victim's uid as precondition), or refused otherwise.

import { expect } from 'chai';
import type { ResourceDescriptor } from '../../common/api/resources.js';
import type { DeleteOpts } from '../../common/client/api.js';
import { ApiError, ForbiddenError, NotFoundError, TooManyRequestsError } from '../../common/errors.js';
import { makePod } from '../../common/testing/builders.js';
import { FakeClock } from '../../common/clock.js';
import { ApiEvictor, refusedByBudget } from './apiEvictor.js';

// What a victim the eviction API refused gets before its delete (Kubernetes' scheduler sets it on every victim).
const marked = `PATCH default/v/status strategic ${JSON.stringify({ status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod', lastTransitionTime: '2026-12-07T13:00:00Z' }] } })}`;

class FakeApi {
  calls: string[] = [];
  constructor(
    private readonly evictAnswer: Error | undefined,
    private readonly deleteAnswer: Error | undefined = undefined,
  ) {}
  async createSubresource(_r: ResourceDescriptor, ns: string | undefined, name: string, sub: string): Promise<void> {
    this.calls.push(`POST ${ns}/${name}/${sub}`);
    if (this.evictAnswer) throw this.evictAnswer;
  }
  async patch(_r: ResourceDescriptor, ns: string | undefined, name: string, type: string, body: unknown, opts?: { subresource?: string }): Promise<never> {
    this.calls.push(`PATCH ${ns}/${name}/${opts?.subresource ?? ''} ${type} ${JSON.stringify(body)}`);
    return undefined as never;
  }
  async delete(_r: ResourceDescriptor, ns: string | undefined, name: string, opts?: DeleteOpts): Promise<undefined> {
    this.calls.push(`DELETE ${ns}/${name} uid=${opts?.preconditions?.uid ?? ''}`);
    if (this.deleteAnswer) throw this.deleteAnswer;
    return undefined;
  }
}

const budgetRefusal = new ApiError('TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", { causes: [{ reason: 'DisruptionBudget', message: 'needs 2 healthy pods' }] });
const notFound = new NotFoundError({ resource: 'pods', name: 'v' });

describe('ApiEvictor', () => {
  const victim = makePod().name('v').uid('uid-v').obj();
  const cases: { name: string; evict?: Error; del?: Error; calls: string[]; throws?: string }[] = [
    { name: 'an admitted eviction is all', calls: ['POST default/v/eviction'] },
    { name: 'a victim already gone is fine', evict: notFound, calls: ['POST default/v/eviction'] },
    { name: 'a budget refusal (429) falls back to a delete of that very pod', evict: budgetRefusal, calls: ['POST default/v/eviction', marked, 'DELETE default/v uid=uid-v'] },
    { name: 'a 429 read back by the client (TooManyRequestsError) too', evict: new TooManyRequestsError('slow down', 1), calls: ['POST default/v/eviction', marked, 'DELETE default/v uid=uid-v'] },
    {
      name: 'a budget with a negative allowance (403 naming the budget) too',
      evict: new ForbiddenError('poddisruptionbudgets.policy "web" is forbidden: pdb disruptions allowed is negative', { resource: 'poddisruptionbudgets', group: 'policy', name: 'web' }),
      calls: ['POST default/v/eviction', marked, 'DELETE default/v uid=uid-v'],
    },
    { name: 'several budgets selecting the pod (500) too', evict: new ApiError('InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'), calls: ['POST default/v/eviction', marked, 'DELETE default/v uid=uid-v'] },
    { name: 'the pod gone by the time of the delete is fine', evict: budgetRefusal, del: notFound, calls: ['POST default/v/eviction', marked, 'DELETE default/v uid=uid-v'] },
    { name: 'an authorization refusal is an error, not a reason to delete', evict: new ForbiddenError('pods "v" is forbidden: User "x" cannot create resource "pods/eviction"', { resource: 'pods', name: 'v' }), calls: ['POST default/v/eviction'], throws: 'forbidden' },
    { name: 'a failed delete is reported', evict: budgetRefusal, del: new ApiError('InternalError', 'etcd went away'), calls: ['POST default/v/eviction', marked, 'DELETE default/v uid=uid-v'], throws: 'etcd went away' },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const api = new FakeApi(tc.evict, tc.del);
      const err = await new ApiEvictor(api, new FakeClock(Date.parse('2026-12-07T13:00:00Z')), 'default-scheduler').evict(victim).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(api.calls).to.deep.equal(tc.calls);
      if (tc.throws) expect(err?.message).to.contain(tc.throws);
      else expect(err).to.equal(undefined);
    });
  }

  it('a victim that has already ended is deleted without the condition (its outcome is settled)', async () => {
    const api = new FakeApi(budgetRefusal);
    await new ApiEvictor(api, new FakeClock(0), 'default-scheduler').evict(makePod().name('v').uid('uid-v').phase('Failed').obj());
    expect(api.calls).to.deep.equal(['POST default/v/eviction', 'DELETE default/v uid=uid-v']);
  });

  it('refusedByBudget is false for anything but an API refusal', () => {
    expect(refusedByBudget(new Error('socket hang up'))).to.equal(false);
    expect(refusedByBudget(undefined)).to.equal(false);
  });
});
