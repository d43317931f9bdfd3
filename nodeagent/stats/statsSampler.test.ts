// The sampler on a fake clock: rates over the window between the last two samples, pods and
// containers found through the runtime and their cgroups through its layout, and what is
// gone forgotten. The counters come from a map standing in for the cgroup files (the real
// files are covered by cgroupReader.test.ts and the runc test).

import { expect } from 'chai';
import { FakeClock } from '../../common/clock.js';
import { createLogger } from '../../common/logging.js';
import type { Container, PodSandbox } from '../cri/types.js';
import type { CgroupCounters } from './cgroupCounters.js';
import { StatsSampler } from './statsSampler.js';

const cid = (n: number): string => String(n).padStart(32, 'a');
const log = createLogger('test', { level: 'error' });

function world() {
  const counters = new Map<string, CgroupCounters>();
  const sandboxes: PodSandbox[] = [];
  const containers: Container[] = [];
  const set = (cg: string, cpuNanos: number, ws = 1 << 20): void => {
    counters.set(cg, { cpuNanos, memoryUsageBytes: ws + 4096, memoryWorkingSetBytes: ws });
  };
  const reader = {
    read: async (cg: string) => counters.get(cg),
    exists: async (cg: string) => counters.has(cg),
  };
  const runtime = {
    listPodSandbox: async () => sandboxes.map((s) => ({ ...s })),
    listContainers: async () => containers.map((c) => ({ ...c })),
  };
  const pod = (uid: string, name: string): void => {
    sandboxes.push({ id: `sb-${uid}`, metadata: { name, uid, namespace: 'ns', attempt: 0 }, state: 'SANDBOX_READY', createdAt: Date.parse('2026-01-01T00:00:00Z'), labels: {}, annotations: {} });
  };
  const container = (uid: string, n: number, name: string): void => {
    containers.push({ id: cid(n), podSandboxId: `sb-${uid}`, metadata: { name, attempt: 0 }, image: { image: 'busybox' }, imageRef: 'x', state: 'CONTAINER_RUNNING', createdAt: Date.parse('2026-01-01T00:00:01Z'), labels: {}, annotations: {} });
  };
  return { counters, sandboxes, containers, set, reader, runtime, pod, container };
}

describe('StatsSampler', () => {
  let clock: FakeClock;
  let sampler: StatsSampler | undefined;
  beforeEach(() => (clock = new FakeClock()));
  afterEach(() => sampler?.stop());

  const make = (w: ReturnType<typeof world>, intervalMs = 10_000): StatsSampler =>
    (sampler = new StatsSampler({ nodeName: 'n1', runtime: w.runtime, reader: w.reader, cgroupRoot: '/gantry', clock, intervalMs, logger: log }));

  it('has no summary before the first sweep, and no rate after only one', async () => {
    const w = world();
    w.set('/', 1e9);
    const s = make(w);
    expect(s.summary()).to.equal(undefined);
    await s.sampleOnce();
    const sum = s.summary()!;
    expect(sum.node.nodeName).to.equal('n1');
    expect(sum.node.cpu.usageCoreNanoSeconds).to.equal(1e9);
    expect(sum.node.cpu).to.not.have.property('usageNanoCores');
    expect(sum.node.memory.workingSetBytes).to.equal(1 << 20);
    expect(sum.pods).to.deep.equal([]);
  });

  const rates: { name: string; intervalMs: number; cpuDelta: number; wantNanoCores: number }[] = [
    { name: 'half a core over the default 10 s', intervalMs: 10_000, cpuDelta: 5e9, wantNanoCores: 5e8 },
    { name: 'two cores over 5 s', intervalMs: 5_000, cpuDelta: 10e9, wantNanoCores: 2e9 },
    { name: 'idle', intervalMs: 10_000, cpuDelta: 0, wantNanoCores: 0 },
    { name: '1 ms of CPU over 15 s', intervalMs: 15_000, cpuDelta: 1e6, wantNanoCores: 66_667 },
  ];
  for (const tc of rates) {
    it(`CPU as a rate over the sampling window: ${tc.name}`, async () => {
      const w = world();
      w.set('/', 7e9);
      w.pod('u1', 'web');
      w.set('/gantry/burstable/podu1', 1e9);
      w.container('u1', 1, 'app');
      w.set(`/gantry/burstable/podu1/${cid(1)}`, 1e9);
      const s = make(w, tc.intervalMs);
      s.start();
      await clock.advanceAsync(0);
      w.set('/', 7e9 + tc.cpuDelta);
      w.set('/gantry/burstable/podu1', 1e9 + tc.cpuDelta);
      w.set(`/gantry/burstable/podu1/${cid(1)}`, 1e9 + tc.cpuDelta, 3 << 20);
      await clock.advanceAsync(tc.intervalMs);
      const sum = s.summary()!;
      expect(sum.node.cpu.usageNanoCores).to.equal(tc.wantNanoCores);
      expect(sum.node.cpu.windowSeconds).to.equal(tc.intervalMs / 1000);
      expect(sum.pods).to.have.length(1);
      const p = sum.pods[0]!;
      expect(p.podRef).to.deep.equal({ name: 'web', namespace: 'ns', uid: 'u1' });
      expect(p.cpu.usageNanoCores).to.equal(tc.wantNanoCores);
      expect(p.containers).to.have.length(1);
      expect(p.containers[0]!.name).to.equal('app');
      expect(p.containers[0]!.cpu.usageNanoCores).to.equal(tc.wantNanoCores);
      expect(p.containers[0]!.memory.workingSetBytes).to.equal(3 << 20);
      expect(p.containers[0]!.cpu.time).to.equal(new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'));
    });
  }

  it('finds pods in each QoS directory and forgets pods and containers that are gone', async () => {
    const w = world();
    w.set('/', 0);
    w.pod('g', 'guaranteed');
    w.set('/gantry/podg', 0);
    w.pod('b', 'besteffort');
    w.set('/gantry/besteffort/podb', 0);
    w.container('b', 2, 'c');
    w.set(`/gantry/besteffort/podb/${cid(2)}`, 0);
    w.pod('x', 'no-cgroup-yet');
    const s = make(w);
    s.start();
    await clock.advanceAsync(0);
    expect(s.summary()!.pods.map((p) => p.podRef.name).sort()).to.deep.equal(['besteffort', 'guaranteed']);
    // The container ends (its cgroup goes), then the pod.
    w.containers.length = 0;
    w.counters.delete(`/gantry/besteffort/podb/${cid(2)}`);
    await clock.advanceAsync(10_000);
    expect(s.summary()!.pods.find((p) => p.podRef.name === 'besteffort')!.containers).to.deep.equal([]);
    w.sandboxes.splice(1, 1);
    w.counters.delete('/gantry/besteffort/podb');
    await clock.advanceAsync(10_000);
    expect(s.summary()!.pods.map((p) => p.podRef.name)).to.deep.equal(['guaranteed']);
  });

  it('restarts the history when a counter goes backwards (a new cgroup under the same name)', async () => {
    const w = world();
    w.set('/', 50e9);
    const s = make(w);
    s.start();
    await clock.advanceAsync(0);
    w.set('/', 1e9);
    await clock.advanceAsync(10_000);
    expect(s.summary()!.node.cpu).to.not.have.property('usageNanoCores');
    w.set('/', 2e9);
    await clock.advanceAsync(10_000);
    expect(s.summary()!.node.cpu.usageNanoCores).to.equal(1e8);
  });

  it('keeps sampling after a failed sweep, and stop() leaves no timer behind', async () => {
    const w = world();
    let fail = true;
    const s = (sampler = new StatsSampler({
      nodeName: 'n1',
      runtime: { ...w.runtime, listPodSandbox: async () => (fail ? Promise.reject(new Error('runtime down')) : []) },
      reader: w.reader,
      cgroupRoot: '/gantry',
      clock,
      logger: log,
    }));
    w.set('/', 0);
    s.start();
    await clock.advanceAsync(0);
    expect(s.summary()).to.equal(undefined);
    fail = false;
    await clock.advanceAsync(10_000);
    expect(s.summary()).to.not.equal(undefined);
    s.stop();
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('leaves out a cgroup it cannot parse and keeps the rest of the sweep', async () => {
    const w = world();
    w.set('/', 0);
    w.pod('a', 'broken');
    w.set('/gantry/poda', 0);
    w.pod('b', 'fine');
    w.set('/gantry/podb', 0);
    const reader = { ...w.reader, read: async (cg: string) => (cg === '/gantry/poda' ? Promise.reject(new Error('memory.current is not a number')) : w.counters.get(cg)) };
    const s = (sampler = new StatsSampler({ nodeName: 'n1', runtime: w.runtime, reader, cgroupRoot: '/gantry', clock, logger: log }));
    await s.sampleOnce();
    expect(s.summary()!.pods.map((p) => p.podRef.name)).to.deep.equal(['fine']);
  });

  it('refuses an interval below 100 ms', () => {
    expect(() => make(world(), 10)).to.throw(/below 100 ms/);
  });
});
