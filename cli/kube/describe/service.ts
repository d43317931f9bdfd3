// `describe service`: type, addresses, each port with its target and endpoints, session
// affinity and traffic policies, then events.

import { formatLabels } from '../../../common/selectors/labels.js';
import { annotationsMultiline, describeEvents, labelsMultiline } from './fields.js';
import { DescribeWriter } from './tabwriter.js';
import type { CoreEvent, EndpointSlice, Service } from './wire.js';

/**
 * `10.0.0.5:8080,10.0.0.6:8080 + 2 more...`: the ready endpoints of the named port (every
 * port when undefined) from the service's EndpointSlices, at most three, as kubectl 1.32 says it.
 */
export function endpointsText(slices: EndpointSlice[], portName: string | undefined): string {
  if (!slices.length) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (addr: string | undefined, ready: boolean, port?: number): void => {
    if (list.length === max) more = true;
    if (!more && ready && addr !== undefined) list.push(port === undefined ? addr : `${addr.includes(':') ? `[${addr}]` : addr}:${port}`);
    count++;
  };
  for (const s of slices) {
    if (!s.ports?.length) {
      for (const e of s.endpoints ?? []) add(e.addresses[0], e.conditions?.ready !== false);
      continue;
    }
    for (const p of s.ports) {
      if (portName !== undefined && (p.name ?? '') !== portName) continue;
      for (const e of s.endpoints ?? []) add(e.addresses[0], e.conditions?.ready !== false, p.port);
    }
  }
  const text = list.join(',');
  if (more) return `${text} + ${count - max} more...`;
  return text || '<none>';
}

export function describeService(svc: Service, ep: EndpointSlice[], events: CoreEvent[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const spec = svc.spec ?? {};
  w.line(0, 'Name:', svc.metadata?.name ?? '');
  w.line(0, 'Namespace:', svc.metadata?.namespace ?? '');
  labelsMultiline(w, 'Labels', svc.metadata?.labels);
  annotationsMultiline(w, 'Annotations', svc.metadata?.annotations);
  w.line(0, 'Selector:', formatLabels(spec.selector));
  w.line(0, 'Type:', spec.type ?? '');
  if (spec.ipFamilyPolicy) w.line(0, 'IP Family Policy:', spec.ipFamilyPolicy);
  w.line(0, 'IP Families:', spec.ipFamilies?.length ? spec.ipFamilies.join(',') : '<none>');
  w.line(0, 'IP:', spec.clusterIP ?? '');
  w.line(0, 'IPs:', spec.clusterIPs?.length ? spec.clusterIPs.join(',') : '<none>');
  if (spec.externalIPs?.length) w.line(0, 'External IPs:', spec.externalIPs.join(','));
  if (spec.loadBalancerIP) w.line(0, 'IP:', spec.loadBalancerIP);
  if (spec.externalName) w.line(0, 'External Name:', spec.externalName);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) w.line(0, 'LoadBalancer Ingress:', ingress.map((i) => i.ip || i.hostname || '').join(', '));
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    const proto = p.protocol ?? 'TCP';
    w.line(0, 'Port:', name, `${p.port}/${proto}`);
    w.line(0, 'TargetPort:', `${p.targetPort ?? p.port}/${proto}`);
    if (p.nodePort) w.line(0, 'NodePort:', name, `${p.nodePort}/${proto}`);
    w.line(0, 'Endpoints:', endpointsText(ep, p.name ?? ''));
  }
  if (!spec.ports?.length) w.line(0, 'Endpoints:', endpointsText(ep, undefined));
  w.line(0, 'Session Affinity:', spec.sessionAffinity ?? '');
  if (spec.externalTrafficPolicy) w.line(0, 'External Traffic Policy:', spec.externalTrafficPolicy);
  if (spec.internalTrafficPolicy) w.line(0, 'Internal Traffic Policy:', spec.internalTrafficPolicy);
  if (spec.healthCheckNodePort) w.line(0, 'HealthCheck NodePort:', spec.healthCheckNodePort);
  describeEvents(w, events, now);
  return w.text();
}
