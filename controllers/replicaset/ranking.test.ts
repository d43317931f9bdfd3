import { expect } from 'chai';
import { podDeletionCostAnnotation, podsToDelete, rankForScaleDown } from './ranking.js';
import { rsPod, type PodState } from './testing.js';

const t0 = '2026-01-01T00:00:00Z';
const t1 = '2026-01-01T00:05:00Z';
const scheduledReady: PodState = { node: 'n1', phase: 'Running', ready: t0, created: t0 };

describe('ReplicaSet scale-down ranking', () => {
  // Each case: `first` must be deleted before `second`, whichever order they are given in.
  const cases: { name: string; first: PodState; second: PodState }[] = [
    { name: 'unscheduled before scheduled', first: { phase: 'Pending' }, second: { node: 'n1', phase: 'Pending' } },
    { name: 'Pending before Running', first: { node: 'n1', phase: 'Pending' }, second: { node: 'n2', phase: 'Running' } },
    { name: 'Pending before Unknown', first: { node: 'n1', phase: 'Pending' }, second: { node: 'n2', phase: 'Unknown' } },
    { name: 'Unknown before Running', first: { node: 'n1', phase: 'Unknown' }, second: { node: 'n2', phase: 'Running' } },
    { name: 'not ready before ready', first: { node: 'n1', ready: false }, second: { node: 'n2', ready: t0 } },
    { name: 'lower deletion cost first', first: { ...scheduledReady, node: 'n2', annotations: { [podDeletionCostAnnotation]: '-5' } }, second: { ...scheduledReady, node: 'n3' } },
    { name: 'an unparsable deletion cost counts as 0', first: { ...scheduledReady, node: 'n2', annotations: { [podDeletionCostAnnotation]: 'cheap' } }, second: { ...scheduledReady, node: 'n3', annotations: { [podDeletionCostAnnotation]: '1' } } },
    { name: 'ready for a shorter time first', first: { ...scheduledReady, node: 'n2', ready: t1 }, second: { ...scheduledReady, node: 'n3', ready: t0 } },
    { name: 'more restarts first', first: { ...scheduledReady, node: 'n2', restarts: 3 }, second: { ...scheduledReady, node: 'n3', restarts: 1 } },
    { name: 'newer first', first: { ...scheduledReady, node: 'n2', created: t1 }, second: { ...scheduledReady, node: 'n3', created: t0 } },
    { name: 'unscheduled beats a lower deletion cost', first: { phase: 'Running', ready: t0 }, second: { ...scheduledReady, annotations: { [podDeletionCostAnnotation]: '-100' } } },
    { name: 'not ready beats more restarts', first: { node: 'n1', ready: false, restarts: 0 }, second: { node: 'n2', ready: t0, restarts: 9 } },
    { name: 'restarts beat age', first: { ...scheduledReady, node: 'n2', restarts: 2, created: t0 }, second: { ...scheduledReady, node: 'n3', restarts: 0, created: t1 } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const a = rsPod('a', tc.first);
      const b = rsPod('b', tc.second);
      expect(rankForScaleDown([a, b]).map((p) => p.metadata.name)).to.deep.equal(['a', 'b']);
      expect(rankForScaleDown([b, a]).map((p) => p.metadata.name)).to.deep.equal(['a', 'b']);
    });
  }

  it('deletes pods doubled up on a node before lone ones', () => {
    const pods = [rsPod('lone', { ...scheduledReady, node: 'n1' }), rsPod('pair-1', { ...scheduledReady, node: 'n2' }), rsPod('pair-2', { ...scheduledReady, node: 'n2' })];
    expect(podsToDelete(pods, 2).map((p) => p.metadata.name).sort()).to.deep.equal(['pair-1', 'pair-2']);
  });

  it('picks the least valuable from a mixed set', () => {
    const pods = [
      rsPod('old-ready', { ...scheduledReady, node: 'n1' }),
      rsPod('unscheduled', { phase: 'Pending', created: t0 }),
      rsPod('pending', { node: 'n2', phase: 'Pending', created: t0 }),
      rsPod('not-ready', { node: 'n3', phase: 'Running', ready: false, created: t0 }),
      rsPod('new-ready', { ...scheduledReady, node: 'n4', ready: t1, created: t1 }),
    ];
    expect(podsToDelete(pods, 4).map((p) => p.metadata.name)).to.deep.equal(['unscheduled', 'pending', 'not-ready', 'new-ready']);
    expect(podsToDelete(pods, 0)).to.deep.equal([]);
    expect(podsToDelete(pods, 9)).to.have.length(5);
  });
});
