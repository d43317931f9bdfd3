// The Endpoints controller: keeps a core/v1 Endpoints object, named like its Service, listing
// the IPs and resolved ports of the pods the Service selects, ready apart from not ready. A
// level-based Reconciler keyed by Service over shared informers of Services, Pods and
// Endpoints. Services without a selector are left alone (their Endpoints are the user's);
// the Endpoints of a deleted Service are deleted.

import { isDeepStrictEqual } from 'node:util';
import type { Informer } from '../../common/client/informer.js';
import { ControllerBase, type ControllerDeps } from '../../common/controller/base.js';
import { enqueueMapped, enqueueObject } from '../../common/controller/handlers.js';
import { keyString, type InformerSource, type ObjectKey } from '../../common/controller/types.js';
import { NotFoundError } from '../../common/errors.js';
import { hasSelector } from './podEndpoint.js';
import { byNamespaceIndexers, podsSelectedBy, servicesSelecting } from './serviceIndex.js';
import { desiredSubsets } from './subsets.js';
import { endpointsResource, podsResource, servicesResource, type Endpoints, type EndpointSubset, type Pod, type Service } from './types.js';

export const endpointsControllerName = 'endpoints';
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';
export const headlessLabel = 'service.kubernetes.io/headless';

export type EndpointsControllerOptions = ControllerDeps;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The labels an Endpoints object carries: its Service's, plus the headless marker. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  return labels;
}

export class EndpointsController extends ControllerBase {
  private services: Informer<Service> | undefined;
  private pods: Informer<Pod> | undefined;
  private endpoints: Informer<Endpoints> | undefined;

  constructor(opts: EndpointsControllerOptions) {
    super({ name: endpointsControllerName, defaultWorkers: 5 }, opts);
  }

  watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const services = (this.services = source.informer<Service>(servicesResource, { indexers: byNamespaceIndexers }));
    this.pods = source.informer<Pod>(podsResource, { indexers: byNamespaceIndexers });
    this.endpoints = source.informer<Endpoints>(endpointsResource);
    services.addEventHandler(enqueueObject(enqueue));
    this.pods.addEventHandler(enqueueMapped<Pod>(enqueue, (pod) => servicesSelecting(services.store, pod)));
    // Someone else edited or deleted an Endpoints object: put it back as the Service says.
    this.endpoints.addEventHandler(enqueueObject(enqueue));
  }

  async reconcile(key: ObjectKey): Promise<void> {
    if (!this.services || !this.pods || !this.endpoints) throw new Error('endpoints controller used before watch()');
    const k = keyString(key);
    const namespace = key.namespace ?? '';
    const svc = this.services.store.get(k);
    if (!svc) {
      if (!this.endpoints.store.get(k)) return;
      try {
        await this.api.delete(endpointsResource, namespace, key.name);
        this.logger.debug('deleted the endpoints of a deleted service', { key: k });
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
      return;
    }
    if (!hasSelector(svc)) return;

    const { subsets, truncated } = desiredSubsets(svc, podsSelectedBy(this.pods.store, svc));
    const labels = endpointsLabels(svc);
    const current = this.endpoints.store.get(k);
    if (current && this.upToDate(current, subsets, labels, truncated)) return;

    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (truncated) annotations[overCapacityAnnotation] = 'truncated';
    else delete annotations[overCapacityAnnotation];
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(current?.metadata ?? {}),
        name: key.name,
        namespace,
        labels,
        ...(Object.keys(annotations).length ? { annotations } : {}),
      },
      subsets,
    };
    if (!Object.keys(annotations).length) delete body.metadata.annotations;
    try {
      if (current) await this.api.update(endpointsResource, body);
      else await this.api.create(endpointsResource, namespace, body);
    } catch (e) {
      this.events.event(svc, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', `Failed to ${current ? 'update' : 'create'} endpoint ${k}: ${message(e)}`);
      throw e;
    }
    this.logger.debug('wrote endpoints', { key: k, subsets: subsets.length });
  }

  private upToDate(current: Endpoints, subsets: EndpointSubset[], labels: Record<string, string>, truncated: boolean): boolean {
    const overCapacity = current.metadata.annotations?.[overCapacityAnnotation] === 'truncated';
    return overCapacity === truncated && isDeepStrictEqual(current.subsets ?? [], subsets) && isDeepStrictEqual(current.metadata.labels ?? {}, labels);
  }
}
