// Joining and staying joined: registers the Node (or adopts an existing one of this name),
// renews its Lease in kube-node-lease every quarter of the lease duration (the liveness
// signal the node controller watches), and writes the Node's status when a condition
// changes or, otherwise, every report period, like the kubelet's two-speed heartbeat.

import type { RestClient } from '../../common/client/restClient.js';
import { microTime } from '../../common/client/leaderElection.js';
import { Backoff, type BackoffPolicy } from '../../common/backoff.js';
import { sleep, type TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import type { HostInfo } from './hostInfo.js';
import { conditionsChanged, nodeAnnotations, nodeConditions, nodeObject, nodeStatus, type NodeCondition, type NodeHealth, type NodeIdentity } from './nodeObject.js';

export interface NodeLifecycleOptions {
  client: RestClient;
  identity: NodeIdentity;
  host: HostInfo;
  leaseDurationSeconds: number;
  statusReportSeconds: number;
  /** Checked before every status write. */
  health: () => Promise<NodeHealth>;
  diskBytes: () => Promise<bigint>;
  clock: TimerClock;
  logger: Logger;
  /** Retries of the first registration; default 0.5 s doubling to 10 s. */
  registerRetry?: BackoffPolicy;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string; ownerReferences?: unknown[] };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string };
}

export class NodeLifecycle {
  private conditions: NodeCondition[] = [];
  private lastReport = 0;
  private lease: Lease | undefined;
  private nodeUid = '';
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private readonly stopSignal = new AbortController();
  private statusRunning = false;

  constructor(private readonly o: NodeLifecycleOptions) {}

  private get name(): string {
    return this.o.identity.nodeName;
  }

  /** Creates or adopts the Node, writes its first status and lease. Retries until it succeeds or stop(). */
  async register(): Promise<void> {
    const backoff = new Backoff(this.o.registerRetry ?? { initialMs: 500, maxMs: 10_000 });
    while (!this.stopped) {
      try {
        await this.ensureNode();
        await this.reportStatus(true);
        await this.renewLease();
        return;
      } catch (e) {
        if (this.stopped) return;
        const delay = backoff.next();
        this.o.logger.warn('registering the node failed; retrying', { node: this.name, error: (e as Error).message, retryInMs: delay });
        // stop() ends the wait at once.
        await sleep(this.o.clock, delay, this.stopSignal.signal);
      }
    }
  }

  start(): void {
    if (this.stopped) return;
    const renewMs = (this.o.leaseDurationSeconds * 1000) / 4;
    void this.renewLoop(renewMs);
    // Conditions are checked often (a runtime going down shows within seconds); written only on change or every report period.
    this.timers.push(setInterval(() => void this.reportStatus(false).catch((e: unknown) => this.o.logger.warn('node status update failed', { error: (e as Error).message })), Math.min(renewMs, 10_000)));
  }

  /**
   * Renews the Lease every `renewMs`; a failed renewal is retried soon (200 ms doubling, never
   * later than the next regular renewal), as the kubelet does: one failure, such as the API
   * server restarting, must not cost a whole period and let the lease expire.
   */
  private async renewLoop(renewMs: number): Promise<void> {
    const retry = new Backoff({ initialMs: 200, maxMs: Math.max(200, Math.min(7_000, renewMs)) });
    await sleep(this.o.clock, renewMs, this.stopSignal.signal);
    while (!this.stopped) {
      try {
        await this.renewLease();
        retry.reset();
        await sleep(this.o.clock, renewMs, this.stopSignal.signal);
      } catch (e) {
        if (this.stopped) return;
        const delay = retry.next();
        this.o.logger.warn('lease renewal failed; retrying', { error: (e as Error).message, retryInMs: delay });
        await sleep(this.o.clock, delay, this.stopSignal.signal);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.stopSignal.abort();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  private async ensureNode(): Promise<void> {
    const path = `/api/v1/nodes/${this.name}`;
    const got = await this.o.client.get<{ metadata: { uid: string; labels?: Record<string, string> }; status?: { conditions?: NodeCondition[] } }>(path);
    if (got.status === 200) {
      this.nodeUid = got.body.metadata.uid;
      this.conditions = got.body.status?.conditions ?? [];
      // An existing Node of this name (an agent restart, or a re-join): take it over, refreshing our labels and annotations.
      const labels = (nodeObject(this.o.identity, this.o.host).metadata as { labels: Record<string, string> }).labels;
      const annotations = nodeAnnotations(this.o.identity);
      const metadata = Object.keys(annotations).length ? { labels, annotations } : { labels };
      const r = await this.o.client.request('PATCH', path, { body: { metadata }, contentType: 'application/merge-patch+json' });
      if (r.status !== 200) throw new Error(`patching node labels: HTTP ${r.status} ${r.text}`);
      this.o.logger.info('adopted existing node', { node: this.name });
      return;
    }
    if (got.status !== 404) throw new Error(`reading node: HTTP ${got.status} ${got.text}`);
    const created = await this.o.client.request<{ metadata: { uid: string } }>('POST', '/api/v1/nodes', { body: nodeObject(this.o.identity, this.o.host) });
    if (created.status === 409) return this.ensureNode();
    if (created.status !== 201) throw new Error(`registering node: HTTP ${created.status} ${created.text}`);
    this.nodeUid = created.body.metadata.uid;
    this.o.logger.info('registered node', { node: this.name });
  }

  private async reportStatus(force: boolean): Promise<void> {
    if (this.statusRunning) return;
    this.statusRunning = true;
    try {
      // Compare with what the API server holds, not with what we last wrote: the node
      // controller sets Ready=Unknown while we are cut off, and a returning agent must say
      // Ready again at once, not a report period later (the kubelet reads its Node before
      // every status update too). resourceVersion=0: served from the watch cache.
      const stored = await this.o.client.get<{ status?: { conditions?: NodeCondition[] } }>(`/api/v1/nodes/${this.name}?resourceVersion=0`);
      if (stored.status === 200 && stored.body.status?.conditions) this.conditions = stored.body.status.conditions;
      const now = this.o.clock.now();
      const next = nodeConditions(await this.o.health(), this.conditions, now);
      const due = now - this.lastReport >= this.o.statusReportSeconds * 1000;
      if (!force && !due && !conditionsChanged(next, this.conditions)) return;
      const status = nodeStatus(this.o.identity, this.o.host, await this.o.diskBytes(), next);
      const r = await this.o.client.request('PATCH', `/api/v1/nodes/${this.name}/status`, { body: { status }, contentType: 'application/merge-patch+json' });
      if (r.status === 404) {
        // Someone deleted our Node: register again, as the kubelet does.
        this.o.logger.warn('node object is gone; registering again', { node: this.name });
        await this.ensureNode();
        return;
      }
      if (r.status !== 200) throw new Error(`HTTP ${r.status} ${r.text}`);
      if (conditionsChanged(next, this.conditions)) this.o.logger.info('node conditions changed', { conditions: next.map((c) => `${c.type}=${c.status}`).join(',') });
      this.conditions = next;
      this.lastReport = now;
    } finally {
      this.statusRunning = false;
    }
  }

  private leaseBody(): Lease {
    const now = microTime(this.o.clock.now());
    return {
      metadata: {
        name: this.name,
        namespace: 'kube-node-lease',
        ...(this.lease?.metadata.resourceVersion ? { resourceVersion: this.lease.metadata.resourceVersion } : {}),
        ...(this.nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: this.nodeUid }] } : {}),
      },
      spec: { holderIdentity: this.name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime: now, acquireTime: this.lease?.spec.acquireTime ?? now },
    };
  }

  private async renewLease(): Promise<void> {
    const base = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    if (!this.lease) {
      const got = await this.o.client.get<Lease>(`${base}/${this.name}`);
      if (got.status === 200) this.lease = got.body;
      else if (got.status !== 404) throw new Error(`reading lease: HTTP ${got.status}`);
    }
    const body = this.leaseBody();
    const r = this.lease
      ? await this.o.client.request<Lease>('PUT', `${base}/${this.name}`, { body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...body } })
      : await this.o.client.request<Lease>('POST', base, { body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...body } });
    if (r.status === 200 || r.status === 201) {
      this.lease = r.body;
      return;
    }
    // A conflict or a vanished lease: read it again next time.
    this.lease = undefined;
    throw new Error(`renewing lease: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  }
}
