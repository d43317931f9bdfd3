// Probe workers, one per running container and probe type, as the kubelet's prober runs them:
// after initialDelaySeconds, every periodSeconds, each attempt bounded by timeoutSeconds; a
// result flips after failureThreshold consecutive failures or successThreshold successes.
// Liveness and readiness wait until the startup probe (if any) has succeeded; the startup
// probe stops once it has. A flipped result asks for a sync of the pod.

import type { Logger } from '../../../common/logging.js';
import type { RuntimeService } from '../../cri/services.js';
import { runHandler, type HandlerSpec, type HandlerTarget } from './handlers.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

export interface ProbeSpec extends HandlerSpec {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ProbedContainer {
  containerId: string;
  name: string;
  startedAtMs: number;
  probes: Partial<Record<ProbeType, ProbeSpec>>;
  target: HandlerTarget;
}

interface Worker {
  podUid: string;
  container: ProbedContainer;
  type: ProbeType;
  spec: ProbeSpec;
  timer?: NodeJS.Timeout;
  result: boolean;
  successes: number;
  failures: number;
  lastMessage: string;
  stopped: boolean;
}

export interface ProbeOutcome {
  result: boolean;
  /** The container must be restarted: liveness failed, or startup failed failureThreshold times. */
  failed: boolean;
  message: string;
}

const initialResult: Record<ProbeType, boolean> = { liveness: true, readiness: false, startup: false };

export class ProbeManager {
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly runtime: RuntimeService,
    private readonly onChange: (podUid: string, container: string, type: ProbeType, outcome: ProbeOutcome) => void,
    private readonly logger: Logger,
  ) {}

  private key(containerId: string, type: ProbeType): string {
    return `${containerId}/${type}`;
  }

  /** Makes the pod's workers exactly those of `running` (containers not listed lose theirs). */
  syncPod(podUid: string, running: ProbedContainer[]): void {
    const wanted = new Set<string>();
    for (const c of running) {
      for (const type of ['startup', 'liveness', 'readiness'] as const) {
        const spec = c.probes[type];
        if (!spec) continue;
        const key = this.key(c.containerId, type);
        wanted.add(key);
        if (!this.workers.has(key)) this.startWorker(key, podUid, c, type, spec);
      }
    }
    for (const [key, w] of this.workers) {
      if (w.podUid === podUid && !wanted.has(key)) this.stopWorker(key);
    }
  }

  forgetPod(podUid: string): void {
    for (const [key, w] of this.workers) if (w.podUid === podUid) this.stopWorker(key);
  }

  stopAll(): void {
    for (const key of [...this.workers.keys()]) this.stopWorker(key);
  }

  /** The current result: undefined when the container has no such probe. */
  result(containerId: string, type: ProbeType): ProbeOutcome | undefined {
    const w = this.workers.get(this.key(containerId, type));
    return w ? this.outcome(w) : undefined;
  }

  private outcome(w: Worker): ProbeOutcome {
    const failed = w.type === 'readiness' ? false : w.type === 'liveness' ? !w.result : !w.result && w.failures >= Math.max(1, w.spec.failureThreshold ?? 3);
    return { result: w.result, failed, message: w.lastMessage };
  }

  private stopWorker(key: string): void {
    const w = this.workers.get(key);
    if (!w) return;
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    this.workers.delete(key);
  }

  private startWorker(key: string, podUid: string, container: ProbedContainer, type: ProbeType, spec: ProbeSpec): void {
    const w: Worker = { podUid, container, type, spec, result: initialResult[type], successes: 0, failures: 0, lastMessage: '', stopped: false };
    this.workers.set(key, w);
    const firstAt = container.startedAtMs + (spec.initialDelaySeconds ?? 0) * 1000;
    this.schedule(w, Math.max(0, firstAt - Date.now()));
  }

  private schedule(w: Worker, delayMs: number): void {
    if (w.stopped) return;
    w.timer = setTimeout(() => void this.tick(w), delayMs);
  }

  private startupDone(containerId: string): boolean {
    const s = this.workers.get(this.key(containerId, 'startup'));
    return !s || s.result;
  }

  private async tick(w: Worker): Promise<void> {
    const periodMs = Math.max(1, w.spec.periodSeconds ?? 10) * 1000;
    if (w.type !== 'startup' && !this.startupDone(w.container.containerId)) {
      this.schedule(w, periodMs);
      return;
    }
    const outcome = await runHandler(this.runtime, w.spec, w.container.target, w.spec.timeoutSeconds ?? 1);
    if (w.stopped) return;
    w.lastMessage = outcome.message;
    const before = w.result;
    if (outcome.ok) {
      w.failures = 0;
      w.successes++;
      // Liveness and startup need exactly one success (Kubernetes forces successThreshold 1 for them).
      const needed = w.type === 'readiness' ? Math.max(1, w.spec.successThreshold ?? 1) : 1;
      if (w.successes >= needed) w.result = true;
    } else {
      w.successes = 0;
      w.failures++;
      if (w.failures >= Math.max(1, w.spec.failureThreshold ?? 3)) w.result = false;
    }
    if (w.result !== before || (!outcome.ok && w.failures === Math.max(1, w.spec.failureThreshold ?? 3))) {
      this.logger.info('probe result changed', { pod: w.podUid, container: w.container.name, probe: w.type, result: w.result, message: outcome.message });
      this.onChange(w.podUid, w.container.name, w.type, this.outcome(w));
    }
    // A startup probe that succeeded has done its job; a failed liveness or startup probe waits for the restart.
    if (w.type === 'startup' && w.result) return;
    if (this.outcome(w).failed) return;
    this.schedule(w, periodMs);
  }
}
