// A simulated node: the state a container runtime keeps on a machine (sandboxes,
// containers, images, pod addresses), held in memory. Runtime and image service
// instances are views of one host; a new instance over the same host is the runtime
// after a node agent restart, and sees whatever happened meanwhile, including
// containers that exited while no one was looking.
//
// One process may hold thousands of hosts (hollow nodes), so a host costs a few maps,
// an idle container a record and no timer, and a container that prints nothing no file.

import { realClock, type Clock } from '../../common/clock.js';
import type { ImageConfigSummary } from '../cri/types.js';
import { SimulatedAddressPool } from './addressPool.js';
import { SimulatedImageStore } from './imageStore.js';
import type { SimulatedContainerRecord, SimulatedSandboxRecord } from './records.js';
import { realSimulatedTimers, type SimulatedTimers } from './time.js';

/** How long operations take (0 or absent: they complete without waiting, and without a timer). */
export interface SimulatedDelays {
  pullDelayMs?: number;
  runPodSandboxDelayMs?: number;
  createDelayMs?: number;
  startDelayMs?: number;
  /** Added to stopContainer of a container that has not exited, before the signal. */
  stopDelayMs?: number;
}

export interface SimulatedResourceUsage {
  /** CPU a running container uses, in nanocores (default 1e6: one millicore). */
  cpuNanoCores: number;
  /** Memory a running container uses (default 2 MiB; at most its memory limit). */
  memoryBytes: number;
}

export interface SimulatedHostOptions {
  /** Where pod addresses come from (default 10.88.0.0/16). */
  podSubnet?: string;
  delays?: SimulatedDelays;
  clock?: Clock;
  timers?: SimulatedTimers;
  /** References that pull with NotFound, as a registry's 404 (a name alone: every tag). */
  missingImages?: Iterable<string>;
  /** Images present from the start. */
  preloadedImages?: Iterable<string>;
  /** Image configs by reference; default a busybox-like config whose command (`sh`) runs as a service. */
  imageConfigs?: Record<string, Partial<ImageConfigSummary>>;
  /**
   * Exit code on SIGTERM of commands outside the emulated vocabulary. Default: they ignore
   * SIGTERM like `sleep` and are killed at the end of the grace period (137). Benchmarks
   * that delete many pods may prefer 143, a service that shuts down when asked.
   */
  serviceExitCodeOnTerm?: number;
  /** Give every started container a log file, empty when it prints nothing (default: only containers that print). */
  createEmptyLogFiles?: boolean;
  usage?: Partial<SimulatedResourceUsage>;
  /** Reported by imageFsInfo (default /var/lib/gantry-simulated/images; nothing is written there). */
  imageFsMountpoint?: string;
  runtimeVersion?: string;
}

export class SimulatedHost {
  readonly clock: Clock;
  readonly timers: SimulatedTimers;
  readonly delays: Readonly<SimulatedDelays>;
  readonly usage: Readonly<SimulatedResourceUsage>;
  readonly options: Readonly<SimulatedHostOptions>;
  readonly addresses: SimulatedAddressPool;
  readonly images: SimulatedImageStore;
  readonly sandboxes = new Map<string, SimulatedSandboxRecord>();
  readonly containers = new Map<string, SimulatedContainerRecord>();
  /** `sandbox/name/attempt` of every container and of creates in flight, for the uniqueness check. */
  readonly containerNames = new Set<string>();
  /** Calls waiting for a container's exit (stops in their grace period, execs in it); empty when idle. */
  private readonly exitWatchers = new Map<string, Set<() => void>>();

  constructor(options: SimulatedHostOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? realClock;
    this.timers = options.timers ?? realSimulatedTimers;
    this.delays = { ...options.delays };
    this.usage = { cpuNanoCores: 1e6, memoryBytes: 2 * 1024 * 1024, ...options.usage };
    this.addresses = new SimulatedAddressPool(options.podSubnet ?? '10.88.0.0/16');
    const imageOpts: ConstructorParameters<typeof SimulatedImageStore>[0] = {};
    if (options.missingImages) imageOpts.missingImages = options.missingImages;
    if (options.preloadedImages) imageOpts.preloadedImages = options.preloadedImages;
    if (options.imageConfigs) imageOpts.imageConfigs = options.imageConfigs;
    this.images = new SimulatedImageStore(imageOpts, this.clock.now());
  }

  /** Resolves after `ms` on the host's timers; at once, with no timer, when `ms` is not positive. */
  wait(ms: number | undefined): Promise<void> {
    if (!ms || ms <= 0) return Promise.resolve();
    return new Promise((r) => this.timers.after(ms, r));
  }

  /** Brings a container's state up to date: a process due to exit has exited. */
  refresh(c: SimulatedContainerRecord): SimulatedContainerRecord {
    if (c.state === 'running' && c.exitsAt !== undefined && this.clock.now() >= c.exitsAt) {
      this.markExited(c, c.program.exitCode, c.exitsAt);
    }
    return c;
  }

  /** Records the end of a container's process and wakes whoever waits for it. */
  markExited(c: SimulatedContainerRecord, exitCode: number, at: number, reason?: string, message?: string): void {
    if (c.state === 'exited') return;
    c.state = 'exited';
    c.exitCode = exitCode;
    c.finishedAt = at;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    if (message) c.message = message;
    delete c.exitsAt;
    const watchers = this.exitWatchers.get(c.id);
    this.exitWatchers.delete(c.id);
    for (const w of watchers ?? []) w();
  }

  /** Calls `fn` once when the container's process ends (by stop, kill or simulateExit); returns a function that cancels it. */
  onExit(id: string, fn: () => void): () => void {
    let set = this.exitWatchers.get(id);
    if (!set) this.exitWatchers.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      const s = this.exitWatchers.get(id);
      s?.delete(fn);
      if (s?.size === 0) this.exitWatchers.delete(id);
    };
  }

  /** Watchers registered (for tests: zero when nothing is in flight). */
  get pendingWatchers(): number {
    let n = 0;
    for (const s of this.exitWatchers.values()) n += s.size;
    return n;
  }

  /**
   * Ends a running container's process from outside the runtime, as a crash or the
   * kernel's OOM killer would (e.g. `simulateExit(id, 137, 'OOMKilled')`).
   */
  simulateExit(containerId: string, exitCode: number, reason?: string, message?: string): void {
    const c = this.containers.get(containerId);
    if (!c) return;
    this.refresh(c);
    if (c.state === 'running') this.markExited(c, exitCode, this.clock.now(), reason, message);
  }
}
