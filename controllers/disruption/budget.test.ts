import { expect } from 'chai';
import type { KubeObject } from '../../common/api/meta.js';
import { budgetStatus, failSafeStatus, scaledValue } from './budget.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pods(ready: number, unready = 0, deleting = 0): KubeObject[] {
  const out: KubeObject[] = [];
  const add = (r: boolean, d: boolean) => out.push({ metadata: { name: `p${out.length}`, ...(d ? { deletionTimestamp: iso(NOW) } : {}) }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: r ? 'True' : 'False' }] } });
  for (let i = 0; i < ready; i++) add(true, false);
  for (let i = 0; i < unready; i++) add(false, false);
  for (let i = 0; i < deleting; i++) add(true, true);
  return out;
}

const pdb = (spec: object, status: object = {}): KubeObject => ({ metadata: { name: 'web', namespace: 'default', generation: 3 }, spec, status });

describe('scaledValue (percentages round up)', () => {
  const cases: [number | string, number, number][] = [[2, 10, 2], ['50%', 3, 2], ['50%', 4, 2], ['34%', 3, 2], ['1%', 10, 1], ['0%', 10, 0], ['100%', 7, 7], ['25%', 0, 0]];
  for (const [v, total, want] of cases) it(`${String(v)} of ${total} = ${want}`, () => expect(scaledValue(v, total)).to.equal(want));
});

describe('budgetStatus', () => {
  const cases: { name: string; spec: object; pods: KubeObject[]; scale?: number; status?: object; want: { expected: number; desired: number; healthy: number; allowed: number; reason: string } }[] = [
    { name: 'minAvailable 2 of 3 ready', spec: { minAvailable: 2 }, pods: pods(3), want: { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' } },
    { name: 'minAvailable 2 of 2 ready: none allowed', spec: { minAvailable: 2 }, pods: pods(2, 1), want: { expected: 3, desired: 2, healthy: 2, allowed: 0, reason: 'InsufficientPods' } },
    { name: 'minAvailable 50% of a scale of 3 rounds up to 2', spec: { minAvailable: '50%' }, pods: pods(3), scale: 3, want: { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' } },
    { name: 'maxUnavailable 1 of a scale of 3', spec: { maxUnavailable: 1 }, pods: pods(3), scale: 3, want: { expected: 3, desired: 2, healthy: 3, allowed: 1, reason: 'SufficientPods' } },
    { name: 'maxUnavailable 50% of a scale of 3: up to 2 may go', spec: { maxUnavailable: '50%' }, pods: pods(3), scale: 3, want: { expected: 3, desired: 1, healthy: 3, allowed: 2, reason: 'SufficientPods' } },
    { name: 'maxUnavailable above the scale: desired 0', spec: { maxUnavailable: 5 }, pods: pods(2), scale: 2, want: { expected: 2, desired: 0, healthy: 2, allowed: 2, reason: 'SufficientPods' } },
    { name: 'pods being deleted are not healthy', spec: { minAvailable: 2 }, pods: pods(2, 0, 1), want: { expected: 3, desired: 2, healthy: 2, allowed: 0, reason: 'InsufficientPods' } },
    { name: 'neither field: everything healthy may go', spec: {}, pods: pods(2), want: { expected: 0, desired: 0, healthy: 2, allowed: 2, reason: 'SufficientPods' } },
    { name: 'a pod evicted a moment ago is not healthy', spec: { minAvailable: 1 }, pods: pods(3), status: { disruptedPods: { p0: iso(NOW - 10_000) } }, want: { expected: 3, desired: 1, healthy: 2, allowed: 1, reason: 'SufficientPods' } },
    { name: 'an eviction older than the timeout counts again', spec: { minAvailable: 1 }, pods: pods(3), status: { disruptedPods: { p0: iso(NOW - 180_000) } }, want: { expected: 3, desired: 1, healthy: 3, allowed: 2, reason: 'SufficientPods' } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { status } = budgetStatus({ pdb: pdb(tc.spec, tc.status), pods: tc.pods, expectedScale: () => (tc.scale === undefined ? expect.fail('scale not needed') : tc.scale), now: NOW });
      expect({ expected: status.expectedPods, desired: status.desiredHealthy, healthy: status.currentHealthy, allowed: status.disruptionsAllowed, reason: (status.conditions as { reason: string }[])[0]!.reason }).to.deep.equal(tc.want);
      expect(status.observedGeneration).to.equal(3);
    });
  }

  it('keeps a live disruptedPods entry and asks to look again when it expires', () => {
    const out = budgetStatus({ pdb: pdb({ minAvailable: 1 }, { disruptedPods: { p1: iso(NOW - 30_000), gone: iso(NOW - 1_000) } }), pods: pods(2), expectedScale: () => 0, now: NOW });
    expect(out.status.disruptedPods).to.deep.equal({ p1: iso(NOW - 30_000) });
    expect(out.recheckAt).to.equal(NOW - 30_000 + 120_000);
  });

  it('keeps the condition\'s transition time while its status holds', () => {
    const before = { conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
    const { status } = budgetStatus({ pdb: pdb({ minAvailable: 1 }, before), pods: pods(3), expectedScale: () => 0, now: NOW });
    expect((status.conditions as { lastTransitionTime: string }[])[0]!.lastTransitionTime).to.equal('2026-01-01T00:00:00Z');
  });

  it('fails safe: nothing allowed, SyncFailed with the reason', () => {
    const status = failSafeStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, observedGeneration: 2 }), 'found no controllers for pod "x"', NOW);
    expect(status.disruptionsAllowed).to.equal(0);
    expect(status.conditions).to.deep.equal([{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 2, lastTransitionTime: iso(NOW), reason: 'SyncFailed', message: 'found no controllers for pod "x"' }]);
  });
});
