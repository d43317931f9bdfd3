// The RuntimeService over runc, supervised by conmon. Open it with `RuncRuntime.open`: it
// checks its tools and network, then rebuilds its view from the records on disk, conmon's
// exit files and runc's state, so a node agent restarted (or killed) mid-flight finds its
// pods as they are: still running, or exited with their exit codes.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { realClock } from '../../common/clock.js';
import { ConflictError, NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/logging.js';
import type { RuntimeService } from '../cri/services.js';
import type {
  AttachRequest,
  AttachSession,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  ExecRequest,
  ExecSession,
  ExecSyncResult,
  Orphan,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
} from '../cri/types.js';
import { containerSummary, matchesLabels } from '../cri/recordViews.js';
import { validateForwardPort } from '../cri/portForwardError.js';
import { isAtomicTemp } from '../../common/atomicFile.js';
import { attachToConmon, attachToLog, mustAttachThroughLog } from './attach.js';
import { Cgroups } from './cgroups.js';
import { CniNetwork } from './cni.js';
import { resolveOptions, RuntimeConfigError, type RuncRuntimeOptions } from './config.js';
import * as containers from './containerOps.js';
import type { RuntimeContext } from './context.js';
import { execSync, startExec } from './exec.js';
import { KeyedLock } from './keyedLock.js';
import { probeOomScoreAdjFloor } from './oomScoreAdj.js';
import { portForward } from './portForward.js';
import { Layout } from './layout.js';
import { findOrphans, removeOrphan } from './orphans.js';
import { RecordStore, type ContainerRecord, type SandboxRecord } from './records.js';
import { Runc } from './runc.js';
import * as sandboxes from './sandboxOps.js';
import { currentBoundingSet } from './securityDefaults.js';
import { subnetClash } from './subnet.js';

export type { RuncRuntimeOptions } from './config.js';

export class RuncRuntime implements RuntimeService {
  private unowned: { sandboxes: string[]; containers: string[] } = { sandboxes: [], containers: [] };
  private readonly cpuSamples = new Map<string, { at: number; nanos: number }>();
  private runcVersion: string | undefined;

  private constructor(private readonly ctx: RuntimeContext) {}

  static async open(options: RuncRuntimeOptions): Promise<RuncRuntime> {
    const opts = resolveOptions(options);
    const layout = new Layout(opts.root);
    if (!opts.skipSubnetCheck) {
      const clash = await subnetClash(opts.network.subnet, opts.network.bridge);
      if (clash) throw new RuntimeConfigError(`pod subnet: ${clash}`);
    }
    for (const d of [layout.root, layout.sandboxesDir, layout.containersDir, layout.exitDir, layout.netnsDir, layout.runcRoot, layout.ipamDir, layout.socketDir, layout.execDir]) {
      await fs.mkdir(d, { recursive: true, mode: 0o700 });
    }
    const ctx: RuntimeContext = {
      opts,
      layout,
      store: new RecordStore(layout),
      runc: new Runc(opts.runcPath, layout.runcRoot),
      cgroups: new Cgroups(),
      cni: new CniNetwork({
        binDir: opts.cniBinDir,
        networkName: opts.network.name,
        bridge: opts.network.bridge,
        subnet: opts.network.subnet,
        ipamDataDir: layout.ipamDir,
        ipMasq: opts.network.ipMasq,
        ...(opts.network.mtu ? { mtu: opts.network.mtu } : {}),
      }),
      log: options.logger ?? silentLogger(),
      clock: options.clock ?? realClock,
      sandboxes: new Map(),
      containers: new Map(),
      locks: new KeyedLock(),
      reservedNames: new Set(),
      boundingSet: currentBoundingSet(),
      oomScoreAdjFloor: options.oomScoreAdjFloor ?? (await probeOomScoreAdjFloor()).floor,
    };
    const rt = new RuncRuntime(ctx);
    await rt.reconcile();
    return rt;
  }

  /** Rebuilds the in-memory view from disk; collects exits that happened while no one watched. */
  private async reconcile(): Promise<void> {
    const { ctx } = this;
    const s = await ctx.store.loadSandboxes();
    const c = await ctx.store.loadContainers();
    for (const r of s.records) ctx.sandboxes.set(r.id, r);
    for (const r of c.records) {
      if (!ctx.sandboxes.has(r.sandboxId)) {
        c.unowned.push(r.id);
        continue;
      }
      ctx.containers.set(r.id, r);
      await containers.refreshContainer(ctx, r, true);
    }
    this.unowned = { sandboxes: s.unowned, containers: c.unowned };
    for (const name of await fs.readdir(ctx.layout.execDir).catch(() => [] as string[])) {
      await fs.rm(`${ctx.layout.execDir}/${name}`, { force: true });
    }
    for (const dir of [ctx.layout.sandboxesDir, ctx.layout.containersDir]) {
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        if (isAtomicTemp(name)) await fs.rm(`${dir}/${name}`, { force: true });
      }
    }
    ctx.log.info('runtime state loaded', { sandboxes: ctx.sandboxes.size, containers: ctx.containers.size });
  }

  private sandbox(id: string): SandboxRecord {
    const s = this.ctx.sandboxes.get(id);
    if (!s) throw new NotFoundError({ resource: 'podsandboxes', name: id });
    return s;
  }

  private container(id: string): ContainerRecord {
    const c = this.ctx.containers.get(id);
    if (!c) throw new NotFoundError({ resource: 'containers', name: id });
    return c;
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    this.runcVersion ??= await this.ctx.runc.version();
    return { runtimeName: 'gantry-runc', runtimeVersion: this.runcVersion, runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes ----

  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return sandboxes.runPodSandbox(this.ctx, config);
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandbox(id);
    await this.ctx.locks.with(id, () => sandboxes.stopPodSandbox(this.ctx, s));
  }

  async removePodSandbox(id: string): Promise<void> {
    const s = this.ctx.sandboxes.get(id);
    if (!s) return;
    await this.ctx.locks.with(id, () => sandboxes.removePodSandbox(this.ctx, s));
  }

  private async sandboxState(s: SandboxRecord): Promise<PodSandbox['state']> {
    return s.state === 'ready' && (await sandboxes.pauseRunning(this.ctx, s)) ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY';
  }

  private async sandboxSummary(s: SandboxRecord): Promise<PodSandbox> {
    return {
      id: s.id,
      metadata: { ...s.config.metadata },
      state: await this.sandboxState(s),
      createdAt: s.createdAt,
      labels: { ...(s.config.labels ?? {}) },
      annotations: { ...(s.config.annotations ?? {}) },
    };
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandbox(id);
    const status: PodSandboxStatus = await this.sandboxSummary(s);
    if (s.network) status.network = { ip: s.network.ip, additionalIps: [...s.network.additionalIps] };
    if (s.netnsPath) status.netnsPath = s.netnsPath;
    return status;
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const s of this.ctx.sandboxes.values()) {
      if (filter.id && s.id !== filter.id) continue;
      if (!matchesLabels(s.config.labels, filter.labelSelector)) continue;
      const summary = await this.sandboxSummary(s);
      if (filter.state && summary.state !== filter.state) continue;
      out.push(summary);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    const s = this.sandbox(podSandboxId);
    // No sandbox lock: containers of one pod are created in parallel. A stop racing with a
    // create is caught after the create (see containerOps.createContainer).
    if ((await this.sandboxState(s)) !== 'SANDBOX_READY') throw new ConflictError({ resource: 'podsandboxes', name: podSandboxId }, 'the sandbox is not ready');
    return containers.createContainer(this.ctx, s, config);
  }

  async startContainer(id: string): Promise<void> {
    const c = this.container(id);
    await this.ctx.locks.with(id, () => containers.startContainer(this.ctx, c));
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.container(id);
    await this.ctx.locks.with(id, () => containers.stopContainer(this.ctx, c, timeoutSeconds));
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.ctx.containers.get(id);
    if (!c) return;
    await this.ctx.locks.with(id, () => containers.removeContainer(this.ctx, c));
    this.cpuSamples.delete(id);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const out: Container[] = [];
    for (const c of this.ctx.containers.values()) {
      if (filter.id && c.id !== filter.id) continue;
      if (filter.podSandboxId && c.sandboxId !== filter.podSandboxId) continue;
      if (!matchesLabels(c.config.labels, filter.labelSelector)) continue;
      await containers.refreshContainer(this.ctx, c);
      const summary = containerSummary(c);
      if (filter.state && summary.state !== filter.state) continue;
      out.push(summary);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    await containers.refreshContainer(this.ctx, c);
    let message = c.message ?? '';
    if (c.state === 'exited' && !message) {
      // What the process left in /dev/termination-log (bounded), as the kubelet reports it.
      const text = await fs.readFile(this.ctx.layout.terminationLog(c.id), 'utf8').catch(() => '');
      message = text.slice(0, 4096);
    }
    return {
      ...containerSummary(c),
      startedAt: c.startedAt ?? 0,
      finishedAt: c.finishedAt ?? 0,
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? '',
      message,
      mounts: (c.config.mounts ?? []).map((m) => ({ ...m })),
      logPath: c.logPath,
    };
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const c = this.container(id);
    const usage = await this.ctx.cgroups.usage(c.cgroupsPath);
    const now = this.ctx.clock.now();
    const prev = this.cpuSamples.get(id);
    this.cpuSamples.set(id, { at: now, nanos: usage.cpuNanos });
    const stats: ContainerStats = {
      id,
      timestamp: now,
      cpuUsageCoreNanoSeconds: usage.cpuNanos,
      memoryWorkingSetBytes: usage.memoryWorkingSetBytes,
      memoryUsageBytes: usage.memoryUsageBytes,
    };
    if (prev && now > prev.at) stats.cpuUsageNanoCores = Math.max(0, Math.round(((usage.cpuNanos - prev.nanos) / (now - prev.at)) * 1e3));
    if (usage.pids !== undefined && Number.isFinite(usage.pids)) stats.pids = usage.pids;
    return stats;
  }

  private async requireRunning(id: string): Promise<ContainerRecord> {
    const c = this.container(id);
    await containers.refreshContainer(this.ctx, c);
    if (c.state !== 'running') throw new ConflictError({ resource: 'containers', name: id }, `the container is ${c.state}, not running`);
    return c;
  }

  async execSync(id: string, cmd: string[], opts: { timeoutSeconds: number; maxOutputBytes?: number }): Promise<ExecSyncResult> {
    await this.requireRunning(id);
    // 0 means no deadline in the CRI; a day is as good as none and still ends.
    const timeoutMs = opts.timeoutSeconds > 0 ? opts.timeoutSeconds * 1000 : 24 * 3600 * 1000;
    return execSync(this.ctx.runc, this.ctx.layout.execDir, id, cmd, { timeoutMs, maxOutputBytes: opts.maxOutputBytes ?? this.ctx.opts.execOutputLimitBytes });
  }

  async attach(id: string, req: AttachRequest): Promise<AttachSession> {
    const c = await this.requireRunning(id);
    const L = this.ctx.layout;
    const created = { stdin: c.config.stdin === true, stdinOnce: c.config.stdinOnce === true, tty: c.config.tty === true };
    if (mustAttachThroughLog(created, req)) {
      return attachToLog({ logPath: c.logPath, running: async () => (await containers.refreshContainer(this.ctx, c)).state === 'running' }, req);
    }
    return attachToConmon(
      {
        socketPath: path.join(L.socketDir, id, 'attach'),
        controlFifo: path.join(L.containerBundle(id), 'ctl'),
        stdin: c.config.stdin === true,
        tty: c.config.tty === true,
      },
      req,
    );
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    validateForwardPort(port);
    const s = this.sandbox(podSandboxId);
    if ((await this.sandboxState(s)) !== 'SANDBOX_READY') throw new ConflictError({ resource: 'podsandboxes', name: podSandboxId }, 'the sandbox is not ready');
    return portForward({ podSandboxId, port, socatPath: this.ctx.opts.socatPath, ...(s.netnsPath ? { netnsPath: s.netnsPath } : {}) });
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    await this.requireRunning(id);
    return startExec(this.ctx.runc, this.ctx.layout.execDir, id, req, this.ctx.layout.containerBundle(id));
  }

  // ---- start-up reconciliation ----

  async orphans(): Promise<Orphan[]> {
    return findOrphans(this.ctx, this.unowned);
  }

  /** Removes one orphan reported by orphans() (the agent decides which). */
  async removeOrphan(o: Orphan): Promise<void> {
    await removeOrphan(this.ctx, o);
    this.unowned.sandboxes = this.unowned.sandboxes.filter((n) => !(o.kind === 'sandbox' && n === o.id));
    this.unowned.containers = this.unowned.containers.filter((n) => !(o.kind === 'container' && n === o.id));
  }

  /**
   * The lowest oom_score_adj this host lets a container have (-1000: no limit). Containers
   * that ask for less get this value; the node agent reports it.
   */
  get oomScoreAdjFloor(): number {
    return this.ctx.oomScoreAdjFloor;
  }

  /** The cgroup directory of a container for a controller (for tests and tools). */
  cgroupDir(id: string, controller: string): string {
    return this.ctx.cgroups.dir(controller, this.container(id).cgroupsPath);
  }

  /** The container's process id on the host while it runs. */
  containerPid(id: string): number | undefined {
    return this.container(id).pid;
  }

  /** Paths of a container's pieces (for tests and tools). */
  containerPaths(id: string): { rootfs: string; upper: string; bundle: string; dir: string } {
    this.container(id);
    const L = this.ctx.layout;
    return { rootfs: L.containerRootfs(id), upper: L.containerUpper(id), bundle: L.containerBundle(id), dir: L.containerDir(id) };
  }
}
