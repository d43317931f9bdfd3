// Zone-based disruption, as Kubernetes' node lifecycle controller decides it. Nodes are
// grouped by zone (topology labels); a zone is in FullDisruption when none of its nodes is
// ready, in PartialDisruption when more than 2 are not ready and they are at least
// `unhealthyZoneThreshold` of it, else Normal. When every zone is fully disrupted the
// controller assumes the fault is its own (a control-plane or network hiccup) and evicts
// nothing; a partially disrupted zone evicts at the secondary rate, or not at all when it is
// small. A node counts as not ready here as soon as it missed a heartbeat, before its grace
// period ends, so nodes that went silent together are seen together even though their
// last renewals were spread over one heartbeat interval.

import type { Node } from './types.js';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface DisruptionPolicy {
  /** Nodes tainted per second in a healthy (or wholly down) zone. */
  evictionRate: number;
  /** Nodes tainted per second in a partially disrupted zone larger than largeClusterThreshold. */
  secondaryEvictionRate: number;
  largeClusterThreshold: number;
  unhealthyZoneThreshold: number;
}

const zoneLabels = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const regionLabels = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];

/** `region:zone` from the node's labels; '' parts when unlabelled (one zone for the whole cluster). */
export function zoneOf(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const first = (keys: string[]): string => keys.map((k) => labels[k]).find((v) => v !== undefined) ?? '';
  return `${first(regionLabels)}:${first(zoneLabels)}`;
}

export function zoneState(ready: number, notReady: number, unhealthyThreshold: number): ZoneState {
  if (notReady > 0 && ready === 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (ready + notReady) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

export interface ZoneInfo {
  state: ZoneState;
  size: number;
  notReady: number;
}

export class ZoneView {
  constructor(
    readonly zones: ReadonlyMap<string, ZoneInfo>,
    private readonly policy: DisruptionPolicy,
  ) {}

  /** Every zone fully disrupted: evict nothing, lift our taints. */
  get allFullyDisrupted(): boolean {
    if (this.zones.size === 0) return false;
    for (const z of this.zones.values()) if (z.state !== 'FullDisruption') return false;
    return true;
  }

  /** Nodes per second that may be tainted in `zone` now (0: none). */
  taintRate(zone: string): number {
    if (this.allFullyDisrupted) return 0;
    const z = this.zones.get(zone);
    if (!z) return this.policy.evictionRate;
    if (z.state === 'PartialDisruption') return z.size > this.policy.largeClusterThreshold ? this.policy.secondaryEvictionRate : 0;
    return this.policy.evictionRate;
  }

  /** A short description for logs: `zone=state(notReady/size)`. */
  describe(): string {
    return [...this.zones].map(([k, z]) => `${k}=${z.state}(${z.notReady}/${z.size})`).join(' ');
  }
}

/** Builds the view from every node and whether it counts as not ready. */
export function computeZones(nodes: readonly { node: Node; notReady: boolean }[], policy: DisruptionPolicy): ZoneView {
  const counts = new Map<string, { ready: number; notReady: number }>();
  for (const { node, notReady } of nodes) {
    const z = zoneOf(node);
    const c = counts.get(z) ?? { ready: 0, notReady: 0 };
    if (notReady) c.notReady++;
    else c.ready++;
    counts.set(z, c);
  }
  const zones = new Map<string, ZoneInfo>();
  for (const [z, c] of counts) zones.set(z, { state: zoneState(c.ready, c.notReady, policy.unhealthyZoneThreshold), size: c.ready + c.notReady, notReady: c.notReady });
  return new ZoneView(zones, policy);
}
