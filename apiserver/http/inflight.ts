// How many non-long-running requests may be in flight at once, per class of client: a
// simple form of API Priority and Fairness. The control plane's own identities (cluster
// admins, node agents, the scheduler and controller manager, the DNS server) draw on a
// reserved budget, so a flood from any other client is refused with 429 while node
// heartbeats and leader-election renewals still go through.

import type { UserInfo } from '../auth/tokens.js';

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

const systemGroups = new Set(['system:masters', 'system:nodes']);
const systemUsers = new Set(['system:kube-scheduler', 'system:kube-controller-manager', 'system:kube-proxy', 'system:gantry-dns', 'system:apiserver']);

/** Like APF's exempt, node-high and leader-election priority levels folded into one. */
export function requestClass(user: UserInfo): RequestClass {
  if (systemUsers.has(user.name) || user.groups.some((g) => systemGroups.has(g))) return 'system';
  return 'workload';
}

export class InflightLimiter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limits: InflightLimits) {}

  /** A release function when there is room (call it exactly once, when the request ends), else undefined. */
  tryAcquire(cls: RequestClass, mutating: boolean): (() => void) | undefined {
    const kind = mutating ? 'mutating' : 'readonly';
    const limit = this.limits[cls][kind];
    const key = `${cls}/${kind}`;
    const n = this.counts.get(key) ?? 0;
    if (limit > 0 && n >= limit) return undefined;
    this.counts.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.counts.set(key, (this.counts.get(key) ?? 1) - 1);
    };
  }

  /** Requests now in flight of a class and kind (for tests and metrics). */
  inflight(cls: RequestClass, mutating: boolean): number {
    return this.counts.get(`${cls}/${mutating ? 'mutating' : 'readonly'}`) ?? 0;
  }
}
