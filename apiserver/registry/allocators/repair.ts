// The repair pass (Kubernetes' ipallocator and portallocator repair controllers): claims and
// Services are written in two steps, so a crash between them, a failed release or a
// hand-edited etcd can leave a claim no Service holds, or a Service whose value has no
// claim. At start and then periodically this compares the two and mends what it can:
// an orphaned claim is freed once it is older than a grace period (a younger one may
// belong to a create still in flight); a Service's unclaimed value is claimed for it again,
// and one that cannot be (out of range, or held for another Service) is reported.

import type { KubeObject } from '../../../common/api/meta.js';
import { isObject } from '../../../common/api/meta.js';
import type { Clock } from '../../../common/clock.js';
import type { Logger } from '../../../common/logging.js';
import type { Storage } from '../../storage/storage.js';
import { ownerText, sameOwner, type ClaimOwner } from './claims.js';
import type { RangeAllocator } from './rangeAllocator.js';
import { heldClusterIPs, heldNodePorts } from './serviceAllocator.js';

export interface RepairProblem {
  value: string;
  service: string;
  problem: 'reclaimed' | 'not-in-range' | 'claimed-by-another' | 'held-by-several';
}

export interface RepairReport {
  /** Claims no Service held, now freed. */
  freed: string[];
  /** Services whose values had no claim (reclaimed or not). */
  problems: RepairProblem[];
}

export interface RepairDeps {
  storage: Storage;
  /** Key prefix of Services, e.g. `/registry/services/`. */
  servicesPrefix: string;
  ips: RangeAllocator;
  ports: RangeAllocator;
  clock: Clock;
  logger: Logger;
  /** How old an orphaned claim must be before it is freed. */
  graceMs?: number;
}

const defaultGraceMs = 60_000;

export class ServiceClaimRepair {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RepairReport> | undefined;

  constructor(private readonly deps: RepairDeps) {}

  /** One pass; concurrent callers share the pass in progress. */
  runOnce(): Promise<RepairReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Repeats the pass every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.runOnce().catch((e: unknown) => this.deps.logger.warn('service claim repair failed', { error: String(e) }));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async pass(): Promise<RepairReport> {
    const report: RepairReport = { freed: [], problems: [] };
    // Claims before Services: a Service written after the claim list was read is in the
    // Service list, so its fresh claim never looks orphaned.
    const ipClaims = await this.deps.ips.claims.list();
    const portClaims = await this.deps.ports.claims.list();
    const services = await this.services();
    const ipHolders = new Map<string, ClaimOwner[]>();
    const portHolders = new Map<string, ClaimOwner[]>();
    for (const svc of services) {
      const spec = isObject(svc.spec) ? svc.spec : {};
      const uid = svc.metadata.uid;
      const owner = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', ...(uid ? { uid } : {}) };
      for (const ip of heldClusterIPs(spec)) push(ipHolders, ip, owner);
      for (const port of heldNodePorts(spec)) push(portHolders, String(port), owner);
    }
    await this.mend(this.deps.ips, ipClaims, ipHolders, report);
    await this.mend(this.deps.ports, portClaims, portHolders, report);
    for (const p of report.problems) {
      const log = p.problem === 'reclaimed' ? this.deps.logger.info.bind(this.deps.logger) : this.deps.logger.warn.bind(this.deps.logger);
      log('service value had no claim', { ...p });
    }
    if (report.freed.length) this.deps.logger.info('freed claims no service holds', { values: report.freed });
    return report;
  }

  private async mend(allocator: RangeAllocator, claims: Awaited<ReturnType<RangeAllocator['claims']['list']>>, holders: Map<string, ClaimOwner[]>, report: RepairReport): Promise<void> {
    const grace = this.deps.graceMs ?? defaultGraceMs;
    const now = this.deps.clock.now();
    const claimed = new Map(claims.map((c) => [c.value, c]));
    for (const c of claims) {
      if (holders.has(c.value)) continue;
      if (now - c.createdAt < grace) continue;
      if (await allocator.claims.remove(c.value, c.revision)) report.freed.push(c.value);
    }
    for (const [value, owners] of holders) {
      const first = owners[0]!;
      if (owners.length > 1) report.problems.push({ value, service: owners.map(ownerText).join(', '), problem: 'held-by-several' });
      const claim = claimed.get(value);
      if (claim) {
        if (!sameOwner(claim.owner, first)) report.problems.push({ value, service: ownerText(first), problem: 'claimed-by-another' });
        continue;
      }
      if (!allocator.contains(value)) {
        report.problems.push({ value, service: ownerText(first), problem: 'not-in-range' });
        continue;
      }
      if (await allocator.claims.claim(value, first)) {
        report.problems.push({ value, service: ownerText(first), problem: 'reclaimed' });
        continue;
      }
      // Claimed since the list was read: fine when it is this Service's own claim.
      const now = await allocator.claims.get(value);
      if (!now || !sameOwner(now.owner, first)) report.problems.push({ value, service: ownerText(first), problem: 'claimed-by-another' });
    }
  }

  private async services(): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    let fromKey: string | undefined;
    let atRevision: number | undefined;
    for (;;) {
      const page = await this.deps.storage.list(this.deps.servicesPrefix, { limit: 1000, ...(fromKey ? { fromKey } : {}), ...(atRevision ? { atRevision } : {}) });
      atRevision = page.revision;
      out.push(...page.items.map((v) => v.object));
      if (!page.nextKey) return out;
      fromKey = page.nextKey;
    }
  }
}

function push(map: Map<string, ClaimOwner[]>, key: string, owner: ClaimOwner): void {
  const list = map.get(key);
  if (list) list.push(owner);
  else map.set(key, [owner]);
}
