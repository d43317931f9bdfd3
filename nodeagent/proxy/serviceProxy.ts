// The service proxy of one host, like kube-proxy in iptables mode: shared informers of
// Services and EndpointSlices feed a sync loop that turns the whole cache into rules
// (model.ts -> rules.ts) and applies the difference from what it last applied in one
// iptables-restore. Changes are coalesced: a burst of events within minSyncIntervalMs makes
// one sync, and a sync that would write nothing runs nothing. A failed sync is retried with
// back-off as a full sync (the host's state is then unknown). The agent's termination path
// asks it when a terminating pod's address has left the rules (whenEndpointRemoved), so the
// pod gets SIGTERM only after this host stopped sending it new connections.

import { performance } from 'node:perf_hooks';
import { Backoff } from '../../common/backoff.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import { realClock, type Timer, type TimerClock } from '../../common/clock.js';
import type { Logger } from '../../common/logging.js';
import { cleanupProxyRules, deleteUdpConntrack, enableLocalhostNodePorts, hostRunner, readHostState, restore, type CommandRunner } from './iptables.js';
import { buildServiceModel, parsePortRange, type PortRange, type ServicePortModel } from './model.js';
import { driftedChains, jumpKey, jumps, planRestore, renderRules, type RuleSet } from './rules.js';
import { serviceNameLabel, type EndpointSliceWire, type ServiceWire } from '../../common/api/serviceWire.js';

export interface ServiceProxyOptions {
  client: RestClient;
  /** Every pod address of the cluster: ClusterIP traffic from outside it is masqueraded. */
  clusterCidr: string;
  /** Node ports outside this range are not opened (the API server's --service-node-port-range). */
  nodePortRange?: string;
  /**
   * A Services informer over `/api/v1/services` that the caller shares with others (the
   * node agent's service env vars) and starts and stops itself; default: the proxy's own.
   */
  services?: Informer<ServiceWire>;
  /** Where the rules go; default: this process's network namespace. */
  runner?: CommandRunner;
  /** Least time between the starts of two syncs; changes within it are applied together. Default 100 ms. */
  minSyncIntervalMs?: number;
  /** How often the host is checked for our chains and jumps (someone may have flushed them). Default 60 s; 0: never. */
  checkIntervalMs?: number;
  clock?: TimerClock;
  logger: Logger;
}

/** What one sync did, for logs, tests and benchmarks. */
export interface SyncReport {
  full: boolean;
  /** Chains written and deleted (0 and 0: nothing changed, no iptables-restore ran). */
  written: number;
  deleted: number;
  servicePorts: number;
  endpoints: number;
  durationMs: number;
  /** When the rules took effect (clock time). */
  at: number;
}

interface Waiter {
  ip: string;
  resolve: () => void;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const portKey = (sp: Pick<ServicePortModel, 'name' | 'protocol'>): string => `${sp.name}/${sp.protocol}`;

export class ServiceProxy {
  readonly stats = { syncs: 0, fullSyncs: 0, noopSyncs: 0, failures: 0 };
  lastReport: SyncReport | undefined;
  private readonly services: Informer<ServiceWire>;
  /** Whether the proxy made (and so starts and stops) the Services informer. */
  private readonly ownsServices: boolean;
  /** A shared informer outlives the proxy: its handler goes at stop(). */
  private readonly removeServicesHandler: () => void;
  private readonly slices: Informer<EndpointSliceWire>;
  private readonly runner: CommandRunner;
  private readonly clock: TimerClock;
  private readonly logger: Logger;
  private readonly minIntervalMs: number;
  private readonly nodePorts: PortRange;
  private readonly backoff = new Backoff({ initialMs: 500, maxMs: 30_000, jitter: 0.1 });
  /** What the last successful sync left on the host; undefined: unknown, the next sync is full. */
  private applied: RuleSet | undefined;
  private appliedPorts = new Map<string, ServicePortModel>();
  private appliedIPs = new Set<string>();
  private waiters: Waiter[] = [];
  private listeners = new Set<(r: SyncReport) => void>();
  private warned = new Set<string>();
  private timer: Timer | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private lastSyncStart = -Infinity;
  private started = false;
  private stopped = false;
  private firstSync!: () => void;
  private readonly firstSynced = new Promise<void>((resolve) => (this.firstSync = resolve));

  constructor(private readonly o: ServiceProxyOptions) {
    this.runner = o.runner ?? hostRunner;
    this.clock = o.clock ?? realClock;
    this.logger = o.logger.child({ subsystem: 'proxy' });
    this.minIntervalMs = o.minSyncIntervalMs ?? 100;
    this.nodePorts = parsePortRange(o.nodePortRange ?? '30000-32767');
    const informerLogger = this.logger.child({ subsystem: 'proxy-informer' });
    this.ownsServices = !o.services;
    this.services = o.services ?? new Informer<ServiceWire>({ client: o.client, path: '/api/v1/services', logger: informerLogger });
    this.slices = new Informer<EndpointSliceWire>({ client: o.client, path: '/apis/discovery.k8s.io/v1/endpointslices', logger: informerLogger });
    const changed = { onAdd: () => this.requestSync(), onUpdate: () => this.requestSync(), onDelete: () => this.requestSync() };
    this.removeServicesHandler = this.services.addEventHandler(changed);
    this.slices.addEventHandler(changed);
  }

  /** Starts watching; the first sync (a full one) runs once both caches have listed. */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.ownsServices) this.services.start();
    this.slices.start();
    void Promise.all([this.services.waitForSync(), this.slices.waitForSync()]).then(async () => {
      if (this.stopped) return;
      try {
        await enableLocalhostNodePorts(this.runner);
      } catch (e) {
        this.logger.warn('node ports on 127.0.0.1 stay closed: cannot set route_localnet', { error: message(e) });
      }
      this.requestSync();
    });
    const every = this.o.checkIntervalMs ?? 60_000;
    if (every > 0) this.checkTimer = setInterval(() => void this.checkHost(), every);
  }

  /** Stops watching and syncing. The rules stay (traffic keeps flowing while the agent restarts), as kube-proxy leaves them. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.removeServicesHandler();
    await Promise.all([this.ownsServices ? this.services.stop() : undefined, this.slices.stop()]);
    await this.syncing;
    // Nobody waits on a proxy that no longer syncs.
    for (const w of this.waiters.splice(0)) w.resolve();
    this.firstSync();
  }

  /** Removes every chain and jump of ours from the host (teardown, tests). Stop first. */
  async cleanup(): Promise<string[]> {
    this.applied = undefined;
    this.appliedPorts.clear();
    this.appliedIPs.clear();
    return cleanupProxyRules(this.runner);
  }

  /** Resolves after the first successful sync (or stop()). */
  whenSynced(): Promise<void> {
    return this.firstSynced;
  }

  /** Calls `fn` after every sync that succeeded; returns a function that stops it. */
  onSync(fn: (r: SyncReport) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Whether Services send (or just sent) traffic to `ip`: this host's rules have it as an
   * endpoint, or a slice of a proxied Service lists it as ready or serving (a terminating
   * pod that was serving until now). Pods for which this is false need no draining.
   */
  isServingEndpoint(ip: string): boolean {
    if (this.appliedIPs.has(ip)) return true;
    for (const slice of this.slices.store.list()) {
      const svcName = slice.metadata?.labels?.[serviceNameLabel];
      const svc = svcName ? this.services.store.get(`${slice.metadata?.namespace ?? ''}/${svcName}`) : undefined;
      const clusterIP = svc?.spec?.clusterIP;
      if (!svc || !clusterIP || clusterIP === 'None' || svc.spec?.type === 'ExternalName') continue;
      for (const ep of slice.endpoints ?? []) {
        if (!ep.addresses?.includes(ip)) continue;
        if (ep.conditions?.ready !== false || ep.conditions?.serving === true) return true;
      }
    }
    return false;
  }

  /** Resolves once the rules on this host send no new connection to `ip` (at once when they do not). */
  async whenEndpointRemoved(ip: string): Promise<void> {
    if (!this.applied && !this.stopped) await this.firstSynced;
    if (this.stopped || !this.appliedIPs.has(ip)) return;
    await new Promise<void>((resolve) => this.waiters.push({ ip, resolve }));
  }

  // ---- the sync loop -------------------------------------------------------------------

  private requestSync(): void {
    this.dirty = true;
    if (this.syncing) return; // the running sync looks again when it ends
    this.schedule(Math.max(0, this.lastSyncStart + this.minIntervalMs - this.clock.now()));
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer) return;
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.syncing = this.runSync().finally(() => (this.syncing = undefined));
    }, delayMs);
  }

  private async runSync(): Promise<void> {
    if (this.stopped || !this.services.hasSynced() || !this.slices.hasSynced()) return;
    this.dirty = false;
    this.lastSyncStart = this.clock.now();
    try {
      await this.syncOnce();
      this.backoff.reset();
    } catch (e) {
      this.stats.failures++;
      // The host may hold part of it or something else entirely: look at it afresh next time.
      this.applied = undefined;
      const delay = this.backoff.next();
      this.logger.error('service rules sync failed; retrying as a full sync', { error: message(e), retryInMs: Math.round(delay) });
      this.dirty = false;
      this.schedule(delay);
      return;
    }
    if (this.dirty) {
      this.schedule(Math.max(0, this.lastSyncStart + this.minIntervalMs - this.clock.now()));
    }
  }

  private async syncOnce(): Promise<void> {
    const t0 = performance.now();
    const model = buildServiceModel(this.services.store.list(), this.slices.store.list(), this.nodePorts);
    this.warnSkipped(model.skipped);
    const desired = renderRules(model.ports, { clusterCidr: this.o.clusterCidr });
    const full = this.applied === undefined;
    const host = full ? await readHostState(this.runner) : undefined;
    const plan = planRestore(desired, this.applied, host);
    if (plan.text) await restore(this.runner, plan.text);
    this.applied = desired;
    const previous = this.appliedPorts;
    this.appliedPorts = new Map(model.ports.map((sp) => [portKey(sp), sp]));
    this.appliedIPs = new Set(model.ports.flatMap((sp) => sp.endpoints.map((ep) => ep.ip)));
    const report: SyncReport = {
      full,
      written: plan.written,
      deleted: plan.deleted,
      servicePorts: model.ports.length,
      endpoints: model.ports.reduce((n, sp) => n + sp.endpoints.length, 0),
      durationMs: performance.now() - t0,
      at: this.clock.now(),
    };
    this.stats.syncs++;
    if (full) this.stats.fullSyncs++;
    if (!plan.text) this.stats.noopSyncs++;
    this.lastReport = report;
    this.firstSync();
    this.releaseWaiters();
    if (plan.text) this.logger.debug('service rules synced', { ...report, durationMs: Math.round(report.durationMs * 10) / 10 });
    for (const fn of this.listeners) fn(report);
    await this.clearStaleUdp(previous, this.appliedPorts);
  }

  private releaseWaiters(): void {
    const done = this.waiters.filter((w) => !this.appliedIPs.has(w.ip));
    this.waiters = this.waiters.filter((w) => this.appliedIPs.has(w.ip));
    for (const w of done) w.resolve();
  }

  /**
   * UDP has no connection to fail: conntrack would keep a client's flow at a removed endpoint
   * (or at no endpoint, for flows that started before the Service had one) until the entry
   * times out. Deletes those entries, as kube-proxy does.
   */
  private async clearStaleUdp(before: Map<string, ServicePortModel>, after: Map<string, ServicePortModel>): Promise<void> {
    const filters: string[][] = [];
    for (const [key, sp] of after) {
      if (sp.protocol !== 'UDP') continue;
      const old = before.get(key);
      const now = new Set(sp.endpoints.map((ep) => ep.ip));
      if (!old || old.endpoints.length === 0) {
        if (sp.endpoints.length) filters.push(['--orig-dst', sp.clusterIP, '--orig-port-dst', String(sp.port)]);
        continue;
      }
      for (const ep of old.endpoints) {
        if (now.has(ep.ip)) continue;
        filters.push(['--orig-dst', sp.clusterIP, '--orig-port-dst', String(sp.port), '--dst-nat', ep.ip]);
        if (sp.nodePort !== undefined) filters.push(['--orig-port-dst', String(sp.nodePort), '--dst-nat', ep.ip]);
      }
    }
    for (const [key, old] of before) {
      if (old.protocol !== 'UDP' || after.has(key)) continue;
      for (const ep of old.endpoints) filters.push(['--orig-dst', old.clusterIP, '--orig-port-dst', String(old.port), '--dst-nat', ep.ip]);
    }
    for (const f of filters) {
      try {
        if (!(await deleteUdpConntrack(this.runner, f))) {
          this.warnOnce('conntrack', 'the conntrack tool is not installed: UDP clients may stick to removed endpoints until their conntrack entries expire');
          return;
        }
      } catch (e) {
        this.logger.warn('clearing stale UDP conntrack entries failed', { filter: f.join(' '), error: message(e) });
      }
    }
  }

  /** Finds chains or jumps of ours that someone removed; the next sync then rewrites everything. */
  private async checkHost(): Promise<void> {
    if (this.stopped || this.syncing || !this.applied) return;
    try {
      const host = await readHostState(this.runner);
      const applied = this.applied;
      if (!applied) return;
      const drifted = driftedChains(applied, host);
      const missingJumps = jumps.filter((j) => !host.jumps.has(jumpKey(j))).map(jumpKey);
      if (drifted.length || missingJumps.length) {
        this.logger.warn('service rules were changed behind the proxy; rewriting them', { drifted: drifted.slice(0, 10), missingJumps });
        this.applied = undefined;
        this.requestSync();
      }
    } catch (e) {
      this.logger.warn('checking the service rules failed', { error: message(e) });
    }
  }

  private warnSkipped(skipped: { object: string; reason: string }[]): void {
    for (const s of skipped) this.warnOnce(`${s.object}: ${s.reason}`, 'not proxied', { object: s.object, reason: s.reason });
  }

  private warnOnce(key: string, text: string, fields: Record<string, unknown> = {}): void {
    if (this.warned.has(key)) return;
    if (this.warned.size > 10_000) this.warned.clear();
    this.warned.add(key);
    this.logger.warn(text, fields);
  }
}
