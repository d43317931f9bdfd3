// What this host does not let the agent do, said once at start: in the log and as a Node
// event, so that an operator sees it where they look for node problems. Today one limit:
// a host that withholds CAP_SYS_RESOURCE keeps containers from getting an oom_score_adj
// below the agent's own floor, so Guaranteed pods (-997) get the floor instead (the
// runtime raises it; runc would otherwise refuse every such container).

import type { Logger } from '../../common/logging.js';
import type { NodeEventSink } from './events.js';

/** The kubelet's value for Guaranteed and node-critical containers. */
const guaranteedOomScoreAdj = -997;

export const oomScoreAdjLimitedReason = 'OOMScoreAdjLimited';

export interface HostLimitNotice {
  reason: string;
  message: string;
}

/** The notice for a host's oom_score_adj floor; undefined when it restricts nothing Kubernetes asks for. */
export function oomScoreAdjNotice(floor: number): HostLimitNotice | undefined {
  if (floor <= guaranteedOomScoreAdj) return undefined;
  return {
    reason: oomScoreAdjLimitedReason,
    message:
      `this host does not let the agent set oom_score_adj below ${floor} (no CAP_SYS_RESOURCE): ` +
      `containers that should get less (Guaranteed pods: ${guaranteedOomScoreAdj}) get ${floor}, ` +
      'so the kernel may kill them before Burstable ones under memory pressure',
  };
}

/** Logs and records each notice once. */
export function reportHostLimits(limits: { oomScoreAdjFloor?: number }, events: NodeEventSink | undefined, logger: Logger): HostLimitNotice[] {
  const notices = [limits.oomScoreAdjFloor !== undefined ? oomScoreAdjNotice(limits.oomScoreAdjFloor) : undefined].filter((n): n is HostLimitNotice => n !== undefined);
  for (const n of notices) {
    logger.warn(n.message, { reason: n.reason });
    events?.record('Warning', n.reason, n.message);
  }
  return notices;
}
