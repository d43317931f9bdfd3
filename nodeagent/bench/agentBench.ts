// The node agent's pod start-up figures, as Kubernetes defines pod startup latency: from the
// client sending the create to the client observing the pod Running through a watch, with
// the image already on the node (a warm-up pod pulls it first) and the pod bound to the node
// in its spec, so no scheduler is in the path. Measured against a one-node cluster (etcd, the
// API server, a registry and the agent, each its own process: the agent test harness):
//   - pods one at a time; then a burst created at once (all Running, and each pod);
//   - the agent's RSS idle after registration, during and after the burst;
//   - for each pod, where the time went (podTimeline.ts).
// Pods are deleted between phases with grace period 0, and the phase waits until the agent
// removed their sandboxes; deletion is timed but is no part of any start-up figure.
// Driven by agentBenchMain.ts (a separate process: bench/ needs no import of nodeagent/).

import fs, { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { componentCommand } from '../../common/proc/components.js';
import { startAgentHarness, type AgentHarness } from '../agent/testing/agentHarness.js';
import { Layout } from '../runtime/layout.js';
import { RecordStore } from '../runtime/records.js';
import { readRuntimeMarks, splitStart, type SegmentName } from './podTimeline.js';
import { profilePreload } from './agentProfile.js';
import { startCpuCount, type CpuUse, type WatchedPids } from './cpuUse.js';
import { PodWatch, wallMs } from './podWatch.js';
import { idleNodeRss, readRssBytes, sampleRss } from './rss.js';

export interface AgentBenchOptions {
  /** Pods started one at a time. */
  pods: number;
  /** Pods created at once. */
  burst: number;
  progress?: (line: string) => void;
  /**
   * Profile the agent process (V8's CPU profile, written when it exits) into this directory,
   * with phases.json marking the phases for bench/profileSummary.ts, and its memory by kind
   * (process.memoryUsage) once a second in agent-memory.jsonl.
   */
  cpuProfDir?: string;
}

export interface PodStart {
  name: string;
  /** Create sent -> Running observed through the watch. */
  startupMs: number;
  /** Create sent -> the API server's answer. */
  apiCreateMs: number;
  /** Status writes the client saw before the Running one. */
  writesBeforeRunning: number;
  /** Where the time went; absent when the runtime's files did not show every step. */
  segments?: Record<SegmentName, number>;
}

export interface AgentBenchResult {
  /** How the agent process was started (a loader such as tsx shows in its RSS). */
  agentCommand: string;
  cpus: number;
  /** The warm-up pod, image pull included. */
  warmupMs: number;
  sequential: PodStart[];
  burst: { wallMs: number; pods: PodStart[] };
  rss: {
    idleBytes: number;
    burstPeakBytes: number;
    burstRunningBytes: number;
    idleAfterBytes: number;
    /** With the one-at-a-time pods all still running. */
    sequentialRunningBytes: number;
    /** An idle `node` started with the agent's flags: the floor under every RSS figure. */
    nodeFloorBytes: number;
    nodeFlags: string[];
  };
  /** Who used the CPUs while pods started: the noise to read the figures against. */
  cpu: { sequential: CpuUse; burst: CpuUse };
  /** Delete (grace 0) -> sandboxes removed by the agent. Excluded from every start-up figure. */
  deletionMs: { warmup: number; sequential: number; burst: number };
  cleanupProblems: string[];
}

const namespace = 'default';
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);
const runningTimeoutMs = 60_000;

// The agent's own defaults (the test harness speeds up relists and back-offs for tests) and
// info logging, as a node would run it.
const productionFlags = ['--log-level', 'info', '--relist-millis', '1000', '--backoff-initial-seconds', '10', '--backoff-max-seconds', '300'];

interface Started {
  name: string;
  uid: string;
  createSentMs: number;
  createAnsweredMs: number;
  runningSeenMs: number;
}

export class AgentBench {
  private h: AgentHarness | undefined;
  private watch: PodWatch | undefined;
  private setupDone: Promise<void> | undefined;
  private closed: Promise<string[]> | undefined;
  private readonly phases: { phase: string; startUs: number; endUs: number }[] = [];
  private readonly say: (line: string) => void;

  constructor(private readonly o: AgentBenchOptions) {
    this.say = o.progress ?? (() => undefined);
  }

  /** Starts the cluster and the agent, once; close() waits for it before tearing down. */
  private setup(): Promise<void> {
    this.setupDone ??= (async () => {
      this.say('starting etcd, the API server, a registry with the test images, and the agent');
      this.h = await startAgentHarness({ agentFlags: productionFlags });
      await this.startAgent(this.h);
    })();
    return this.setupDone;
  }

  /**
   * Starts the agent, profiled when asked. Node refuses --cpu-prof in NODE_OPTIONS, so a
   * preload module starts V8's profiler through the inspector and writes the profile when the
   * process exits (the agent exits through process.exit on SIGTERM). NODE_OPTIONS reaches only
   * the process started meanwhile.
   */
  private async startAgent(h: AgentHarness): Promise<void> {
    const dir = this.o.cpuProfDir ? path.resolve(this.o.cpuProfDir) : undefined;
    if (!dir) return h.startAgent();
    fs.mkdirSync(dir, { recursive: true });
    const preload = path.join(dir, 'agent-profile-preload.mjs');
    fs.writeFileSync(preload, profilePreload(dir));
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${saved ?? ''} --import ${preload}`.trim();
    try {
      await h.startAgent();
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  }

  /** Marks a phase on the monotonic clock V8's profiler uses (microseconds), for profileSummary.ts. */
  private markPhase(phase: string, startUs: number): void {
    if (!this.o.cpuProfDir) return;
    this.phases.push({ phase, startUs, endUs: monotonicUs() });
    fs.writeFileSync(path.join(this.o.cpuProfDir, 'phases.json'), JSON.stringify(this.phases, null, 1) + '\n');
  }

  /** Stops everything this run started (agent teardown, cluster, registry, runc test env); once. */
  close(): Promise<string[]> {
    this.closed ??= (async () => {
      await this.setupDone?.catch(() => undefined);
      this.watch?.stop();
      if (!this.h) return [];
      this.say('cleaning up (agent teardown, cluster, registry, runc test environment)');
      return this.h.close();
    })();
    return this.closed;
  }

  async run(): Promise<Omit<AgentBenchResult, 'cleanupProblems'>> {
    await this.setup();
    const h = this.h!;
    const runtimeRoot = path.join(h.agentRoot, 'runtime');
    const agentCmd = componentCommand('nodeagent/main');
    const nodeFlags = agentCmd.args.slice(0, -1);

    await this.waitNodeReady();
    this.watch = new PodWatch(h.client, namespace);
    await this.watch.start();

    // Idle: registered, Ready, no pods; let start-up garbage settle first.
    await sleep(3000);
    const idleBytes = await sampleRss(h.agentPid);
    this.say(`idle RSS ${(idleBytes / 1048576).toFixed(1)} MiB`);
    const nodeFloorBytes = await idleNodeRss(nodeFlags);

    this.say('warm-up pod (pulls busybox)');
    const warm = await this.startPod('warmup', 180_000);
    const warmupMs = warm.runningSeenMs - warm.createSentMs;
    const warmupDeletion = await this.deletePods([warm]);

    this.say(`${this.o.pods} pods one at a time`);
    const pids: WatchedPids = { agent: h.agentPid, apiServer: h.cluster.apiServerPid, etcd: h.cluster.etcd.pid };
    const seq: Started[] = [];
    const seqCpu = startCpuCount(pids);
    const seqUs = monotonicUs();
    for (let i = 0; i < this.o.pods; i++) seq.push(await this.startPod(`seq-${i}`, runningTimeoutMs));
    const sequentialCpu = seqCpu();
    this.markPhase(`${this.o.pods} pods one at a time`, seqUs);
    await sleep(2000);
    const sequentialRunningBytes = await sampleRss(h.agentPid);
    const sequential = await this.describe(seq, runtimeRoot);
    const seqDeletion = await this.deletePods(seq);

    this.say(`burst of ${this.o.burst} pods`);
    let burstPeakBytes = 0;
    const peak = setInterval(() => {
      try {
        burstPeakBytes = Math.max(burstPeakBytes, readRssBytes(h.agentPid));
      } catch {
        // The agent is gone; the phase itself fails on it.
      }
    }, 50);
    let burst: Started[];
    const burstCpu = startCpuCount(pids);
    const burstUs = monotonicUs();
    const burstSent = wallMs();
    try {
      burst = await Promise.all(Array.from({ length: this.o.burst }, (_, i) => this.startPod(`burst-${i}`, runningTimeoutMs)));
    } finally {
      clearInterval(peak);
    }
    const burstCpuUse = burstCpu();
    this.markPhase(`burst of ${this.o.burst} pods`, burstUs);
    const burstWallMs = Math.max(...burst.map((p) => p.runningSeenMs)) - burstSent;
    await sleep(2000);
    const burstRunningBytes = await sampleRss(h.agentPid);
    burstPeakBytes = Math.max(burstPeakBytes, burstRunningBytes);
    const burstPods = await this.describe(burst, runtimeRoot);
    const burstDeletion = await this.deletePods(burst);

    await sleep(3000);
    const idleAfterBytes = await sampleRss(h.agentPid);

    return {
      agentCommand: [path.basename(agentCmd.command), ...agentCmd.args.map((a) => (path.isAbsolute(a) ? path.relative(process.cwd(), a) : a))].join(' '),
      cpus: os.cpus().length,
      warmupMs,
      sequential,
      burst: { wallMs: burstWallMs, pods: burstPods },
      rss: { idleBytes, sequentialRunningBytes, burstPeakBytes, burstRunningBytes, idleAfterBytes, nodeFloorBytes, nodeFlags },
      cpu: { sequential: sequentialCpu, burst: burstCpuUse },
      deletionMs: { warmup: warmupDeletion, sequential: seqDeletion, burst: burstDeletion },
    };
  }

  private async waitNodeReady(): Promise<void> {
    const h = this.h!;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await h.client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(`/api/v1/nodes/${h.nodeName}`);
      if (r.status === 200 && r.body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
      await sleep(100);
    }
    throw new Error(`node ${h.nodeName} was not Ready within 60 s`);
  }

  private async startPod(name: string, timeoutMs: number): Promise<Started> {
    const h = this.h!;
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'agent-bench' } },
      // BestEffort (no resources), pre-bound to the node, image already present after the warm-up.
      spec: { nodeName: h.nodeName, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
    };
    const createSentMs = wallMs();
    const r = await h.client.request<{ metadata: { uid: string } }>('POST', `/api/v1/namespaces/${namespace}/pods`, { body });
    const createAnsweredMs = wallMs();
    if (r.status !== 201) throw new Error(`create pod ${name}: HTTP ${r.status} ${r.text}`);
    const runningSeenMs = await this.watch!.waitRunning(name, timeoutMs).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\n--- agent log tail ---\n${this.agentLogTail()}`);
    });
    return { name, uid: r.body.metadata.uid, createSentMs, createAnsweredMs, runningSeenMs };
  }

  private async describe(pods: Started[], runtimeRoot: string): Promise<PodStart[]> {
    const marks = await readRuntimeMarks(runtimeRoot);
    return pods.map((p) => {
      const segments = splitStart(p, marks.get(p.uid));
      return {
        name: p.name,
        startupMs: p.runningSeenMs - p.createSentMs,
        apiCreateMs: p.createAnsweredMs - p.createSentMs,
        writesBeforeRunning: this.watch!.get(p.name)?.writesBeforeRunning ?? 0,
        ...(segments ? { segments } : {}),
      };
    });
  }

  /** Deletes with grace period 0 and waits until the agent removed their sandboxes; returns how long that took. */
  private async deletePods(pods: Started[]): Promise<number> {
    const h = this.h!;
    const t0 = wallMs();
    await Promise.all(
      pods.map(async (p) => {
        const r = await h.client.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${p.name}`, { body: { gracePeriodSeconds: 0 } });
        if (r.status !== 200 && r.status !== 404) throw new Error(`delete pod ${p.name}: HTTP ${r.status} ${r.text}`);
        await this.watch!.waitDeleted(p.name, 60_000);
      }),
    );
    const uids = new Set(pods.map((p) => p.uid));
    const store = new RecordStore(new Layout(path.join(h.agentRoot, 'runtime')));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const left = (await store.loadSandboxes()).records.filter((s) => uids.has(s.config.metadata.uid));
      if (left.length === 0) return wallMs() - t0;
      if (Date.now() > deadline) throw new Error(`the agent did not remove ${left.length} sandboxes within 120 s\n--- agent log tail ---\n${this.agentLogTail()}`);
      await sleep(100);
    }
  }

  private agentLogTail(): string {
    try {
      // Synchronous on purpose: only on the way to an error.
      return readFileSync(this.h!.agentLog, 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
