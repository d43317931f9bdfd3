// The node lifecycle controller's settings (`controllerOptions.nodelifecycle`), with
// defaults chosen so that a dead node's pods run elsewhere within 15 s (Kubernetes' take
// about 5 min 50 s): agents renew their Lease every 5 s; 8 s without a renewal makes the
// node Unknown and tainted; the API server's default tolerations (4 s) then run out, and
// the replacement is created, scheduled and started in the remaining 2-3 s.

import { controllerOptions, optionsError, workersSetting } from '../options.js';

export interface NodeLifecycleOptions {
  /**
   * Silence after the last heartbeat before Ready becomes Unknown (Kubernetes: 40-50 s), for
   * nodes renewing every nodeHeartbeatIntervalSeconds; a Lease announcing a slower cadence
   * adds the difference.
   */
  nodeMonitorGracePeriodSeconds: number;
  /** The same for a node that never posted status (Kubernetes: 60 s). */
  nodeStartupGracePeriodSeconds: number;
  /** How often a silent or tainted node is looked at again. */
  nodeMonitorPeriodMs: number;
  /**
   * How often node agents renew their Lease (the agent's leaseDurationSeconds / 4). A node
   * that missed one renewal (plus 1 s) counts as not ready in the disruption check.
   */
  nodeHeartbeatIntervalSeconds: number;
  /** Nodes tainted per second per zone (Kubernetes' --node-eviction-rate, 0.1 there). */
  nodeEvictionRate: number;
  /** The rate in a partially disrupted large zone (--secondary-node-eviction-rate). */
  secondaryNodeEvictionRate: number;
  /** Zones up to this size stop evicting when partially disrupted (--large-cluster-size-threshold). */
  largeClusterSizeThreshold: number;
  /** Fraction of not-ready nodes (more than 2) that makes a zone partially disrupted (--unhealthy-zone-threshold). */
  unhealthyZoneThreshold: number;
  workers: number;
}

export const nodeLifecycleDefaults: NodeLifecycleOptions = {
  nodeMonitorGracePeriodSeconds: 8,
  nodeStartupGracePeriodSeconds: 60,
  nodeMonitorPeriodMs: 500,
  nodeHeartbeatIntervalSeconds: 5,
  nodeEvictionRate: 1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  workers: 4,
};

const parse = controllerOptions<NodeLifecycleOptions>(
  'nodelifecycle',
  {
    nodeMonitorGracePeriodSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
    nodeStartupGracePeriodSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 },
    nodeMonitorPeriodMs: { type: 'integer', minimum: 10, maximum: 600_000 },
    nodeHeartbeatIntervalSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3_600 },
    nodeEvictionRate: { type: 'number', minimum: 0 },
    secondaryNodeEvictionRate: { type: 'number', minimum: 0 },
    largeClusterSizeThreshold: { type: 'integer', minimum: 0 },
    unhealthyZoneThreshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    workers: workersSetting,
  },
  nodeLifecycleDefaults,
);

/** Validates `controllerOptions.nodelifecycle` and fills in the defaults; throws naming every bad setting. */
export function nodeLifecycleOptions(options: unknown): NodeLifecycleOptions {
  const o = parse(options);
  if (o.nodeHeartbeatIntervalSeconds >= o.nodeMonitorGracePeriodSeconds) {
    throw optionsError('nodelifecycle', `nodeHeartbeatIntervalSeconds (${o.nodeHeartbeatIntervalSeconds}) must be less than nodeMonitorGracePeriodSeconds (${o.nodeMonitorGracePeriodSeconds})`);
  }
  return o;
}
