import { expect } from 'chai';
import { FakeClock, rfc3339 } from '../../common/clock.js';
import { judgeHealth, nodeTimings, ProbeTracker } from './health.js';
import { nodeLifecycleOptions } from './options.js';
import { readyCondition, reconcileTaints, wantedNoScheduleKeys, wantedTaintKey } from './taints.js';
import { evictionDeadline } from './tolerations.js';
import type { Lease, Node, NodeCondition, Taint, Toleration } from './types.js';
import { computeZones, zoneState, type DisruptionPolicy } from './zones.js';

const node = (name: string, ready?: string, labels: Record<string, string> = {}): Node => ({
  metadata: { name, labels },
  spec: {},
  status: {
    conditions: ready
      ? ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
          type,
          status: type === 'Ready' || ready === 'Unknown' ? ready : 'False',
          lastHeartbeatTime: '2026-01-01T00:00:00Z',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        }))
      : [],
  },
});
const lease = (renewTime: string): Lease => ({ metadata: { name: 'n', namespace: 'kube-node-lease' }, spec: { renewTime } });
const timings = { gracePeriodMs: 8_000, startupGracePeriodMs: 60_000 };

describe('node health (FakeClock)', () => {
  const cases: { name: string; ready?: string; renewals: number[]; at: number; silent: boolean; writes?: string }[] = [
    { name: 'renewed 7 s ago: healthy', ready: 'True', renewals: [0], at: 7_000, silent: false },
    { name: 'renewed exactly at the grace: healthy', ready: 'True', renewals: [0], at: 8_000, silent: false },
    { name: 'silent past the grace: Unknown', ready: 'True', renewals: [0], at: 8_001, silent: true, writes: 'NodeStatusUnknown' },
    { name: 'renewals keep it healthy', ready: 'True', renewals: [0, 5_000, 10_000], at: 17_000, silent: false },
    { name: 'renewals then silence', ready: 'True', renewals: [0, 5_000], at: 13_500, silent: true, writes: 'NodeStatusUnknown' },
    { name: 'already Unknown: silent, nothing to write', ready: 'Unknown', renewals: [0], at: 9_000, silent: true },
    { name: 'never reported: the start-up grace applies', renewals: [0], at: 30_000, silent: false },
    { name: 'never reported past the start-up grace', renewals: [0], at: 60_001, silent: true, writes: 'NodeStatusNeverUpdated' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const clock = new FakeClock();
      const start = clock.now();
      const probes = new ProbeTracker();
      const n = node('n', tc.ready);
      let last = 0;
      for (const r of tc.renewals) {
        clock.advance(start + r - clock.now());
        last = probes.observe(n, lease(rfc3339(clock.now()) + `#${r}`), clock.now());
      }
      clock.advance(start + tc.at - clock.now());
      last = probes.observe(n, lease(rfc3339(start + tc.renewals.at(-1)!) + `#${tc.renewals.at(-1)}`), clock.now());
      const v = judgeHealth(n, last, clock.now(), timings);
      expect(v.silent).to.equal(tc.silent);
      if (!tc.writes) return expect(v.conditions).to.equal(undefined);
      const ready = v.conditions!.find((c) => c.type === 'Ready')!;
      expect(ready.status).to.equal('Unknown');
      expect(ready.reason).to.equal(tc.writes);
      expect(v.conditions!.map((c) => `${c.type}=${c.status}`).sort()).to.deep.equal(['DiskPressure=Unknown', 'MemoryPressure=Unknown', 'PIDPressure=Unknown', 'Ready=Unknown']);
    });
  }
  it('a healthy node says when it would turn silent', () => {
    const v = judgeHealth(node('n', 'True'), 1_000, 3_000, timings);
    expect(v.silentInMs).to.equal(6_001);
  });
});

describe('per-node timings from the Lease', () => {
  const policy = { gracePeriodMs: 8_000, startupGracePeriodMs: 60_000, heartbeatIntervalMs: 5_000 };
  const withDuration = (d?: number): Lease | undefined => (d === undefined ? undefined : { metadata: { name: 'n' }, spec: { leaseDurationSeconds: d } });
  const cases: { name: string; leaseSeconds?: number; grace: number; suspect: number }[] = [
    { name: 'no Lease: the configured cadence', grace: 8_000, suspect: 6_000 },
    { name: "the agent's 20 s Lease (renewed every 5 s)", leaseSeconds: 20, grace: 8_000, suspect: 6_000 },
    { name: 'a faster 8 s Lease keeps the configured grace', leaseSeconds: 8, grace: 8_000, suspect: 6_000 },
    { name: "hollow nodes' 40 s Lease (every 10 s): 5 s more grace", leaseSeconds: 40, grace: 13_000, suspect: 11_000 },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const t = nodeTimings(withDuration(tc.leaseSeconds), policy);
      expect([t.gracePeriodMs, t.suspectMs, t.startupGracePeriodMs]).to.deep.equal([tc.grace, tc.suspect, 60_000]);
    });
  }
});

describe('taints from the conditions', () => {
  const now = '2026-01-01T00:00:10Z';
  const before = '2026-01-01T00:00:00Z';
  const t = (key: string, effect: string, timeAdded?: string): Taint => ({ key: `node.kubernetes.io/${key}`, effect, ...(timeAdded ? { timeAdded } : {}) });
  const other: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const cond = (type: string, status: string): NodeCondition => ({ type, status });
  const cases: { name: string; conditions: NodeCondition[]; current: Taint[]; want: Taint[] | undefined }[] = [
    { name: 'Unknown adds unreachable NoSchedule and NoExecute', conditions: [cond('Ready', 'Unknown')], current: [other], want: [other, t('unreachable', 'NoSchedule', now), t('unreachable', 'NoExecute', now)] },
    { name: 'Unknown keeps existing taints and their times', conditions: [cond('Ready', 'Unknown')], current: [t('unreachable', 'NoExecute', before), t('unreachable', 'NoSchedule', before)], want: undefined },
    { name: 'False swaps unreachable for not-ready', conditions: [cond('Ready', 'False')], current: [t('unreachable', 'NoExecute', before), other, t('unreachable', 'NoSchedule', before)], want: [other, t('not-ready', 'NoSchedule', now), t('not-ready', 'NoExecute', now)] },
    { name: 'True removes ours, keeps others', conditions: [cond('Ready', 'True')], current: [other, t('unreachable', 'NoExecute', before), t('unreachable', 'NoSchedule', before)], want: [other] },
    { name: 'True without ours: nothing', conditions: [cond('Ready', 'True')], current: [other], want: undefined },
    { name: 'memory and disk pressure: NoSchedule only', conditions: [cond('Ready', 'True'), cond('MemoryPressure', 'True'), cond('DiskPressure', 'True'), cond('PIDPressure', 'False')], current: [], want: [t('memory-pressure', 'NoSchedule', now), t('disk-pressure', 'NoSchedule', now)] },
    { name: 'pressure gone: its taint goes', conditions: [cond('Ready', 'True'), cond('PIDPressure', 'False')], current: [t('pid-pressure', 'NoSchedule', before)], want: [] },
    { name: 'an operator\'s NoExecute taint with another key stays', conditions: [cond('Ready', 'True')], current: [t('out-of-service', 'NoExecute')], want: undefined },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(reconcileTaints(tc.current, wantedTaintKey(readyCondition(tc.conditions)), wantedNoScheduleKeys(tc.conditions), now)).to.deep.equal(tc.want);
    });
  }
  it('a held-back NoExecute taint still gets the NoSchedule one', () => {
    expect(reconcileTaints([], undefined, wantedNoScheduleKeys([cond('Ready', 'Unknown')]), now)).to.deep.equal([t('unreachable', 'NoSchedule', now)]);
  });
});

describe('toleration timers', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: rfc3339(t0) };
  const tol = (over: Partial<Toleration>): Toleration => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...over });
  const cases: { name: string; taints: Taint[]; tolerations: Toleration[]; want: number | undefined }[] = [
    { name: 'no toleration: at once', taints: [taint], tolerations: [], want: t0 + 99_000 },
    { name: 'tolerationSeconds 4: 4 s after timeAdded', taints: [taint], tolerations: [tol({ tolerationSeconds: 4 })], want: t0 + 4_000 },
    { name: 'no tolerationSeconds: for ever', taints: [taint], tolerations: [tol({})], want: undefined },
    { name: 'negative seconds: at timeAdded', taints: [taint], tolerations: [tol({ tolerationSeconds: -5 })], want: t0 },
    { name: 'the most lenient of two matching', taints: [taint], tolerations: [tol({ tolerationSeconds: 4 }), { operator: 'Exists', tolerationSeconds: 30 }], want: t0 + 30_000 },
    { name: 'a toleration for another key does not help', taints: [taint], tolerations: [tol({ key: 'other', tolerationSeconds: 100 })], want: t0 + 99_000 },
    { name: 'NoSchedule taints never evict', taints: [{ key: 'x', effect: 'NoSchedule' }], tolerations: [], want: undefined },
    {
      name: 'two taints: the earlier deadline',
      taints: [taint, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: rfc3339(t0 + 1_000) }],
      tolerations: [tol({ tolerationSeconds: 10 }), tol({ key: 'node.kubernetes.io/not-ready', tolerationSeconds: 2 })],
      want: t0 + 3_000,
    },
    { name: 'a value mismatch with Equal does not tolerate', taints: [{ key: 'k', value: 'a', effect: 'NoExecute', timeAdded: rfc3339(t0) }], tolerations: [{ key: 'k', operator: 'Equal', value: 'b', tolerationSeconds: 9 }], want: t0 + 99_000 },
  ];
  for (const tc of cases) it(tc.name, () => expect(evictionDeadline(tc.taints, tc.tolerations, t0 + 99_000)).to.equal(tc.want));
});

describe('zone disruption', () => {
  const cases: { ready: number; notReady: number; want: string }[] = [
    { ready: 3, notReady: 0, want: 'Normal' },
    { ready: 2, notReady: 1, want: 'Normal' },
    { ready: 1, notReady: 2, want: 'Normal' }, // not more than 2 not ready
    { ready: 1, notReady: 3, want: 'PartialDisruption' },
    { ready: 3, notReady: 3, want: 'Normal' }, // 0.5 < 0.55
    { ready: 2, notReady: 3, want: 'PartialDisruption' }, // 0.6
    { ready: 0, notReady: 1, want: 'FullDisruption' },
    { ready: 0, notReady: 5, want: 'FullDisruption' },
    { ready: 0, notReady: 0, want: 'Normal' },
  ];
  for (const tc of cases) it(`${tc.ready} ready, ${tc.notReady} not ready: ${tc.want}`, () => expect(zoneState(tc.ready, tc.notReady, 0.55)).to.equal(tc.want));

  const policy: DisruptionPolicy = { evictionRate: 1, secondaryEvictionRate: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55 };
  const zoned = (n: number, zone: string, notReady: number): { node: Node; notReady: boolean }[] =>
    Array.from({ length: n }, (_, i) => ({ node: node(`${zone}-${i}`, 'True', { 'topology.kubernetes.io/zone': zone }), notReady: i < notReady }));
  const rates: { name: string; nodes: { node: Node; notReady: boolean }[]; zone: string; want: number; allDown: boolean }[] = [
    { name: 'one node of three down: primary rate', nodes: zoned(3, 'a', 1), zone: ':a', want: 1, allDown: false },
    { name: 'every node down: nothing (the fault is ours)', nodes: zoned(3, 'a', 3), zone: ':a', want: 0, allDown: true },
    { name: 'a small zone partially down: nothing', nodes: zoned(4, 'a', 3), zone: ':a', want: 0, allDown: false },
    { name: 'a large zone partially down: secondary rate', nodes: zoned(60, 'a', 40), zone: ':a', want: 0.01, allDown: false },
    { name: 'one zone wholly down, another fine: primary rate', nodes: [...zoned(2, 'a', 2), ...zoned(2, 'b', 0)], zone: ':a', want: 1, allDown: false },
    { name: 'every zone wholly down: nothing', nodes: [...zoned(2, 'a', 2), ...zoned(2, 'b', 2)], zone: ':b', want: 0, allDown: true },
  ];
  for (const tc of rates) {
    it(tc.name, () => {
      const v = computeZones(tc.nodes, policy);
      expect(v.taintRate(tc.zone)).to.equal(tc.want);
      expect(v.allFullyDisrupted).to.equal(tc.allDown);
    });
  }
});

describe('nodelifecycle options', () => {
  it('defaults', () => expect(nodeLifecycleOptions({}).nodeMonitorGracePeriodSeconds).to.equal(8));
  const bad: { options: object; message: string }[] = [
    { options: { nodeMonitorGracePeriodSecond: 3 }, message: 'unknown setting "nodeMonitorGracePeriodSecond"' },
    { options: { unhealthyZoneThreshold: 2 }, message: 'unhealthyZoneThreshold must be <= 1' },
    { options: { nodeMonitorGracePeriodSeconds: 4 }, message: 'nodeHeartbeatIntervalSeconds (5) must be less than nodeMonitorGracePeriodSeconds (4)' },
  ];
  for (const tc of bad) it(`refuses ${JSON.stringify(tc.options)}`, () => expect(() => nodeLifecycleOptions(tc.options)).to.throw(tc.message));
});
