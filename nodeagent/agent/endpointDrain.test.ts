import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RestartBackoff } from '../../common/backoff.js';
import { FakeClock, realClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logging.js';
import { HollowTranslator } from '../hollow/hollowTranslator.js';
import { SimulatedHost } from '../simulated/host.js';
import { SimulatedImageService } from '../simulated/imageService.js';
import { SimulatedRuntime } from '../simulated/runtime.js';
import { ProxyEndpointDrain, type DrainOutcome, type EndpointDrain, type EndpointTracker } from './endpointDrain.js';
import { ProbeManager } from './probes/probeManager.js';
import { PodSyncer, type PodApi } from './podSync.js';
import type { Pod, PodStatusApi } from './podTypes.js';

/** A tracker whose removal the test triggers. */
class ManualTracker implements EndpointTracker {
  removed!: () => void;
  asked: string[] = [];
  constructor(private readonly serving: Set<string>) {}
  isServingEndpoint(ip: string): boolean {
    return this.serving.has(ip);
  }
  whenEndpointRemoved(ip: string): Promise<void> {
    this.asked.push(ip);
    return new Promise((resolve) => (this.removed = resolve));
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

interface DrainCase {
  name: string;
  ip: string;
  serving: string[];
  /** When the tracker reports removal (ms after the start); undefined: never. */
  removedAtMs?: number;
  deadlineMs: number;
  marginMs?: number;
  want: DrainOutcome;
  /** When the drain resolves (ms after the start). */
  doneAtMs: number;
}

const cases: DrainCase[] = [
  { name: 'a pod no Service sends to does not wait', ip: '10.244.0.9', serving: ['10.244.0.5'], deadlineMs: 15_000, want: 'not-an-endpoint', doneAtMs: 0 },
  { name: 'a pod without an address does not wait', ip: '', serving: [''], deadlineMs: 15_000, want: 'not-an-endpoint', doneAtMs: 0 },
  { name: 'an endpoint waits for its removal from the rules, then the margin', ip: '10.244.0.5', serving: ['10.244.0.5'], removedAtMs: 300, deadlineMs: 15_000, want: 'drained', doneAtMs: 1300 },
  { name: 'the margin is an option', ip: '10.244.0.5', serving: ['10.244.0.5'], removedAtMs: 300, deadlineMs: 15_000, marginMs: 200, want: 'drained', doneAtMs: 500 },
  { name: 'the margin is cut at the deadline', ip: '10.244.0.5', serving: ['10.244.0.5'], removedAtMs: 800, deadlineMs: 1200, want: 'drained', doneAtMs: 1200 },
  { name: 'rules that never drop the endpoint: the deadline ends the wait', ip: '10.244.0.5', serving: ['10.244.0.5'], deadlineMs: 5000, want: 'timed-out', doneAtMs: 5000 },
];

describe('endpoint drain', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const clock = new FakeClock();
      const start = clock.now();
      const tracker = new ManualTracker(new Set(tc.serving));
      const drain = new ProxyEndpointDrain({ tracker, clock, logger: silentLogger(), ...(tc.marginMs !== undefined ? { marginMs: tc.marginMs } : {}) });
      let outcome: DrainOutcome | undefined;
      let doneAt: number | undefined;
      void drain.drain(tc.ip, start + tc.deadlineMs).then((o) => {
        outcome = o;
        doneAt = clock.now() - start;
      });
      await flush();
      for (let t = 0; t <= tc.deadlineMs + 1000 && outcome === undefined; t += 100) {
        if (tc.removedAtMs !== undefined && clock.now() - start === tc.removedAtMs) tracker.removed();
        await flush();
        if (outcome !== undefined) break;
        clock.advance(100);
        await flush();
      }
      expect(outcome).to.equal(tc.want);
      expect(doneAt).to.equal(tc.doneAtMs);
    });
  }
});

/** An in-memory API of one pod. */
class MemoryPodApi implements PodApi {
  deleted = false;
  statuses: PodStatusApi[] = [];
  constructor(public pod: Pod) {}
  byUid(uid: string): Pod | undefined {
    return this.pod.metadata.uid === uid && !this.deleted ? this.pod : undefined;
  }
  async writeStatus(_pod: Pod, status: PodStatusApi): Promise<void> {
    this.statuses.push(status);
  }
  async deletePod(): Promise<void> {
    this.deleted = true;
  }
}

/** A drain the test releases, recording what the pod's containers were doing when it was asked. */
class GateDrain implements EndpointDrain {
  calls: { ip: string; untilMs: number; askedAtMs: number }[] = [];
  release!: (o: DrainOutcome) => void;
  drain(ip: string, untilMs: number): Promise<DrainOutcome> {
    this.calls.push({ ip, untilMs, askedAtMs: Date.now() });
    return new Promise((resolve) => (this.release = resolve));
  }
}

describe('pod sync: draining a deleted pod before SIGTERM (simulated runtime)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-drain-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function setup(drain: EndpointDrain | undefined, podOver: Partial<Pod['spec']> = {}): { syncer: PodSyncer; api: MemoryPodApi; runtime: SimulatedRuntime; pod: Pod } {
    // Containers end on SIGTERM at once, so a stop is visible as soon as it happens.
    const host = new SimulatedHost({ serviceExitCodeOnTerm: 143 });
    const runtime = new SimulatedRuntime(host);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'default', uid: 'uid-web-1' },
      spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'busybox:1', command: ['sh'] }], ...podOver },
    } as unknown as Pod;
    const api = new MemoryPodApi(pod);
    const syncer = new PodSyncer({
      nodeName: 'n1',
      hostIP: '172.31.240.11',
      runtime,
      images: new SimulatedImageService(host),
      api,
      translator: new HollowTranslator({ logsRoot: dir, nodeName: 'n1', nodeMemoryBytes: 8n << 30n }),
      probes: new ProbeManager(runtime, () => undefined, silentLogger()),
      events: { record: () => undefined },
      backoff: new RestartBackoff({ initialMs: 10_000, maxMs: 300_000 }, realClock),
      ...(drain ? { drain } : {}),
      clock: realClock,
      logger: silentLogger(),
    });
    return { syncer, api, runtime, pod };
  }

  const running = async (runtime: SimulatedRuntime): Promise<number> => (await runtime.listContainers()).filter((c) => c.state === 'CONTAINER_RUNNING').length;

  it('waits for the drain before stopping the containers, with at most half the grace period', async () => {
    const drain = new GateDrain();
    const { syncer, api, runtime, pod } = setup(drain);
    await syncer.sync(pod.metadata.uid);
    expect(await running(runtime)).to.equal(1);
    const sandboxIP = (await runtime.podSandboxStatus((await runtime.listPodSandbox())[0]!.id)).network?.ip;
    expect(sandboxIP).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    api.pod = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 } };
    const t0 = Date.now();
    const done = syncer.sync(pod.metadata.uid);
    await new Promise((r) => setTimeout(r, 50));
    expect(drain.calls).to.have.length(1);
    expect(drain.calls[0]!.ip).to.equal(sandboxIP);
    expect(drain.calls[0]!.untilMs - t0).to.be.within(14_000, 15_100);
    expect(await running(runtime), 'still running while draining').to.equal(1);
    expect(api.deleted).to.equal(false);
    drain.release('drained');
    expect(await done).to.deep.equal({ done: true });
    expect(await running(runtime)).to.equal(0);
    expect(api.deleted).to.equal(true);
    expect(drain.calls, 'one drain per termination').to.have.length(1);
  });

  it('host-network pods are not drained (their address is the node\'s); no drain configured: no wait', async () => {
    for (const withDrain of [true, false]) {
      const drain = new GateDrain();
      const { syncer, api, runtime, pod } = setup(withDrain ? drain : undefined, withDrain ? { hostNetwork: true } : {});
      await syncer.sync(pod.metadata.uid);
      api.pod = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } };
      expect(await syncer.sync(pod.metadata.uid)).to.deep.equal({ done: true });
      expect(drain.calls).to.have.length(0);
      expect(await running(runtime)).to.equal(0);
    }
  });
});
