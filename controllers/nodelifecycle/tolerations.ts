// When a pod must leave a node because of the node's NoExecute taints (Kubernetes' taint
// manager): a taint no toleration matches evicts at once; a matched taint evicts when the
// toleration's tolerationSeconds, counted from the taint's timeAdded, run out; a toleration
// without tolerationSeconds tolerates for ever. Counting from timeAdded (not from when this
// controller noticed) keeps the decision level-based across controller restarts.

import { tolerates } from '../../common/api/tolerations.js';
import { noExecute } from './taints.js';
import type { Taint, Toleration } from './types.js';

/**
 * The time (ms since the epoch) at which the pod must be evicted, or undefined when its
 * tolerations allow it to stay for ever (or there is no NoExecute taint). Of several
 * tolerations matching one taint the most lenient counts.
 */
export function evictionDeadline(taints: readonly Taint[], tolerations: readonly Toleration[], now: number): number | undefined {
  let deadline: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== noExecute) continue;
    const matching = tolerations.filter((t) => tolerates(t, taint));
    let at: number;
    if (matching.length === 0) at = now;
    else {
      if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) continue;
      const seconds = Math.max(0, ...matching.map((t) => t.tolerationSeconds ?? 0));
      const added = taint.timeAdded ? Date.parse(taint.timeAdded) : NaN;
      at = (Number.isNaN(added) ? now : added) + seconds * 1000;
    }
    deadline = deadline === undefined ? at : Math.min(deadline, at);
  }
  return deadline;
}
