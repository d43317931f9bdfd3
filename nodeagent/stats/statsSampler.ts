// Samples the cgroup counters of the node, its pods and their containers every interval
// (10 s by default, the kubelet's housekeeping period) and keeps the last two samples of
// each, so /stats/summary answers at once with CPU as a rate over a known window instead of
// reading the kernel on every request. Which pods and containers exist comes from the
// runtime; where their cgroups are follows the runtime's layout: a pod's cgroup is
// <cgroupRoot>/[burstable/|besteffort/]pod<uid> (podspec/resources.ts), a container's is
// <podCgroup>/<containerId> (runtime/containerOps.ts). The pod's own cgroup (sandbox
// included) gives the pod's figures, as the kubelet's pod stats do.

import { performance } from 'node:perf_hooks';
import type { ContainerUsage, CpuStats, MemoryStats, PodUsage, StatsSummary } from '../../common/api/statsSummary.js';
import { realClock, type Timer, type TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import type { RuntimeService } from '../cri/services.js';
import type { CgroupReader } from './cgroupReader.js';
import { SampleHistory } from './sampleHistory.js';

export const defaultStatsIntervalMs = 10_000;

export interface StatsSamplerOptions {
  nodeName: string;
  runtime: Pick<RuntimeService, 'listPodSandbox' | 'listContainers'>;
  reader: Pick<CgroupReader, 'read' | 'exists'>;
  /** The runtime's cgroup root, absolute in the hierarchy (e.g. /gantry). */
  cgroupRoot: string;
  /** What the node's figures are read from: `/` (default) is the whole host, as the kubelet reports a node. */
  nodeCgroup?: string;
  intervalMs?: number;
  clock?: TimerClock;
  logger: Logger;
}

interface PodEntry {
  ref: PodUsage['podRef'];
  cgroup: string;
  startedAt: number;
  containers: { name: string; id: string; startedAt: number }[];
}

const qosDirs = ['', 'burstable/', 'besteffort/'];

const containerKey = (id: string): string => `container/${id}`;

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export class StatsSampler {
  private readonly history = new SampleHistory();
  private readonly clock: TimerClock;
  private readonly intervalMs: number;
  private readonly nodeCgroup: string;
  /** Pod uid -> its cgroup path, found once (a pod never changes QoS class). */
  private readonly podCgroups = new Map<string, string>();
  private pods: PodEntry[] = [];
  private sampled = false;
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** How long the last sweep took (wall time, ms): the sampling cost reported in the logs and tests. */
  lastSweepMs = 0;

  constructor(private readonly o: StatsSamplerOptions) {
    this.clock = o.clock ?? realClock;
    this.intervalMs = o.intervalMs ?? defaultStatsIntervalMs;
    if (!(this.intervalMs >= 100)) throw new Error(`stats interval ${this.intervalMs} ms is below 100 ms`);
    this.nodeCgroup = o.nodeCgroup ?? '/';
  }

  /** Samples now, then every interval until stop(). */
  start(): void {
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    if (this.stopped) return;
    void this.sampleOnce().finally(() => {
      if (!this.stopped) this.timer = this.clock.setTimer(() => this.tick(), this.intervalMs);
    });
  }

  /** One sweep; concurrent callers share it. Failures are logged, never thrown: the next tick tries again. */
  sampleOnce(): Promise<void> {
    if (this.running) return this.running;
    const run = this.sweep()
      .catch((e: unknown) => {
        this.o.logger.warn('stats sampling failed', { error: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => {
        this.running = undefined;
      });
    this.running = run;
    return run;
  }

  private async sweep(): Promise<void> {
    const began = performance.now();
    const live = new Set<string>();
    await this.record('node', this.nodeCgroup, live);
    const pods = await this.discover();
    const kept: PodEntry[] = [];
    for (const p of pods) {
      if (!(await this.record(`pod/${p.ref.uid}`, p.cgroup, live))) continue;
      const containers = [];
      for (const c of p.containers) if (await this.record(containerKey(c.id), `${p.cgroup}/${c.id}`, live)) containers.push(c);
      kept.push({ ...p, containers });
    }
    this.history.retain(live);
    for (const uid of this.podCgroups.keys()) if (!live.has(`pod/${uid}`)) this.podCgroups.delete(uid);
    this.pods = kept;
    this.sampled = true;
    this.lastSweepMs = performance.now() - began;
    this.o.logger.debug('stats sampled', { pods: kept.length, cgroups: live.size, ms: Math.round(this.lastSweepMs * 10) / 10 });
  }

  /** Reads one cgroup into the history; false when it is gone or unreadable (one bad cgroup does not cost the others their sample). */
  private async record(key: string, cgroup: string, live: Set<string>): Promise<boolean> {
    const counters = await this.o.reader.read(cgroup).catch((e: unknown) => {
      this.o.logger.warn('cannot read a cgroup', { cgroup, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    });
    if (!counters) return false;
    this.history.record(key, { at: this.clock.now(), counters });
    live.add(key);
    return true;
  }

  /** The ready pods and their running containers, with their cgroups. */
  private async discover(): Promise<PodEntry[]> {
    const [sandboxes, containers] = await Promise.all([this.o.runtime.listPodSandbox({ state: 'SANDBOX_READY' }), this.o.runtime.listContainers({ state: 'CONTAINER_RUNNING' })]);
    const out: PodEntry[] = [];
    for (const s of sandboxes) {
      const cgroup = await this.podCgroup(s.metadata.uid);
      if (!cgroup) continue;
      out.push({
        ref: { name: s.metadata.name, namespace: s.metadata.namespace, uid: s.metadata.uid },
        cgroup,
        startedAt: s.createdAt,
        containers: containers.filter((c) => c.podSandboxId === s.id).map((c) => ({ name: c.metadata.name, id: c.id, startedAt: c.createdAt })),
      });
    }
    return out;
  }

  private async podCgroup(uid: string): Promise<string | undefined> {
    const known = this.podCgroups.get(uid);
    if (known) return known;
    const root = this.o.cgroupRoot.replace(/\/+$/, '');
    for (const q of qosDirs) {
      const candidate = `${root}/${q}pod${uid}`;
      if (await this.o.reader.exists(candidate)) {
        this.podCgroups.set(uid, candidate);
        return candidate;
      }
    }
    return undefined;
  }

  private usage(key: string): { cpu: CpuStats; memory: MemoryStats } | undefined {
    const s = this.history.latest(key);
    if (!s) return undefined;
    const rate = this.history.rate(key);
    const time = iso(s.at);
    const cpu: CpuStats = { time, usageCoreNanoSeconds: s.counters.cpuNanos };
    if (rate) {
      cpu.usageNanoCores = rate.nanoCores;
      cpu.windowSeconds = rate.windowMs / 1000;
    }
    return { cpu, memory: { time, usageBytes: s.counters.memoryUsageBytes, workingSetBytes: s.counters.memoryWorkingSetBytes } };
  }

  /** The latest figures; undefined until the first sweep is done. */
  summary(): StatsSummary | undefined {
    const node = this.usage('node');
    if (!this.sampled || !node) return undefined;
    const pods: PodUsage[] = [];
    for (const p of this.pods) {
      const u = this.usage(`pod/${p.ref.uid}`);
      if (!u) continue;
      const containers: ContainerUsage[] = [];
      for (const c of p.containers) {
        const cu = this.usage(containerKey(c.id));
        if (cu) containers.push({ name: c.name, startTime: iso(c.startedAt), ...cu });
      }
      pods.push({ podRef: { ...p.ref }, startTime: iso(p.startedAt), ...u, containers });
    }
    return { node: { nodeName: this.o.nodeName, ...node }, pods };
  }
}
