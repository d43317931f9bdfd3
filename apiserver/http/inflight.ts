// How many non-long-running requests may be in flight at once, per class of client: a
// simple form of API Priority and Fairness. The control plane's own identities (cluster
// admins, node agents, the scheduler and controller manager, the DNS server) draw on a
// reserved budget, so a flood from any other client is refused with 429 while node
// heartbeats and leader-election renewals still go through. Inside each budget the users
// share fairly (fairQueue.ts): one user cannot hold every seat, and waiting requests are
// served round-robin per user.

import { realClock, type TimerClock } from '../../common/clock.js';
import type { UserInfo } from '../auth/tokens.js';
import { FairQueue, type Refusal } from './fairQueue.js';

export type RequestClass = 'system' | 'workload';

/** In-flight caps of one class; 0 means unlimited (as kube-apiserver's --max-requests-inflight=0). */
export interface InflightBudget {
  readonly: number;
  mutating: number;
}

export type InflightLimits = Record<RequestClass, InflightBudget>;

/** kube-apiserver's defaults (--max-requests-inflight 400, --max-mutating-requests-inflight 200) for everyone else; as much again reserved for the system. */
export const defaultInflightLimits: InflightLimits = {
  workload: { readonly: 400, mutating: 200 },
  system: { readonly: 400, mutating: 200 },
};

/** How the users of one budget share it (fairQueue.ts). */
export interface FairnessLimits {
  /** Share of a budget's seats one user may hold, in percent (100: no cap). */
  maxSeatsPerUserPercent: number;
  /** Requests one user may have waiting for a seat (APF's queueLengthLimit, 50); 0: refuse at once. */
  queueLengthPerUser: number;
  /** How long a request may wait for a seat before its 429. */
  queueWaitMs: number;
}

const systemGroups = new Set(['system:masters', 'system:nodes']);
const systemUsers = new Set(['system:kube-scheduler', 'system:kube-controller-manager', 'system:kube-proxy', 'system:gantry-dns', 'system:apiserver']);

/** Like APF's exempt, node-high and leader-election priority levels folded into one. */
export function requestClass(user: UserInfo): RequestClass {
  if (systemUsers.has(user.name) || user.groups.some((g) => systemGroups.has(g))) return 'system';
  return 'workload';
}

export class InflightLimiter {
  private readonly queues = new Map<string, FairQueue>();

  constructor(limits: InflightLimits, fairness: FairnessLimits, clock: TimerClock = realClock) {
    for (const cls of ['system', 'workload'] as const) {
      for (const kind of ['readonly', 'mutating'] as const) {
        const seats = limits[cls][kind];
        this.queues.set(`${cls}/${kind}`, new FairQueue({
          seats,
          maxSeatsPerFlow: Math.max(1, Math.ceil((seats * fairness.maxSeatsPerUserPercent) / 100)),
          queueLengthPerFlow: fairness.queueLengthPerUser,
          // Waiting requests hold sockets: no more of them than the budget has seats.
          maxQueued: seats,
          maxWaitMs: fairness.queueWaitMs,
          clock,
        }));
      }
    }
  }

  private queue(cls: RequestClass, mutating: boolean): FairQueue {
    return this.queues.get(`${cls}/${mutating ? 'mutating' : 'readonly'}`)!;
  }

  /**
   * A seat in the class's budget for `user`: `grant` gets the release to call exactly once
   * when the request ends, or `refuse` is told why none came. Returns cancel(), for a client
   * that leaves while waiting.
   */
  acquire(cls: RequestClass, mutating: boolean, user: string, grant: (release: () => void) => void, refuse: (why: Refusal) => void): () => void {
    return this.queue(cls, mutating).request(user, grant, refuse);
  }

  /** Requests now in flight of a class and kind, in all or of one user (for tests and metrics). */
  inflight(cls: RequestClass, mutating: boolean, user?: string): number {
    return this.queue(cls, mutating).inflight(user);
  }

  /** Requests now waiting for a seat. */
  queued(cls: RequestClass, mutating: boolean, user?: string): number {
    return this.queue(cls, mutating).queued(user);
  }
}
