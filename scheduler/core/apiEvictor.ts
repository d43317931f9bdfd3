// Removes preemption victims through the API. The eviction subresource first, so a budget
// that allows the disruption is charged (status.disruptedPods) and the disruption controller
// does not count the pod as healthy while it terminates. When a budget refuses, the pod is
// deleted all the same: preemption already preferred victims whose budgets allow it, and
// Kubernetes' scheduler deletes its victims directly, so a budget is a preference here,
// never a block; such a victim first gets DisruptionTarget (PreemptionByScheduler) as
// Kubernetes' scheduler sets it, since the eviction API that would have set it was refused.
// Either way termination is graceful (the pod's own grace period).

import { disruptions, markDisruptionTarget } from '../../common/api/disruptionTarget.js';
import { resourceFor } from '../../common/api/resources.js';
import type { Clock } from '../../common/clock.js';
import type { Api } from '../../common/client/api.js';
import { ApiError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import type { Pod } from '../framework/types.js';
import type { Evictor } from './scheduler.js';

const podsResource = resourceFor('Pod');

/** Whether the eviction API refused because of a PodDisruptionBudget (pods/eviction's answers). */
export function refusedByBudget(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  // 429: no disruption allowed now, or the budget not yet processed.
  if (e.reason === 'TooManyRequests') return true;
  // 403 naming the budget (negative allowance, too many unconfirmed evictions), not an authorization refusal.
  if (e.reason === 'Forbidden') return e.details.kind === 'poddisruptionbudgets';
  // 500: the pod is selected by more than one budget.
  return e.reason === 'InternalError' && /PodDisruptionBudget/.test(e.message);
}

export class ApiEvictor implements Evictor {
  constructor(
    private readonly api: Pick<Api, 'createSubresource' | 'delete' | 'patch'>,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly schedulerName: string,
    private readonly logger?: Logger,
  ) {}

  async evict(pod: Pod): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    try {
      await this.api.createSubresource(podsResource, ns, name, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } });
      return;
    } catch (e) {
      // Already gone: what the eviction wanted.
      if (e instanceof NotFoundError) return;
      if (!refusedByBudget(e)) throw e;
      this.logger?.info('eviction refused by a disruption budget; deleting the victim', { pod: `${ns}/${name}`, reason: (e as Error).message });
    }
    try {
      await markDisruptionTarget(this.api, pod, disruptions.preemption(this.schedulerName), this.clock.now());
      // The uid precondition: never a pod recreated under the same name since preemption chose it.
      const uid = pod.metadata?.uid;
      await this.api.delete(podsResource, ns, name, uid ? { preconditions: { uid } } : {});
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}
