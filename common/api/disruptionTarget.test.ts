import { expect } from 'chai';
import { disruptions, isTerminalPhase, withDisruptionTarget, type PodConditionLike } from './disruptionTarget.js';

describe('api/disruptionTarget', () => {
  const now = Date.parse('2026-12-07T13:00:00Z');
  const ready: PodConditionLike = { type: 'Ready', status: 'True' };
  const cases: { name: string; conditions: PodConditionLike[] | undefined; want: PodConditionLike[] | undefined }[] = [
    { name: 'no conditions: the one', conditions: undefined, want: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: '2026-12-07T13:00:00Z' }] },
    { name: 'kept beside the others', conditions: [ready], want: [ready, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: '2026-12-07T13:00:00Z' }] },
    { name: 'already set for the same reason: nothing to write', conditions: [ready, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }], want: undefined },
    {
      name: 'another reason replaces it',
      conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }, ready],
      want: [ready, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: '2026-12-07T13:00:00Z' }],
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(withDisruptionTarget(tc.conditions, disruptions.evictionApi, now)).to.deep.equal(tc.want));

  it("the scheduler's message names it", () => expect(disruptions.preemption('default-scheduler').message).to.equal('default-scheduler: preempting to accommodate a higher priority pod'));
  it('terminal phases', () => expect(['Pending', 'Running', 'Succeeded', 'Failed', undefined].map(isTerminalPhase)).to.deep.equal([false, false, true, true, false]));
});
