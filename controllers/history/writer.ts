// Carries out a HistoryPlan through the API. A revision made by an earlier sync that the
// cache has not shown yet (AlreadyExists) and one deleted meanwhile (NotFound) are not errors.

import type { Api } from '../../common/client/api.js';
import { AlreadyExistsError, NotFoundError } from '../../common/errors.js';
import { controllerRevisionsResource, type ControllerRevision } from './types.js';
import type { HistoryPlan } from './revisions.js';

/** Applies `plan` in `namespace`; returns the created or renumbered revision, if any. */
export async function applyHistoryPlan(api: Api, namespace: string | undefined, plan: HistoryPlan): Promise<ControllerRevision | undefined> {
  let written: ControllerRevision | undefined;
  if (plan.create) {
    try {
      written = await api.create<ControllerRevision>(controllerRevisionsResource, namespace, plan.create);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
  if (plan.bump) written = await api.patch<ControllerRevision>(controllerRevisionsResource, namespace, plan.bump.revision.metadata.name ?? '', 'merge', { revision: plan.bump.to });
  for (const r of plan.prune) {
    try {
      await api.delete(controllerRevisionsResource, namespace, r.metadata.name ?? '', { preconditions: { uid: r.metadata.uid } });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  return written;
}
