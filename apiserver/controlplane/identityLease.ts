// Each API server process announces itself as kube-apiserver does (its APIServerIdentity
// feature): a Lease in kube-system labelled `apiserver.kubernetes.io/identity=kube-apiserver`,
// renewed every 10 s, so `kubectl get leases -n kube-system -l apiserver.kubernetes.io/identity`
// lists the instances serving the cluster (one per `--workers` worker, one per host).
// A Lease not renewed for its duration is deleted by whichever instance notices first.
//
// The name is stable per host, port and worker slot, so a restarted worker takes its own Lease
// over (a new holderIdentity) instead of leaving one more behind.

import { createHash, randomUUID } from 'node:crypto';
import type { KubeObject } from '../../common/api/meta.js';
import { realClock, type TimerClock } from '../../common/clock.js';
import { microTime } from '../../common/client/leaderElection.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { PeriodicPass } from '../../common/periodic.js';
import type { ResourceStore } from '../registry/resourceStore.js';

export const identityLabel = 'apiserver.kubernetes.io/identity';
const hostnameLabel = 'kubernetes.io/hostname';
const namespace = 'kube-system';
const fieldManager = 'kube-apiserver';

export type LeaseStore = Pick<ResourceStore, 'get' | 'create' | 'guaranteedUpdate' | 'delete' | 'list'>;

export interface IdentityLeaseOptions {
  leases: LeaseStore;
  hostname: string;
  port: number;
  /** The worker slot under `--workers`; undefined for a single-process API server. */
  slot?: number;
  logger: Logger;
  clock?: TimerClock;
  /** Kubernetes' values: renew every 10 s, expire after an hour. */
  renewIntervalMs?: number;
  leaseDurationSeconds?: number;
}

/** `apiserver-<hash of host and port>[-w<slot>]`: a valid DNS-1123 subdomain however the host is named. */
export function identityLeaseName(hostname: string, port: number, slot?: number): string {
  const hash = createHash('sha256').update(`${hostname}:${port}`).digest('hex').slice(0, 16);
  return `apiserver-${hash}${slot === undefined ? '' : `-w${slot}`}`;
}

export class IdentityLease {
  readonly name: string;
  readonly holderIdentity: string;
  private readonly clock: TimerClock;
  private readonly periodic: PeriodicPass;

  constructor(private readonly opts: IdentityLeaseOptions) {
    this.clock = opts.clock ?? realClock;
    this.name = identityLeaseName(opts.hostname, opts.port, opts.slot);
    this.holderIdentity = `${this.name}_${randomUUID()}`;
    this.periodic = new PeriodicPass(this.clock, opts.renewIntervalMs ?? 10_000, () =>
      this.runOnce().catch((e: unknown) => this.opts.logger.warn('cannot renew the API server identity lease', { lease: this.name, error: e instanceof Error ? e.message : String(e) })),
    );
  }

  /** Renews now and then every interval until stop(); failures are logged and retried next time. */
  start(): void {
    this.periodic.start();
  }

  /** Stops renewing and deletes the Lease if this process still holds it. */
  async stop(): Promise<void> {
    await this.periodic.stop();
    try {
      const current = await this.opts.leases.get(namespace, this.name);
      if ((current.spec as { holderIdentity?: unknown } | undefined)?.holderIdentity !== this.holderIdentity) return;
      await this.opts.leases.delete(namespace, this.name, { preconditions: { uid: current.metadata.uid } });
    } catch (e) {
      if (!(e instanceof NotFoundError)) this.opts.logger.warn('cannot delete the API server identity lease', { lease: this.name, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** One renewal, then the removal of other instances' expired Leases. */
  async runOnce(): Promise<void> {
    await this.renew();
    await this.collectExpired();
  }

  private spec(): Record<string, unknown> {
    return { holderIdentity: this.holderIdentity, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 3_600, renewTime: microTime(this.clock.now()) };
  }

  private async renew(): Promise<void> {
    try {
      await this.opts.leases.guaranteedUpdate(namespace, this.name, (current) => ({ ...current, spec: { ...(current.spec as object), ...this.spec() } }), { fieldManager });
      return;
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace, labels: { [identityLabel]: 'kube-apiserver', [hostnameLabel]: this.opts.hostname } },
      spec: { ...this.spec(), acquireTime: microTime(this.clock.now()) },
    };
    await this.opts.leases.create(namespace, lease, { fieldManager }).catch((e: unknown) => {
      // Made meanwhile (a previous worker of this slot): the next renewal takes it over.
      if (!(e instanceof AlreadyExistsError)) throw e;
    });
  }

  private async collectExpired(): Promise<void> {
    const { items } = await this.opts.leases.list(namespace, { labelSelector: `${identityLabel}=kube-apiserver`, resourceVersion: '0' });
    const now = this.clock.now();
    for (const lease of items) {
      const name = lease.metadata.name;
      if (!name || name === this.name || !isExpired(lease, now)) continue;
      await this.opts.leases.delete(namespace, name, { preconditions: { uid: lease.metadata.uid, resourceVersion: lease.metadata.resourceVersion } }).then(
        () => this.opts.logger.info('deleted an expired API server identity lease', { lease: name }),
        (e: unknown) => {
          // Renewed or deleted meanwhile: it is no longer ours to judge.
          if (!(e instanceof NotFoundError) && !(e instanceof ConflictError)) throw e;
        },
      );
    }
  }
}

function isExpired(lease: KubeObject, nowMs: number): boolean {
  const spec = (lease.spec ?? {}) as { renewTime?: unknown; leaseDurationSeconds?: unknown };
  const renewed = typeof spec.renewTime === 'string' ? Date.parse(spec.renewTime) : NaN;
  const duration = typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : NaN;
  if (Number.isNaN(renewed) || Number.isNaN(duration)) return false;
  return renewed + duration * 1000 < nowMs;
}
