// `kubectl get services` and `kubectl get endpoints`.

import type { V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../../common/api/meta.js';
import { formatLabels } from '../../common/selectors/labels.js';
import { age, ageColumn, as, nameColumn, nameOf } from './cells.js';
import { column, templatePrinter } from './types.js';
import type { TemplateCell } from './timed.js';

/** Endpoints shown before collapsing the rest into `+ N more...`. */
const MAX_ENDPOINTS_SHOWN = 3;

function loadBalancerAddresses(svc: V1Service): string[] {
  const seen = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) seen.add(ing.ip);
    else if (ing.hostname) seen.add(ing.hostname);
  }
  return [...seen].sort();
}

/** EXTERNAL-IP: explicit external IPs, load-balancer addresses (`<pending>` until assigned), or the external name. */
export function serviceExternalIP(svc: V1Service): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc);
      if (external.length > 0) return [...lb, ...external].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** PORT(S): `80/TCP`, or `80:30080/TCP` with a node port. */
export function servicePorts(svc: V1Service): string {
  const ports = (svc.spec?.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return ports.length > 0 ? ports.join(',') : '<none>';
}

export const servicePrinter = templatePrinter({
  columns: [
    nameColumn,
    column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'The virtual IP of the service inside the cluster.'),
    column('External-IP', 'string', 'Addresses the service is reachable at from outside the cluster.'),
    column('Port(s)', 'string', 'Ports the service exposes.'),
    ageColumn,
    column('Selector', 'string', 'Labels of the pods the service routes to.', { priority: 1 }),
  ],
  template(obj: KubeObject): TemplateCell[] {
    const svc = as<V1Service>(obj);
    const clusterIP = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP;
    return [
      nameOf(obj),
      svc.spec?.type ?? 'ClusterIP',
      clusterIP ? clusterIP : '<none>',
      serviceExternalIP(svc),
      servicePorts(svc),
      age(obj),
      formatLabels(svc.spec?.selector),
    ];
  },
});

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** ENDPOINTS: up to three `ip:port` entries, then `+ N more...`; `<none>` without subsets. */
export function formatEndpoints(ep: V1Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const shown: string[] = [];
  let total = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    // A headless service may have no ports: then the bare addresses are listed.
    const entries = ports.length === 0 ? addresses.map((a) => a.ip) : ports.flatMap((p) => addresses.map((a) => hostPort(a.ip, p.port)));
    total += entries.length;
    for (const e of entries) if (shown.length < MAX_ENDPOINTS_SHOWN) shown.push(e);
  }
  const list = shown.join(',');
  return total > shown.length ? `${list} + ${total - shown.length} more...` : list;
}

export const endpointsPrinter = templatePrinter({
  columns: [nameColumn, column('Endpoints', 'string', 'Ready addresses and ports backing the service.'), ageColumn],
  template(obj: KubeObject): TemplateCell[] {
    return [nameOf(obj), formatEndpoints(as<V1Endpoints>(obj)), age(obj)];
  },
});
