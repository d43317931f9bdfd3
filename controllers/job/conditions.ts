// A job's conditions as Kubernetes keeps them: at most one of each type; a condition changes
// (with a new transition time) only when its status changes; a False condition is never
// added where there was none (a job that was never suspended has no Suspended condition).

import { rfc3339 } from '../../common/clock.js';
import type { JobCondition } from './types.js';

export function findCondition(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function holds(conditions: readonly JobCondition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Returns the new list and whether it changed. */
export function ensureCondition(conditions: readonly JobCondition[] | undefined, type: string, status: 'True' | 'False', reason: string, message: string, now: number): { conditions: JobCondition[]; changed: boolean } {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === type);
  const at = rfc3339(now);
  if (i < 0) {
    if (status === 'False') return { conditions: list, changed: false };
    list.push({ type, status, lastProbeTime: at, lastTransitionTime: at, reason, message });
    return { conditions: list, changed: true };
  }
  if (list[i]!.status === status) return { conditions: list, changed: false };
  list[i] = { type, status, lastProbeTime: at, lastTransitionTime: at, reason, message };
  return { conditions: list, changed: true };
}
