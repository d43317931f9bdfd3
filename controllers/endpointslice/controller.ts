// The EndpointSlice controller: keeps the discovery.k8s.io/v1 EndpointSlices of every
// Service with a selector, labelled with the service's name and this controller's, owned by
// the Service (so the garbage collector removes them with it), at most maxEndpointsPerSlice
// endpoints each, with Kubernetes' ready/serving/terminating conditions. A level-based
// Reconciler keyed by Service over shared informers of Services, Pods and EndpointSlices.

import { controllerOf } from '../../common/api/ownerRefs.js';
import type { Informer } from '../../common/client/informer.js';
import { ControllerBase, type ControllerDeps } from '../../common/controller/base.js';
import { enqueueMapped, enqueueObject } from '../../common/controller/handlers.js';
import { keyString, type InformerSource, type ObjectKey, type ReconcileResult } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import { hasSelector } from '../endpoints/podEndpoint.js';
import { byNamespaceIndexers, podsSelectedBy, servicesSelecting } from '../endpoints/serviceIndex.js';
import { endpointSlicesResource, podsResource, servicesResource, type Pod, type Service } from '../endpoints/types.js';
import { planSlices } from './plan.js';
import { SliceExpectations } from './staleness.js';
import { controllerManagedBy, defaultMaxEndpointsPerSlice, managedByLabel, serviceNameLabel, type EndpointSlice } from './types.js';

export const endpointSliceControllerName = 'endpointslice';

export interface EndpointSliceControllerOptions extends ControllerDeps {
  /** kube-controller-manager's --max-endpoints-per-slice (1..1000). */
  maxEndpointsPerSlice?: number;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The key of the service a managed slice belongs to. */
function serviceOfSlice(slice: EndpointSlice): ObjectKey[] {
  const labels = slice.metadata.labels ?? {};
  if (labels[managedByLabel] !== controllerManagedBy || !labels[serviceNameLabel]) return [];
  return [{ namespace: slice.metadata.namespace ?? '', name: labels[serviceNameLabel] }];
}

/** Managed slices by `namespace/service`: a sync reads its own slices, not every slice. */
const sliceServiceIndex = 'endpointSliceService';
function bySliceService(slice: EndpointSlice): string[] {
  return serviceOfSlice(slice).map(keyString);
}

export class EndpointSliceController extends ControllerBase {
  readonly expectations: SliceExpectations;
  private readonly maxPerSlice: number;
  private services: Informer<Service> | undefined;
  private pods: Informer<Pod> | undefined;
  private slices: Informer<EndpointSlice> | undefined;

  constructor(opts: EndpointSliceControllerOptions) {
    super({ name: endpointSliceControllerName, defaultWorkers: 5 }, opts);
    this.maxPerSlice = opts.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
    this.expectations = new SliceExpectations(this.clock);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const services = (this.services = source.informer<Service>(servicesResource, { indexers: byNamespaceIndexers }));
    this.pods = source.informer<Pod>(podsResource, { indexers: byNamespaceIndexers });
    this.slices = source.informer<EndpointSlice>(endpointSlicesResource, { indexers: { [sliceServiceIndex]: bySliceService } });
    services.addEventHandler(enqueueObject(enqueue));
    this.pods.addEventHandler(enqueueMapped<Pod>(enqueue, (pod) => servicesSelecting(services.store, pod)));
    this.slices.addEventHandler(enqueueMapped<EndpointSlice>(enqueue, serviceOfSlice));
  }

  /** The managed slices labelled with this service's name, from the cache. */
  private slicesOf(namespace: string, name: string): EndpointSlice[] {
    return this.slices!.store.byIndex(sliceServiceIndex, keyString({ namespace, name }));
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    if (!this.services || !this.pods || !this.slices) throw new Error('endpointslice controller used before watch()');
    const k = keyString(key);
    const namespace = key.namespace ?? '';
    const svc = this.services.store.get(k);
    // A deleted Service's slices go with it through their owner reference (garbage collector).
    if (!svc) {
      this.expectations.forget(k);
      return;
    }
    const existing = this.slicesOf(namespace, key.name);
    if (!hasSelector(svc)) {
      // ExternalName services route nothing: their managed slices go. Selector-less ones
      // are the user's to fill (with their own slices), and the old ones stay as Kubernetes leaves them.
      if (svc.spec?.type !== 'ExternalName') return;
      await this.write(svc, k, { create: [], update: [], delete: existing.filter((s) => controllerOf(s)?.uid === svc.metadata.uid) });
      return;
    }
    if (!this.expectations.satisfied(k, (name) => this.slices!.store.get(`${namespace}/${name}`))) {
      this.logger.debug('slice cache behind this controller\'s writes; waiting', { key: k });
      return { requeueAfterMs: 1000 };
    }
    const plan = planSlices(svc, podsSelectedBy(this.pods.store, svc), existing, this.maxPerSlice);
    await this.write(svc, k, plan);
  }

  /** Creates first, then updates, then deletes, so endpoints never vanish between writes. */
  private async write(svc: Service, k: string, plan: { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] }): Promise<void> {
    if (plan.create.length + plan.update.length + plan.delete.length === 0) return;
    const namespace = svc.metadata.namespace ?? '';
    try {
      for (const s of plan.create) this.expectations.written(k, await this.api.create(endpointSlicesResource, namespace, s));
      for (const s of plan.update) this.expectations.written(k, await this.api.update(endpointSlicesResource, s));
      for (const s of plan.delete) {
        try {
          await this.api.delete(endpointSlicesResource, namespace, s.metadata.name ?? '', { preconditions: { uid: s.metadata.uid } });
        } catch (e) {
          if (!(e instanceof NotFoundError)) throw e;
        }
        this.expectations.deleted(k, s.metadata.name ?? '');
      }
    } catch (e) {
      this.events.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${k}: ${message(e)}`);
      throw e;
    }
    this.logger.debug('wrote endpoint slices', { key: k, created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length });
  }
}
