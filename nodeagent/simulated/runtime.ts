// The RuntimeService of a simulated node: no processes, no namespaces, no cgroups. Sandboxes
// and containers are records on a SimulatedHost; a container "runs" the program its command
// stands for (commands.ts). It validates configs with the runc runtime's own rules and
// fails with the same typed errors, so the agent cannot tell the two apart through the
// interface; the shared conformance suite checks that.

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { AlreadyExistsError, BadRequestError, ConflictError, NotFoundError } from '../../common/errors.js';
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
import { validateContainerConfig } from '../runtime/containerOps.js';
import { commandLine, environment } from '../runtime/processConfig.js';
import { validateSandboxConfig } from '../runtime/sandboxOps.js';
import { simulatedAttach, simulatedPortForward, waitsForStdin } from './attach.js';
import { recogniseCommand, type SimulatedProgram } from './commands.js';
import { killedExitCode, simulatedExecSync, startSimulatedExec } from './exec.js';
import type { SimulatedHost } from './host.js';
import { writeContainerLog } from './logWriter.js';
import type { SimulatedContainerRecord, SimulatedSandboxRecord } from './records.js';

/** The runc runtime's default cap on what execSync keeps of each stream. */
const defaultExecOutputBytes = 1024 * 1024;

function newId(): string {
  return randomUUID().replace(/-/g, '');
}

const nameKey = (sandboxId: string, config: ContainerConfig): string => `${sandboxId}/${config.metadata.name}/${config.metadata.attempt}`;

export class SimulatedRuntime implements RuntimeService {
  constructor(readonly host: SimulatedHost) {}

  private sandbox(id: string): SimulatedSandboxRecord {
    const s = this.host.sandboxes.get(id);
    if (!s) throw new NotFoundError({ resource: 'podsandboxes', name: id });
    return s;
  }

  private container(id: string): SimulatedContainerRecord {
    const c = this.host.containers.get(id);
    if (!c) throw new NotFoundError({ resource: 'containers', name: id });
    return this.host.refresh(c);
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    return { runtimeName: 'gantry-simulated', runtimeVersion: this.host.options.runtimeVersion ?? '0.1.0', runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    validateSandboxConfig(config);
    await this.host.wait(this.host.delays.runPodSandboxDelayMs);
    const id = newId();
    const record: SimulatedSandboxRecord = { id, config, createdAt: this.host.clock.now(), state: 'ready', containerIds: new Set() };
    if (config.linux?.securityContext?.namespaceOptions?.network !== 'NODE') record.ip = this.host.addresses.allocate();
    this.host.sandboxes.set(id, record);
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandbox(id);
    const now = this.host.clock.now();
    for (const cid of s.containerIds) {
      const c = this.host.containers.get(cid);
      if (c) this.kill(c, now);
    }
    if (s.ip) this.host.addresses.release(s.ip);
    delete s.ip;
    s.state = 'notready';
  }

  async removePodSandbox(id: string): Promise<void> {
    const s = this.host.sandboxes.get(id);
    if (!s) return;
    await this.stopPodSandbox(id);
    for (const cid of [...s.containerIds]) this.forget(cid);
    this.host.sandboxes.delete(id);
  }

  private sandboxSummary(s: SimulatedSandboxRecord): PodSandbox {
    return {
      id: s.id,
      metadata: { ...s.config.metadata },
      state: s.state === 'ready' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
      createdAt: s.createdAt,
      labels: { ...(s.config.labels ?? {}) },
      annotations: { ...(s.config.annotations ?? {}) },
    };
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandbox(id);
    const status: PodSandboxStatus = this.sandboxSummary(s);
    if (s.ip) status.network = { ip: s.ip, additionalIps: [] };
    return status;
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const s of this.host.sandboxes.values()) {
      if (filter.id && s.id !== filter.id) continue;
      if (!matchesLabels(s.config.labels, filter.labelSelector)) continue;
      const summary = this.sandboxSummary(s);
      if (filter.state && summary.state !== filter.state) continue;
      out.push(summary);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    const s = this.sandbox(podSandboxId);
    if (s.state !== 'ready') throw new ConflictError({ resource: 'podsandboxes', name: podSandboxId }, 'the sandbox is not ready');
    validateContainerConfig(config);
    const key = nameKey(s.id, config);
    if (this.host.containerNames.has(key)) throw new AlreadyExistsError({ resource: 'containers', name: `${config.metadata.name} (attempt ${config.metadata.attempt})` });
    const image = this.host.images.find(config.image.image);
    if (!image) throw new NotFoundError({ resource: 'images', name: config.image.image });
    const hostname = s.config.hostname || s.config.metadata.name;
    const env = environment(image.spec.env, config.envs ?? [], { HOSTNAME: hostname });
    const cwd = config.workingDir || image.spec.workingDir || '/';
    if (!cwd.startsWith('/')) throw new BadRequestError(`workingDir ${JSON.stringify(cwd)} must be absolute`);
    const program = recogniseCommand(commandLine(config, image.spec), { env, cwd }, this.recogniseOptions());
    // Reserved before the wait: a concurrent create of the same name sees it.
    this.host.containerNames.add(key);
    try {
      await this.host.wait(this.host.delays.createDelayMs);
    } catch (e) {
      this.host.containerNames.delete(key);
      throw e;
    }
    if (s.state !== 'ready' || !this.host.sandboxes.has(s.id)) {
      this.host.containerNames.delete(key);
      throw new ConflictError({ resource: 'podsandboxes', name: s.id }, 'the sandbox stopped while the container was being created');
    }
    const id = newId();
    this.host.containers.set(id, {
      id,
      sandboxId: s.id,
      config,
      imageRef: image.id,
      createdAt: this.host.clock.now(),
      logPath: path.join(s.config.logDirectory, path.posix.normalize(config.logPath)),
      program,
      env,
      cwd,
      state: 'created',
    });
    s.containerIds.add(id);
    return id;
  }

  private recogniseOptions(): { serviceExitCodeOnTerm?: number } {
    const code = this.host.options.serviceExitCodeOnTerm;
    return code !== undefined ? { serviceExitCodeOnTerm: code } : {};
  }

  async startContainer(id: string): Promise<void> {
    let c = this.container(id);
    if (c.state !== 'created') throw new ConflictError({ resource: 'containers', name: id }, `the container is ${c.state}, not created`);
    await this.host.wait(this.host.delays.startDelayMs);
    // Stopped or removed while starting.
    c = this.container(id);
    if (c.state !== 'created') throw new ConflictError({ resource: 'containers', name: id }, `the container is ${c.state}, not created`);
    const startedAt = this.host.clock.now();
    c.state = 'running';
    c.startedAt = startedAt;
    const { program } = c;
    if (program.output.length > 0 || this.host.options.createEmptyLogFiles) {
      try {
        await writeContainerLog(c.logPath, program.output, new Date(startedAt));
      } catch (e) {
        this.host.markExited(c, 128, this.host.clock.now(), 'StartError', (e as Error).message);
        throw e;
      }
    }
    // The exit becomes visible only after the output is in the log, so a reader who saw it exit finds the output.
    if (c.state === 'running' && program.exitAfterMs !== undefined && !waitsForStdin(c)) {
      c.exitsAt = startedAt + program.exitAfterMs;
      this.host.refresh(c);
    }
  }

  /** Ends the process at once, as SIGKILL does (a created container never runs). */
  private kill(c: SimulatedContainerRecord, now: number): void {
    this.host.refresh(c);
    if (c.state !== 'exited') this.host.markExited(c, killedExitCode, now);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    let c = this.container(id);
    if (c.state === 'exited') return;
    if (this.host.delays.stopDelayMs) {
      await this.host.wait(this.host.delays.stopDelayMs);
      c = this.container(id);
      if (c.state === 'exited') return;
    }
    const now = this.host.clock.now();
    const onTerm = c.program.exitCodeOnTerm;
    if (c.state === 'created' || timeoutSeconds <= 0) return this.kill(c, now);
    if (onTerm !== undefined) return this.host.markExited(c, onTerm, now);
    // SIGTERM is ignored: the process ends by itself within the grace period, or by SIGKILL at its end.
    const graceMs = timeoutSeconds * 1000;
    const waitMs = c.exitsAt !== undefined ? Math.min(graceMs, Math.max(0, c.exitsAt - now)) : graceMs;
    await this.untilExitOr(c.id, waitMs);
    const after = this.host.containers.get(id);
    if (after) this.kill(after, this.host.clock.now());
  }

  /** Waits `ms`, or less if the container's process ends meanwhile (a kill by another caller). */
  private untilExitOr(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let cancelTimer = (): void => undefined;
      const cancelWatch = this.host.onExit(id, () => {
        cancelTimer();
        resolve();
      });
      cancelTimer = this.host.timers.after(ms, () => {
        cancelWatch();
        resolve();
      });
    });
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.host.containers.get(id);
    if (!c) return;
    this.kill(c, this.host.clock.now());
    this.forget(id);
  }

  private forget(id: string): void {
    const c = this.host.containers.get(id);
    if (!c) return;
    this.host.containers.delete(id);
    this.host.containerNames.delete(nameKey(c.sandboxId, c.config));
    this.host.sandboxes.get(c.sandboxId)?.containerIds.delete(id);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const out: Container[] = [];
    const candidates = filter.id ? [this.host.containers.get(filter.id)] : this.host.containers.values();
    for (const c of candidates) {
      if (!c) continue;
      if (filter.podSandboxId && c.sandboxId !== filter.podSandboxId) continue;
      if (!matchesLabels(c.config.labels, filter.labelSelector)) continue;
      this.host.refresh(c);
      const summary = containerSummary(c);
      if (filter.state && summary.state !== filter.state) continue;
      out.push(summary);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.container(id);
    return {
      ...containerSummary(c),
      startedAt: c.startedAt ?? 0,
      finishedAt: c.finishedAt ?? 0,
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? '',
      message: c.message ?? '',
      mounts: (c.config.mounts ?? []).map((m) => ({ ...m })),
      logPath: c.logPath,
    };
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const c = this.container(id);
    const now = this.host.clock.now();
    const running = c.state === 'running';
    const ranMs = c.startedAt !== undefined ? Math.max(0, (c.finishedAt ?? now) - c.startedAt) : 0;
    const { cpuNanoCores, memoryBytes } = this.host.usage;
    const limit = c.config.linux?.resources?.memoryLimitInBytes;
    const memory = running ? Math.min(memoryBytes, limit && limit > 0 ? limit : Infinity) : 0;
    const stats: ContainerStats = {
      id,
      timestamp: now,
      // nanocores x seconds = nanoseconds of CPU time.
      cpuUsageCoreNanoSeconds: Math.round((cpuNanoCores * ranMs) / 1000),
      memoryWorkingSetBytes: memory,
      memoryUsageBytes: memory,
      pids: running ? 1 : 0,
    };
    if (running) stats.cpuUsageNanoCores = cpuNanoCores;
    return stats;
  }

  // ---- exec ----

  private requireRunning(id: string): SimulatedContainerRecord {
    const c = this.container(id);
    if (c.state !== 'running') throw new ConflictError({ resource: 'containers', name: id }, `the container is ${c.state}, not running`);
    return c;
  }

  private execProgram(c: SimulatedContainerRecord, cmd: readonly string[]): SimulatedProgram {
    if (cmd.length === 0) throw new BadRequestError('exec needs a command');
    return recogniseCommand(cmd, { env: c.env, cwd: c.cwd }, this.recogniseOptions());
  }

  async execSync(id: string, cmd: string[], opts: { timeoutSeconds: number; maxOutputBytes?: number }): Promise<ExecSyncResult> {
    const c = this.requireRunning(id);
    const program = this.execProgram(c, cmd);
    // 0 means no deadline in the CRI; a day is as good as none and still ends.
    const timeoutMs = opts.timeoutSeconds > 0 ? opts.timeoutSeconds * 1000 : 24 * 3600 * 1000;
    return simulatedExecSync(program, this.host.timers, { timeoutMs, maxOutputBytes: opts.maxOutputBytes ?? defaultExecOutputBytes }, (kill) => this.host.onExit(id, kill));
  }

  async attach(id: string, req: AttachRequest): Promise<AttachSession> {
    return simulatedAttach(this.host, this.requireRunning(id), req);
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    validateForwardPort(port);
    const s = this.sandbox(podSandboxId);
    if (s.state !== 'ready') throw new ConflictError({ resource: 'podsandboxes', name: podSandboxId }, 'the sandbox is not ready');
    return simulatedPortForward(this.host, s, port);
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    const c = this.requireRunning(id);
    const program = this.execProgram(c, req.cmd);
    let unwatch = (): void => undefined;
    const session = startSimulatedExec(program, req, this.host.timers, () => unwatch());
    // The exec'd process dies with the container.
    unwatch = this.host.onExit(id, () => session.kill());
    return session;
  }

  // ---- start-up reconciliation ----

  /** Nothing outlives its record on a simulated node. */
  async orphans(): Promise<Orphan[]> {
    return [];
  }
}
