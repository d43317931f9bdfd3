import { expect } from 'chai';
import { clampOomScoreAdj, probeOomScoreAdjFloor } from './oomScoreAdj.js';
import { run } from '../../common/proc/run.js';

describe('oom_score_adj floor', () => {
  const cases = [
    { name: 'a host with CAP_SYS_RESOURCE keeps Guaranteed at -997', requested: -997, floor: -1000, want: -997 },
    { name: 'without it, Guaranteed is raised to the floor', requested: -997, floor: 0, want: 0 },
    { name: 'a node-critical -1000 under no floor stays', requested: -1000, floor: -1000, want: -1000 },
    { name: 'Burstable above the floor is untouched', requested: 500, floor: 0, want: 500 },
    { name: 'BestEffort is untouched', requested: 1000, floor: 0, want: 1000 },
    { name: 'a floor above a Burstable value raises it', requested: 3, floor: 10, want: 10 },
    { name: 'out of range values are kept within the kernel range', requested: -5000, floor: -2000, want: -1000 },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(clampOomScoreAdj(tc.requested, tc.floor)).to.equal(tc.want);
    });
  }

  it('the probe finds what the kernel enforces: the floor is settable, one below is not', async () => {
    const { floor, current } = await probeOomScoreAdjFloor();
    expect(floor).to.be.within(-1000, current);
    const tryValue = async (v: number): Promise<string> => (await run('/bin/sh', ['-c', `(echo ${v} > /proc/$$/oom_score_adj) 2>/dev/null; cat /proc/$$/oom_score_adj`])).stdout.trim();
    expect(await tryValue(floor)).to.equal(String(floor));
    if (floor > -1000) expect(await tryValue(floor - 1)).to.not.equal(String(floor - 1));
  });
});
