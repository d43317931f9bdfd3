// Keeps the `kubernetes` Service, Endpoints and EndpointSlice as kubernetesService.ts
// describes them: once when the API server starts, then every interval (kube-apiserver's
// endpoint reconciler runs every 10 s), creating what is missing, mending what was changed
// and re-creating what an update cannot mend. It writes through the API server's own
// stores (validation, defaulting, the cluster IP allocator, the watch cache), since the
// API server has no client identity of its own.

import type { KubeObject } from '../../common/api/meta.js';
import { realClock, type TimerClock } from '../../common/clock.js';
import { AlreadyExistsError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { PeriodicPass } from '../../common/periodic.js';
import type { ResourceStore } from '../registry/resourceStore.js';
import { keptObjects, type ControlPlaneAddress, type KeptObject } from './kubernetesService.js';

/** What the reconciler needs of a store (ResourceStore has it). */
export type KeptStore = Pick<ResourceStore, 'get' | 'create' | 'guaranteedUpdate' | 'delete'>;

export interface ControlPlaneReconcilerOptions extends ControlPlaneAddress {
  /** The API server's stores, by key (`/services`, `/endpoints`, `discovery.k8s.io/endpointslices`). */
  stores: ReadonlyMap<string, KeptStore>;
  logger: Logger;
  clock?: TimerClock;
  /** Default 10 s. */
  intervalMs?: number;
}

const fieldManager = 'kube-apiserver';

export type ReconcileOutcome = 'unchanged' | 'created' | 'updated' | 'recreated';

export class ControlPlaneReconciler {
  private readonly logger: Logger;
  private readonly kept: KeptObject[];
  private readonly periodic: PeriodicPass;

  constructor(private readonly opts: ControlPlaneReconcilerOptions) {
    this.periodic = new PeriodicPass(opts.clock ?? realClock, opts.intervalMs ?? 10_000, () => this.runOnce());
    this.logger = opts.logger.child({ subsystem: 'controlplane-endpoints' });
    this.kept = keptObjects(opts);
  }

  /** One pass over the three objects; a failure of one does not stop the others. */
  async runOnce(): Promise<Record<string, ReconcileOutcome | 'failed'>> {
    const out: Record<string, ReconcileOutcome | 'failed'> = {};
    for (const k of this.kept) {
      try {
        out[k.store] = await this.reconcile(k);
        if (out[k.store] !== 'unchanged') this.logger.info('control-plane object reconciled', { resource: k.store, name: k.desired.metadata.name, outcome: out[k.store] });
      } catch (e) {
        out[k.store] = 'failed';
        this.logger.warn('cannot reconcile a control-plane object', { resource: k.store, name: k.desired.metadata.name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }

  /** Runs a pass now and then every interval, until stop(). */
  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  private store(k: KeptObject): KeptStore {
    const s = this.opts.stores.get(k.store);
    if (!s) throw new Error(`no store ${k.store}`);
    return s;
  }

  private async reconcile(k: KeptObject): Promise<ReconcileOutcome> {
    const store = this.store(k);
    const { namespace, name } = k.desired.metadata as { namespace: string; name: string };
    let current: KubeObject | undefined;
    try {
      current = await store.get(namespace, name);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    if (!current) {
      await this.create(store, k);
      return 'created';
    }
    if (k.mustRecreate?.(current)) {
      await store.delete(namespace, name, { preconditions: { uid: current.metadata.uid } }).catch((e: unknown) => {
        if (!(e instanceof NotFoundError)) throw e;
      });
      await this.create(store, k);
      return 'recreated';
    }
    if (k.conforms(current)) return 'unchanged';
    await store.guaranteedUpdate(namespace, name, (c) => (k.conforms(c) ? c : k.repair(c)), { fieldManager });
    return 'updated';
  }

  private async create(store: KeptStore, k: KeptObject): Promise<void> {
    await store.create(k.desired.metadata.namespace, structuredClone(k.desired), { fieldManager }).catch((e: unknown) => {
      // Another API server (or our own previous pass) made it meanwhile: the next pass judges it.
      if (!(e instanceof AlreadyExistsError)) throw e;
    });
  }
}
