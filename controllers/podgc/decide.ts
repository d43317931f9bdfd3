// What PodGC does with one pod, as a pure decision (Kubernetes' podgc): a pod bound to a node
// that no longer exists is deleted once the node has been missing for the quarantine (and a
// fresh read confirms it); a terminating pod whose grace has run out on a node that cannot
// confirm it (gone, or tainted unreachable/not-ready/out-of-service) is deleted for good,
// so it does not linger on a dead node; an unscheduled terminating pod goes at once.

import { isLifecycleTaint, outOfServiceTaintKey } from '../nodelifecycle/taints.js';
import type { Node, Pod } from '../nodelifecycle/types.js';

export type PodVerdict =
  | { action: 'keep' }
  /** Look again in this many ms (quarantine or grace not over yet). */
  | { action: 'wait'; ms: number }
  /** The node is missing past the quarantine: confirm with a fresh read, then force-delete. */
  | { action: 'deleteOrphan' }
  | { action: 'forceDelete'; reason: string };

export interface PodGcTimings {
  /** How long a pod's node must be missing from the cache before the pod is collected. */
  quarantineMs: number;
}

/** `missingSince`: when the controller first saw the pod's node missing (undefined: the node exists). */
export function judgePod(pod: Pod, node: Node | undefined, missingSince: number | undefined, now: number, t: PodGcTimings): PodVerdict {
  const nodeName = pod.spec?.nodeName;
  const deleting = pod.metadata.deletionTimestamp;
  if (!nodeName) return deleting ? { action: 'forceDelete', reason: 'unscheduled and terminating' } : { action: 'keep' };
  if (!node) {
    const since = missingSince ?? now;
    const left = since + t.quarantineMs - now;
    return left > 0 ? { action: 'wait', ms: left } : { action: 'deleteOrphan' };
  }
  if (!deleting) return { action: 'keep' };
  const taints = node.spec?.taints ?? [];
  const unconfirmable = taints.some((x) => isLifecycleTaint(x) || (x.key === outOfServiceTaintKey && x.effect === 'NoExecute'));
  if (!unconfirmable) return { action: 'keep' };
  const due = Date.parse(deleting);
  const left = Number.isNaN(due) ? 0 : due - now;
  return left > 0 ? { action: 'wait', ms: left } : { action: 'forceDelete', reason: `terminating past its grace on node ${nodeName}, which cannot confirm` };
}

/** The terminated pods (Succeeded/Failed) to delete, oldest first, so that at most `threshold` remain. */
export function excessTerminated(pods: readonly Pod[], threshold: number): Pod[] {
  const done = pods.filter((p) => (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') && !p.metadata.deletionTimestamp);
  if (threshold <= 0 || done.length <= threshold) return [];
  const created = (p: Pod): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return done.sort((a, b) => created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')).slice(0, done.length - threshold);
}
