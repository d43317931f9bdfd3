// The ServiceAccount controller: every active namespace has a ServiceAccount named
// `default` (pods that name no ServiceAccount run as it). It is created with the namespace
// and again whenever it is deleted; a terminating namespace gets none (the API server
// would refuse it anyway). Keys are namespaces.

import type { KubeObject } from '../../common/api/meta.js';
import { isObject } from '../../common/api/meta.js';
import { resourceFor } from '../../common/api/resources.js';
import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import type { Clock } from '../../common/clock.js';
import type { ControllerRegistration, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from '../../common/controller/types.js';
import { AlreadyExistsError, ForbiddenError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';

export const serviceAccountControllerName = 'serviceaccount';

const namespaces = resourceFor('Namespace', '');
const serviceAccounts = resourceFor('ServiceAccount', '');

export interface ServiceAccountControllerConfig {
  workers: number;
  /** The ServiceAccounts every namespace gets. */
  names: string[];
}

export const serviceAccountControllerDefaults: ServiceAccountControllerConfig = { workers: 1, names: ['default'] };

export interface ServiceAccountControllerDeps {
  api: Api;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  config?: Partial<ServiceAccountControllerConfig>;
}

export function isTerminating(ns: KubeObject): boolean {
  return !!ns.metadata.deletionTimestamp || (isObject(ns.status) && ns.status.phase === 'Terminating');
}

export class ServiceAccountController implements Reconciler {
  readonly config: ServiceAccountControllerConfig;
  private readonly logger: Logger;
  private nsInformer: Informer<KubeObject> | undefined;
  private saInformer: Informer<KubeObject> | undefined;

  constructor(private readonly deps: ServiceAccountControllerDeps) {
    this.config = { ...serviceAccountControllerDefaults, ...deps.config };
    this.logger = deps.logger.child({ controller: serviceAccountControllerName });
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    this.nsInformer = source.informer<KubeObject>(namespaces);
    this.saInformer = source.informer<KubeObject>(serviceAccounts);
    const byNamespace = (ns: KubeObject): void => enqueue({ name: ns.metadata.name ?? '' });
    this.nsInformer.addEventHandler({ onAdd: byNamespace, onUpdate: (_o, ns) => byNamespace(ns) });
    const wanted = new Set(this.config.names);
    const bySa = (sa: KubeObject): void => {
      if (wanted.has(sa.metadata.name ?? '') && sa.metadata.namespace) enqueue({ name: sa.metadata.namespace });
    };
    // A default ServiceAccount deleted (or changed into a deletion) is made again.
    this.saInformer.addEventHandler({ onDelete: bySa, onUpdate: (_o, sa) => bySa(sa) });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.nsInformer || !this.saInformer) throw new Error('the ServiceAccount controller reconciled before watch()');
    const ns = this.nsInformer.store.get(key.name);
    if (!ns || isTerminating(ns)) return;
    for (const name of this.config.names) {
      const existing = this.saInformer.store.get(`${key.name}/${name}`);
      // One being deleted will be gone soon; its delete event brings us back.
      if (existing) continue;
      try {
        await this.deps.api.create(serviceAccounts, key.name, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: key.name } });
        this.logger.info('created a ServiceAccount', { key: key.name, serviceAccount: name });
      } catch (e) {
        // Already there (the cache lags), or the namespace went away or began terminating.
        if (e instanceof AlreadyExistsError || e instanceof NotFoundError || e instanceof ForbiddenError) continue;
        throw e;
      }
    }
  }
}

export function serviceAccountController(deps: ServiceAccountControllerDeps): ControllerRegistration {
  const c = new ServiceAccountController(deps);
  return { name: serviceAccountControllerName, reconciler: c, workers: c.config.workers, watch: (source, enqueue) => c.watch(source, enqueue) };
}
