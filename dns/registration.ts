// The DNS server registers itself as kube-dns does in a kubeadm cluster, but with no pod:
// Service kube-system/kube-dns (selectorless, at --service-ip, ports dns 53/UDP and dns-tcp
// 53/TCP) and an EndpointSlice of the same name holding --advertise-address and the port
// it really listens on. A controller keeps both: re-created when deleted, mended when
// changed, labels others add left alone. Its identity (system:gantry-dns) may create and
// update these but not delete them, so a kube-dns Service at another cluster IP (immutable)
// is reported, not replaced.

import { isDeepStrictEqual as same } from 'node:util';
import type { KubeObject } from '../common/api/meta.js';
import type { Api } from '../common/client/api.js';
import { AlreadyExistsError, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import type { ControllerRegistration, InformerSource, ObjectKey } from '../common/controller/types.js';
import { endpointSlicesResource, managedByLabel, serviceNameLabel, servicesResource, type EndpointSlice, type Service } from './types.js';

export const dnsServiceNamespace = 'kube-system';
export const dnsServiceName = 'kube-dns';
export const dnsSliceManager = 'gantry-dns';
const fieldManager = 'gantry-dns';

export interface RegistrationSettings {
  serviceIP: string;
  advertiseAddress: string;
  /** The port the server listens on (the Service's targetPort, the slice's ports). */
  port: number;
}

const hasLabels = (o: KubeObject, labels: Record<string, string>): boolean => Object.entries(labels).every(([k, v]) => o.metadata.labels?.[k] === v);
const pick = <T extends object>(o: T, keys: (keyof T)[]): Partial<T> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Partial<T>;

export const serviceLabels = { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'gantry-dns' };
export const sliceLabels = { [serviceNameLabel]: dnsServiceName, [managedByLabel]: dnsSliceManager };

export function desiredService(s: RegistrationSettings): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: dnsServiceName, namespace: dnsServiceNamespace, labels: { ...serviceLabels } },
    spec: {
      type: 'ClusterIP',
      clusterIP: s.serviceIP,
      clusterIPs: [s.serviceIP],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: s.port },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: s.port },
      ],
    },
  };
}

export function desiredSlice(s: RegistrationSettings): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: dnsServiceName, namespace: dnsServiceNamespace, labels: { ...sliceLabels } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [s.advertiseAddress], conditions: { ready: true } }],
    ports: [
      { name: 'dns', port: s.port, protocol: 'UDP' },
      { name: 'dns-tcp', port: s.port, protocol: 'TCP' },
    ],
  };
}

/** Whether a stored Service says what we want (extra labels and defaulted fields are fine). */
export function serviceConforms(cur: Service, want: Service): boolean {
  const ports = (cur.spec?.ports ?? []).map((p) => pick(p, ['name', 'port', 'protocol', 'targetPort']));
  return hasLabels(cur, serviceLabels) && cur.spec?.type === 'ClusterIP' && cur.spec.selector === undefined && same(ports, want.spec!.ports);
}

export function sliceConforms(cur: EndpointSlice, want: EndpointSlice): boolean {
  return hasLabels(cur, sliceLabels) && cur.addressType === 'IPv4' && same(cur.endpoints, want.endpoints) && same(cur.ports, want.ports);
}

export interface RegistrationDeps extends RegistrationSettings {
  api: Api;
  logger: Logger;
  /** Look again this often even without events (a safety net). Default 60 s. */
  recheckMs?: number;
}

const theKey: ObjectKey = { namespace: dnsServiceNamespace, name: dnsServiceName };

export function registrationController(deps: RegistrationDeps): ControllerRegistration {
  let services: ReturnType<InformerSource['informer']> | undefined;
  let slices: ReturnType<InformerSource['informer']> | undefined;
  const ours = (o: KubeObject): boolean => o.metadata.namespace === dnsServiceNamespace && o.metadata.name === dnsServiceName;
  const logger = deps.logger.child({ controller: 'kube-dns-registration' });

  const ensureService = async (): Promise<void> => {
    const want = desiredService(deps);
    const cur = services!.store.get(`${dnsServiceNamespace}/${dnsServiceName}`) as Service | undefined;
    if (!cur) {
      await deps.api.create(servicesResource, dnsServiceNamespace, want, { fieldManager }).catch((e: unknown) => {
        if (!(e instanceof AlreadyExistsError)) throw e;
      });
      logger.info('registered the kube-dns Service', { clusterIP: deps.serviceIP });
      return;
    }
    if (cur.spec?.clusterIP !== deps.serviceIP) {
      logger.warn('the kube-dns Service has another cluster IP; delete it to let the DNS server register again', { has: cur.spec?.clusterIP, want: deps.serviceIP });
    }
    if (serviceConforms(cur, want)) return;
    const spec = { ...cur.spec, type: 'ClusterIP', ports: want.spec!.ports };
    delete spec.selector;
    await deps.api.update(servicesResource, { ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, ...serviceLabels } }, spec });
    logger.info('mended the kube-dns Service');
  };

  const ensureSlice = async (): Promise<void> => {
    const want = desiredSlice(deps);
    const cur = slices!.store.get(`${dnsServiceNamespace}/${dnsServiceName}`) as EndpointSlice | undefined;
    if (!cur) {
      await deps.api.create(endpointSlicesResource, dnsServiceNamespace, want, { fieldManager }).catch((e: unknown) => {
        if (!(e instanceof AlreadyExistsError)) throw e;
      });
      logger.info('registered the kube-dns EndpointSlice', { address: deps.advertiseAddress, port: deps.port });
      return;
    }
    if (sliceConforms(cur, want)) return;
    if (cur.addressType !== 'IPv4') {
      logger.warn('the kube-dns EndpointSlice is not IPv4 (immutable); delete it to let the DNS server register again', { addressType: cur.addressType });
      return;
    }
    await deps.api.update(endpointSlicesResource, { ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, ...sliceLabels } }, endpoints: want.endpoints, ports: want.ports });
    logger.info('mended the kube-dns EndpointSlice', { address: deps.advertiseAddress, port: deps.port });
  };

  return {
    name: 'kube-dns-registration',
    watch(source, enqueue) {
      const only = { onAdd: (o: KubeObject) => ours(o) && enqueue(theKey), onUpdate: (_: KubeObject, o: KubeObject) => ours(o) && enqueue(theKey), onDelete: (o: KubeObject) => ours(o) && enqueue(theKey) };
      services = source.informer(servicesResource);
      slices = source.informer(endpointSlicesResource);
      services.addEventHandler(only);
      slices.addEventHandler(only);
      // Nothing may exist yet: the first look must not wait for an event.
      enqueue(theKey);
    },
    reconciler: {
      async reconcile() {
        try {
          await ensureService();
          await ensureSlice();
        } catch (e) {
          // The cache was behind (a 404 on update after a delete): the next event or retry sees it.
          if (e instanceof NotFoundError) return { requeueAfterMs: 500 };
          throw e;
        }
        return { requeueAfterMs: deps.recheckMs ?? 60_000 };
      },
    },
  };
}
