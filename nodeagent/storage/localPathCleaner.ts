// Removes the directories of deleted local-path PersistentVolumes on this node. The
// provisioner gives each such PV the label storage.gantry.dev/node=<node> and the finalizer
// storage.gantry.dev/local-path-cleanup; once the PV has a deletionTimestamp and is no
// longer protected (kubernetes.io/pv-protection stays while it is Bound, and its claim stays
// while a pod uses it, so no container still has the directory mounted), this agent removes
// the directory (only strictly inside its local-path root, see localPath.ts) and then
// drops the finalizer with a JSON patch that first tests the resourceVersion it decided on,
// so a PV changed meanwhile is looked at again rather than released on stale facts.
//
// A PV whose reclaim policy is Retain keeps its directory: deleting the object of a retained
// volume does not delete the data in Kubernetes either. A path outside the root is never
// removed; the finalizer is dropped (with a warning) so the PV does not hang forever. A
// symlink on the way to the directory stops the cleanup (logged; the finalizer stays).
//
// Built like a controller (informer -> key -> reconcile with back-off), over the one informer
// the node authorizer allows: PVs listed and watched with exactly this node's label.

import type { V1PersistentVolume } from '@kubernetes/client-node';
import { ApiClient } from '../../common/client/apiClient.js';
import { Informer } from '../../common/client/informer.js';
import type { RestClient } from '../../common/client/restClient.js';
import type { TimerClock } from '../../common/clock.js';
import { Controller } from '../../common/controller/controller.js';
import { enqueueObject } from '../../common/controller/handlers.js';
import { TerminalError, type ObjectKey, type Reconciler } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { UnsafePathError } from '../podspec/paths.js';
import { localPathCleanupFinalizer, localPathNodeLabel, relativeInside, removeVolumeDir } from './localPath.js';
import { pvProtectionFinalizer } from '../../common/api/storage.js';

export { pvProtectionFinalizer };

export type CleanupPlan =
  | { action: 'none'; why: string }
  /** Remove `dir` (undefined: keep the data), then the finalizer at `finalizerIndex`. */
  | { action: 'release'; dir: string | undefined; why: string; finalizers: string[]; finalizerIndex: number; resourceVersion: string };

/** What to do about one PV, from the PV alone. */
export function cleanupPlan(pv: V1PersistentVolume, nodeName: string, root: string): CleanupPlan {
  const m = pv.metadata ?? {};
  const finalizerIndex = (m.finalizers ?? []).indexOf(localPathCleanupFinalizer);
  if (!m.deletionTimestamp) return { action: 'none', why: 'not being deleted' };
  if (finalizerIndex < 0) return { action: 'none', why: 'no cleanup finalizer' };
  if (m.labels?.[localPathNodeLabel] !== nodeName) return { action: 'none', why: 'labelled for another node' };
  // Finalizers run in no order: the data must outlive the volume's use, whatever else is pending.
  if ((m.finalizers ?? []).includes(pvProtectionFinalizer) || pv.status?.phase === 'Bound') return { action: 'none', why: 'still protected: bound or in use' };
  const resourceVersion = m.resourceVersion ?? '';
  const finalizers = [...(m.finalizers ?? [])];
  const p = pv.spec?.local?.path ?? pv.spec?.hostPath?.path;
  if (pv.spec?.persistentVolumeReclaimPolicy === 'Retain') return { action: 'release', dir: undefined, why: 'reclaim policy Retain keeps the data', finalizers, finalizerIndex, resourceVersion };
  if (relativeInside(root, p) === undefined) return { action: 'release', dir: undefined, why: `path ${JSON.stringify(p ?? '')} is not inside the local-path root ${root}: left in place`, finalizers, finalizerIndex, resourceVersion };
  return { action: 'release', dir: p!, why: 'deleted', finalizers, finalizerIndex, resourceVersion };
}

/**
 * The JSON patch dropping the finalizer, valid only against the PV as the plan saw it. The
 * last finalizer goes with its list (no `finalizers: []` left behind), as the API server
 * stores an object without finalizers.
 */
export function releasePatch(plan: Extract<CleanupPlan, { action: 'release' }>): unknown[] {
  const rv = { op: 'test', path: '/metadata/resourceVersion', value: plan.resourceVersion };
  if (plan.finalizers.length === 1) return [rv, { op: 'test', path: '/metadata/finalizers', value: [localPathCleanupFinalizer] }, { op: 'remove', path: '/metadata/finalizers' }];
  const at = `/metadata/finalizers/${plan.finalizerIndex}`;
  return [rv, { op: 'test', path: at, value: localPathCleanupFinalizer }, { op: 'remove', path: at }];
}

export interface LocalPathCleanerOptions {
  client: RestClient;
  nodeName: string;
  /** This agent's local-path root. */
  root: string;
  logger: Logger;
  clock?: TimerClock;
}

export class LocalPathCleaner implements Reconciler {
  readonly informer: Informer<V1PersistentVolume>;
  private readonly controller: Controller;
  private readonly api: ApiClient;
  private readonly logger: Logger;

  constructor(private readonly o: LocalPathCleanerOptions) {
    this.logger = o.logger.child({ subsystem: 'local-path-cleanup' });
    this.api = new ApiClient({ client: o.client, qps: 0 });
    this.informer = new Informer<V1PersistentVolume>({ client: o.client, path: '/api/v1/persistentvolumes', labelSelector: `${localPathNodeLabel}=${o.nodeName}`, logger: this.logger });
    this.controller = new Controller({ registration: { name: 'local-path-cleanup', reconciler: this, watch: () => undefined }, logger: this.logger, ...(o.clock ? { clock: o.clock } : {}) });
    this.informer.addEventHandler(enqueueObject(this.controller.enqueue));
  }

  start(): void {
    this.informer.start();
    this.controller.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.informer.stop(), this.controller.stop()]);
  }

  async reconcile(key: ObjectKey): Promise<void> {
    const pv = this.informer.store.get(key.name);
    if (!pv) return;
    const plan = cleanupPlan(pv, this.o.nodeName, this.o.root);
    if (plan.action === 'none') return;
    const log = this.logger.child({ pv: key.name });
    if (plan.dir !== undefined) {
      const outcome = await removeVolumeDir(this.o.root, plan.dir).catch((e: unknown) => {
        // A symlink on the way does not go away by waiting: an administrator has to look (the finalizer stays).
        throw e instanceof UnsafePathError ? new TerminalError(`not removing ${plan.dir}: ${e.message}`, { cause: e }) : e;
      });
      log.info('local-path volume directory removed', { dir: plan.dir, outcome });
    } else {
      log.warn('local-path volume directory kept', { why: plan.why });
    }
    try {
      await this.api.send('PATCH', `/api/v1/persistentvolumes/${encodeURIComponent(key.name)}`, { body: JSON.stringify(releasePatch(plan)), contentType: 'application/json-patch+json' });
    } catch (e) {
      if (e instanceof NotFoundError) return;
      // A failed test (the PV changed) or a transient error: the queue retries with back-off, by then the cache is newer.
      throw e;
    }
    log.info('cleanup finalizer removed');
  }
}
