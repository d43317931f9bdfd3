// Is a node's agent still alive? Like Kubernetes' monitorNodeHealth, the controller does not
// trust the node's clock: it remembers when *it* last saw the heartbeat change (the Lease's
// renewTime, or the Ready condition's lastHeartbeatTime) and calls the node silent once that
// is longer ago than the grace period. A node that never reported gets the (longer) start-up
// grace, counted from when the controller first saw it.

import { rfc3339 } from '../../common/clock.js';
import { readyCondition } from './taints.js';
import type { Lease, Node, NodeCondition } from './types.js';

/** The conditions a silent node's are set to Unknown (Kubernetes' list). */
export const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export interface HealthTimings {
  /** Silence after the last heartbeat before Ready becomes Unknown. */
  gracePeriodMs: number;
  /** The same for a node that never posted a Ready condition. */
  startupGracePeriodMs: number;
}

interface Probe {
  renewTime: string;
  heartbeat: string;
  /** The controller's clock when either changed last. */
  observedAt: number;
}

/** The last heartbeat of each node as this controller saw it (in memory: a restart starts every node's grace afresh, as in Kubernetes). */
export class ProbeTracker {
  private readonly probes = new Map<string, Probe>();

  /** Records what `node` and its Lease say now and returns when the heartbeat last changed. */
  observe(node: Node, lease: Lease | undefined, now: number): number {
    const name = node.metadata.name ?? '';
    const renewTime = lease?.spec?.renewTime ?? '';
    const heartbeat = readyCondition(node.status?.conditions)?.lastHeartbeatTime ?? '';
    const seen = this.probes.get(name);
    if (!seen || seen.renewTime !== renewTime || seen.heartbeat !== heartbeat) {
      this.probes.set(name, { renewTime, heartbeat, observedAt: now });
      return now;
    }
    return seen.observedAt;
  }

  /** When the heartbeat last changed, if the node was observed. */
  lastSeen(name: string): number | undefined {
    return this.probes.get(name)?.observedAt;
  }

  forget(name: string): void {
    this.probes.delete(name);
  }

  size(): number {
    return this.probes.size;
  }
}

export interface HeartbeatPolicy {
  /** The grace for a node renewing every `heartbeatIntervalMs`. */
  gracePeriodMs: number;
  startupGracePeriodMs: number;
  heartbeatIntervalMs: number;
}

/**
 * A node's own timings. Agents renew their Lease every quarter of its leaseDurationSeconds;
 * a node whose Lease announces a slower cadence than the configured one (hollow nodes' 40 s
 * leases renew every 10 s) gets that much more grace, so it is not called silent between
 * two on-time renewals. `suspectMs`: a missed renewal (plus 1 s), used by the disruption check.
 */
export function nodeTimings(lease: Lease | undefined, p: HeartbeatPolicy): HealthTimings & { suspectMs: number } {
  const announced = lease?.spec?.leaseDurationSeconds;
  const interval = typeof announced === 'number' && announced > 0 ? Math.max(p.heartbeatIntervalMs, (announced * 1000) / 4) : p.heartbeatIntervalMs;
  const extra = interval - p.heartbeatIntervalMs;
  return { gracePeriodMs: p.gracePeriodMs + extra, startupGracePeriodMs: p.startupGracePeriodMs, suspectMs: interval + 1_000 };
}

export interface HealthVerdict {
  /** The heartbeat is older than the grace period. */
  silent: boolean;
  /** Milliseconds until the node turns silent without a new heartbeat (0 when silent). */
  silentInMs: number;
  /** The conditions to write when silent and not yet Unknown; undefined: nothing to write. */
  conditions: NodeCondition[] | undefined;
}

/** Decides from the last observed heartbeat; the Unknown conditions keep their lastHeartbeatTime. */
export function judgeHealth(node: Node, lastHeartbeatAt: number, now: number, t: HealthTimings): HealthVerdict {
  const current = node.status?.conditions ?? [];
  const grace = readyCondition(current) ? t.gracePeriodMs : t.startupGracePeriodMs;
  const left = lastHeartbeatAt + grace - now;
  if (left >= 0) return { silent: false, silentInMs: left + 1, conditions: undefined };
  const nowIso = rfc3339(now);
  let changed = false;
  const next = current.map((c) => ({ ...c }));
  for (const type of monitoredConditions) {
    const c = next.find((x) => x.type === type);
    if (!c) {
      next.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: rfc3339(lastHeartbeatAt), lastTransitionTime: nowIso });
      changed = true;
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: nowIso });
      changed = true;
    }
  }
  return { silent: true, silentInMs: 0, conditions: changed ? next : undefined };
}
