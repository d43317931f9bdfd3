// Draining a terminating pod out of the Services before its containers get SIGTERM. When a
// pod is deleted, the EndpointSlice controller marks its endpoint not ready and every host's
// proxy drops it from its rules; a pod stopped before that happens refuses connections that
// the rules still send it. Kubernetes leaves this race to the user (a preStop `sleep`); the
// agent instead waits until its own proxy has applied rules without the pod's address, plus
// a margin for the proxies of the other hosts (they watch the same events), all within the
// pod's grace period. Pods no Service sends traffic to do not wait.

import type { TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';

/** What a drain needs of the service proxy (nodeagent/proxy/serviceProxy.ts provides it). */
export interface EndpointTracker {
  /** Whether Services send (or just sent) traffic to `ip`. */
  isServingEndpoint(ip: string): boolean;
  /** Resolves once this host's rules send no new connection to `ip`. */
  whenEndpointRemoved(ip: string): Promise<void>;
}

export type DrainOutcome = 'not-an-endpoint' | 'drained' | 'timed-out';

export interface EndpointDrain {
  /**
   * Waits until new Service connections no longer reach `ip`, but never past `deadlineMs`
   * (clock time). Never rejects.
   */
  drain(ip: string, deadlineMs: number): Promise<DrainOutcome>;
}

/** No proxy on this node (--proxy-mode none), hollow nodes and tests: nothing to wait for. */
export const noEndpointDrain: EndpointDrain = { drain: () => Promise.resolve('not-an-endpoint') };

export interface ProxyEndpointDrainOptions {
  tracker: EndpointTracker;
  /** Time given to the other hosts' proxies after this host's rules dropped the address. Default 1 s. */
  marginMs?: number;
  clock: TimerClock;
  logger: Logger;
}

export class ProxyEndpointDrain implements EndpointDrain {
  private readonly marginMs: number;

  constructor(private readonly o: ProxyEndpointDrainOptions) {
    this.marginMs = o.marginMs ?? 1000;
  }

  async drain(ip: string, deadlineMs: number): Promise<DrainOutcome> {
    if (!ip || !this.o.tracker.isServingEndpoint(ip)) return 'not-an-endpoint';
    const started = this.o.clock.now();
    let timer: { cancel(): void } | undefined;
    const deadline = new Promise<'timed-out'>((resolve) => (timer = this.o.clock.setTimer(() => resolve('timed-out'), deadlineMs - started)));
    try {
      const removed = await Promise.race([
        this.o.tracker.whenEndpointRemoved(ip).then(
          () => 'removed' as const,
          () => 'removed' as const,
        ),
        deadline,
      ]);
      if (removed === 'timed-out') {
        this.o.logger.warn('endpoint still in the service rules at the end of its drain time; stopping the pod anyway', { ip, waitedMs: this.o.clock.now() - started });
        return 'timed-out';
      }
      const rest = Math.min(this.marginMs, deadlineMs - this.o.clock.now());
      if (rest > 0) await new Promise<void>((resolve) => this.o.clock.setTimer(resolve, rest));
      this.o.logger.debug('endpoint drained', { ip, waitedMs: this.o.clock.now() - started });
      return 'drained';
    } finally {
      timer?.cancel();
    }
  }
}
