import { expect } from 'chai';
import { makePod } from './fixtures.js';
import { firstPendingIndexes, formatIndexes, parseIndexes, podIndex } from './indexes.js';

describe('job completion indexes', () => {
  const formats: [number[], string][] = [[[], ''], [[0], '0'], [[0, 1], '0-1'], [[5, 1, 3, 4], '1,3-5'], [[0, 2, 4, 5, 6, 9], '0,2,4-6,9'], [[3, 3, 3], '3']];
  for (const [ixs, s] of formats) {
    it(`format ${JSON.stringify(ixs)} -> ${JSON.stringify(s)}, and back`, () => {
      expect(formatIndexes(ixs)).to.equal(s);
      expect([...parseIndexes(s, 100)].sort((a, b) => a - b)).to.deep.equal([...new Set(ixs)].sort((a, b) => a - b));
    });
  }
  it('parse keeps indexes below completions and skips malformed parts', () => expect([...parseIndexes('1,x,3-7,9', 5)]).to.deep.equal([1, 3, 4]));

  const pods: [string, ReturnType<typeof makePod>, number | undefined][] = [
    ['index 2 of 3', makePod({ index: 2 }), 2],
    ['index 3 of 3 is out of range', makePod({ index: 3 }), undefined],
    ['no index', makePod(), undefined],
  ];
  for (const [name, pod, want] of pods) it(`podIndex: ${name}`, () => expect(podIndex(pod, 3)).to.equal(want));
  it('podIndex: leading zeros and signs are not indexes', () => {
    const pod = makePod({ index: 1 });
    pod.metadata.annotations!['batch.kubernetes.io/job-completion-index'] = '01';
    pod.metadata.labels!['batch.kubernetes.io/job-completion-index'] = '01';
    expect(podIndex(pod, 3)).to.equal(undefined);
  });

  it('first pending indexes skip completed and running ones', () => expect(firstPendingIndexes(new Set([0, 2]), new Set([1, 4]), 3, 8)).to.deep.equal([3, 5, 6]));
  it('first pending indexes stop at completions', () => expect(firstPendingIndexes(new Set([0]), new Set(), 5, 3)).to.deep.equal([1, 2]));
});
