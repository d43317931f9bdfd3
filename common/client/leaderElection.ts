// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does.
//
// Every write is fenced by the resourceVersion we read: if two candidates read the same
// Lease and both try to take it, the API server accepts the first update and answers 409
// to the other, so at most one of them believes it leads. Expiry is judged by *our* clock
// from the moment we last saw the record change (not by the renewTime written by another
// machine), so clock skew between candidates does not matter.
//
// Timing (client-go defaults): leaseDuration 15 s — how long others wait before taking an
// unrenewed lease; renewDeadline 10 s — how long the leader keeps retrying a renewal before
// it gives up leading; retryPeriod 2 s — the pause between attempts.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { realClock } from '../clock.js';
import type { Logger } from '../logging.js';
import { silentLogger } from '../logging.js';
import type { KubeObject } from '../api/meta.js';
import { resourceFor } from '../api/resources.js';
import { ApiError, NotFoundError } from '../errors.js';
import { ApiClient } from './apiClient.js';
import type { RestClient } from './restClient.js';

const leases = resourceFor('Lease');

/** A failure's reason for the logs: the API's, or the transport's message. */
function why(e: unknown): Record<string, string> {
  return e instanceof ApiError ? { reason: e.reason, error: e.message } : { error: e instanceof Error ? e.message : String(e) };
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; [k: string]: unknown };
  spec: LeaseSpec;
}

export interface LeaderCallbacks {
  /** We lead from now on. */
  onStartedLeading(): void;
  /** We no longer lead (renewal failed for renewDeadline, or stop()). Stop acting at once. */
  onStoppedLeading(): void;
  /** Someone (possibly us) was observed leading. */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  client: RestClient;
  namespace: string;
  name: string;
  /** Unique per candidate; default hostname + random suffix. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** On stop(), clear the holder so another candidate need not wait out the lease. Default true. */
  releaseOnStop?: boolean;
  callbacks: LeaderCallbacks;
  /** Injected in tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/** client-go's JitterFactor: retries wait retryPeriod × [1, 1.2). */
const jitterFactor = 1.2;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Requests time out at the renew deadline: a leader must not wait past it on one answer. */
  private readonly api: ApiClient;
  /** The last record we saw, and when (by our clock) we first saw it in that form. */
  private observed: LeaseSpec | undefined;
  private observedRaw = '';
  private observedTime = 0;
  /** When we last wrote the lease as its holder. */
  private lastRenewal = 0;
  private leading = false;
  private stopped = false;
  private reportedLeader = '';
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.identity = cfg.identity ?? defaultIdentity();
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= jitterFactor * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod × 1.2');
    if (!this.identity) throw new Error('leader election needs a non-empty identity');
    this.clock = cfg.clock ?? realClock;
    this.logger = (cfg.logger ?? silentLogger()).child({ lease: `${cfg.namespace}/${cfg.name}`, identity: this.identity });
    this.api = new ApiClient({ client: cfg.client, qps: 0, timeoutMs: this.renewDeadlineMs });
  }

  /** True while we hold the lease and our last renewal is recent enough to still be ours. */
  isLeader(): boolean {
    return this.leading && this.clock.now() - this.lastRenewal < this.renewDeadlineMs;
  }

  /** The holder we last observed ('' if none). */
  getLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  /**
   * One attempt, as client-go's tryAcquireOrRenew: read the lease; create it if missing;
   * take it if it is free, ours, or expired; write with the resourceVersion read. Returns
   * whether we hold the lease afterwards. Never throws for API failures.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const desired: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let current: Lease;
    try {
      current = (await this.api.get(leases, this.cfg.namespace, this.cfg.name)) as unknown as Lease;
    } catch (e) {
      if (!(e instanceof NotFoundError)) {
        this.logger.debug('lease read failed', why(e));
        return false;
      }
      try {
        const created = (await this.api.create(leases, this.cfg.namespace, this.leaseObject(desired) as unknown as KubeObject)) as unknown as Lease;
        this.observe(created.spec, now);
        this.lastRenewal = now;
        return true;
      } catch (e2) {
        // AlreadyExists: another candidate created it first; it won this round.
        this.logger.debug('lease create lost', why(e2));
        return false;
      }
    }
    const old = current.spec ?? {};
    this.observe(old, now);
    const heldByOther = !!old.holderIdentity && old.holderIdentity !== this.identity;
    if (heldByOther && this.observedTime + this.leaseDurationMs > now) return false;

    if (old.holderIdentity === this.identity) {
      desired.acquireTime = old.acquireTime ?? desired.acquireTime;
      desired.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      const body = this.leaseObject(desired, current.metadata.resourceVersion);
      const updated = (await this.api.update(leases, body as unknown as KubeObject)) as unknown as Lease;
      this.observe(updated.spec, now);
      this.lastRenewal = now;
      return true;
    } catch (e) {
      // ConflictError: someone wrote the lease after we read it; they won this round.
      this.logger.debug('lease update lost', why(e));
      return false;
    }
  }

  private leaseObject(spec: LeaseSpec, resourceVersion?: string): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.cfg.name, namespace: this.cfg.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec,
    };
  }

  private observe(spec: LeaseSpec, now: number): void {
    const raw = JSON.stringify(spec);
    if (raw !== this.observedRaw) {
      this.observedRaw = raw;
      this.observed = spec;
      this.observedTime = now;
    }
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.logger.info('new leader observed', { leader: holder });
      this.cfg.callbacks.onNewLeader?.(holder);
    }
  }

  /**
   * Campaigns until we lead, then renews until renewal fails for renewDeadline or stop()
   * is called. Resolves when we have stopped leading (or were stopped before leading).
   */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && !(await this.tryAcquireOrRenew())) await this.pause(this.jittered());
    if (this.stopped) return;
    this.leading = true;
    this.logger.info('became leader');
    this.cfg.callbacks.onStartedLeading();
    while (!this.stopped) {
      await this.pause(this.retryPeriodMs);
      if (this.stopped) break;
      // Keep trying until the renew deadline (counted from the last success) has passed.
      let renewed = false;
      while (!this.stopped && this.clock.now() - this.lastRenewal < this.renewDeadlineMs) {
        if (await this.tryAcquireOrRenew()) {
          renewed = true;
          break;
        }
        if (this.observed?.holderIdentity && this.observed.holderIdentity !== this.identity) break;
        await this.pause(this.retryPeriodMs);
      }
      if (!renewed && !this.stopped) {
        this.logger.warn('failed to renew the lease; no longer leading');
        break;
      }
    }
    this.leading = false;
    if (this.stopped && this.cfg.releaseOnStop !== false) await this.release();
    this.cfg.callbacks.onStoppedLeading();
  }

  private jittered(): number {
    return this.retryPeriodMs * (1 + Math.random() * (jitterFactor - 1));
  }

  private pause(ms: number): Promise<void> {
    if (this.cfg.sleep) return this.cfg.sleep(ms);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Gives the lease up (if we hold it) so another candidate can take over at once. */
  async release(): Promise<void> {
    try {
      const current = (await this.api.get(leases, this.cfg.namespace, this.cfg.name)) as unknown as Lease;
      if (current.spec?.holderIdentity !== this.identity) return;
      const now = this.clock.now();
      const spec: LeaseSpec = { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) };
      await this.api.update(leases, this.leaseObject(spec, current.metadata.resourceVersion) as unknown as KubeObject);
      this.logger.info('released the lease');
    } catch (e) {
      this.logger.debug('lease release failed', why(e));
    }
  }

  /** Stops campaigning or leading; releases the lease when configured. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.running) await this.running;
  }
}
