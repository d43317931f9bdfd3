// maxSurge and maxUnavailable: absolute numbers or percentages of the desired replicas. A
// percentage of surge rounds up and of unavailability rounds down, so that a rollout of a small
// Deployment still moves (25% of 3 = 1 surge, 0 unavailable); both zero would deadlock, so
// unavailability becomes 1 then. Recreate Deployments have neither.

import { TerminalError } from '../../common/controller/types.js';
import { deploymentReplicas, type Deployment, type IntOrString } from './types.js';

/** `value` resolved against `total`: a number as is, `"N%"` as N% of total, rounded as asked. */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new TerminalError(`invalid value ${value}: must be a non-negative integer or percentage`);
    return value;
  }
  const m = /^(\d+)%$/.exec(value);
  if (!m) {
    // An int written as a string is not a percentage: Kubernetes refuses it, so does Gantry.
    throw new TerminalError(`invalid value ${JSON.stringify(value)}: must be an integer or a percentage like "25%"`);
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

/** maxSurge and maxUnavailable of a rolling Deployment, resolved against its replicas. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): Fenceposts {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { maxSurge: surge, maxUnavailable: unavailable };
}

function rollingFenceposts(d: Deployment): Fenceposts {
  const ru = d.spec.strategy?.rollingUpdate;
  // The API server defaults both to 25%; a client that bypassed defaulting gets the same.
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', deploymentReplicas(d));
}

/** How many pods above the desired count a rollout may run. 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? rollingFenceposts(d).maxSurge : 0;
}

/** How many of the desired pods may be unavailable during a rollout, never more than desired. */
export function maxUnavailable(d: Deployment): number {
  const desired = deploymentReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(rollingFenceposts(d).maxUnavailable, desired);
}
