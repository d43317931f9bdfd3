// The stateless checks Kubernetes makes on a Service's spec: ports (numbers, names,
// protocols, duplicates), node ports within the node-port range, the type and what each
// type needs (ExternalName's externalName, no headless NodePort or LoadBalancer), cluster
// IPs well formed, session affinity and traffic policies from their supported values.
// Allocation (which cluster IP or node port is free, and within the configured ranges) is
// the allocators' work (registry/allocators/), not this.

import { isIP } from 'node:net';
import { isObject, type KubeObject } from '../../../common/api/meta.js';
import { checkLabel, checkSubdomain } from '../../../common/api/names.js';
import type { FieldCause } from '../../../common/errors.js';
import { labelValueErrors, qualifiedNameErrors } from '../../../common/selectors/validation.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';

type Obj = Record<string, unknown>;

/** The kubelet's port: a LoadBalancer may not expose it (clouds open firewalls for LB ports). */
const kubeletPort = 10250;
/** Longest ClientIP session affinity, one day. */
const maxAffinitySeconds = 86400;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const protocols = ['SCTP', 'TCP', 'UDP'] as const;
const sessionAffinities = ['ClientIP', 'None'] as const;
const trafficPolicies = ['Cluster', 'Local'] as const;
const ipFamilies = ['IPv4', 'IPv6'] as const;
const ipFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'] as const;

const oneOf = (list: readonly string[], v: unknown): boolean => typeof v === 'string' && list.includes(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function portNumberProblems(n: number): string[] {
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** An IANA service name, as a named container port (`http`, `metrics-1`). */
function portNameProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > 15) out.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) out.push('must contain at least one letter (a-z)');
  if (name.includes('--')) out.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

function ipProblems(field: string, ip: unknown): FieldCause[] {
  return typeof ip === 'string' && isIP(ip) !== 0 ? [] : [fe.invalid(field, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

function portCauses(p: Obj, path: string, requireName: boolean, names: Set<string>): FieldCause[] {
  const out: FieldCause[] = [];
  const name = str(p.name);
  if (name === '') {
    if (requireName) out.push(fe.required(`${path}.name`));
  } else {
    for (const m of checkLabel(name)) out.push(fe.invalid(`${path}.name`, name, m));
    if (names.has(name)) out.push(fe.duplicate(`${path}.name`, name));
    names.add(name);
  }
  if (typeof p.port === 'number') for (const m of portNumberProblems(p.port)) out.push(fe.invalid(`${path}.port`, p.port, m));
  if (!p.protocol) out.push(fe.required(`${path}.protocol`));
  else if (!oneOf(protocols, p.protocol)) out.push(fe.notSupported(`${path}.protocol`, p.protocol, protocols));
  if (typeof p.targetPort === 'number') for (const m of portNumberProblems(p.targetPort)) out.push(fe.invalid(`${path}.targetPort`, p.targetPort, m));
  else if (typeof p.targetPort === 'string') for (const m of portNameProblems(p.targetPort)) out.push(fe.invalid(`${path}.targetPort`, p.targetPort, m));
  if (typeof p.appProtocol === 'string') for (const m of qualifiedNameErrors(p.appProtocol)) out.push(fe.invalid(`${path}.appProtocol`, p.appProtocol, m));
  return out;
}

function portsCauses(spec: Obj, type: string): FieldCause[] {
  const out: FieldCause[] = [];
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p) => (isObject(p) ? p : {}));
  const names = new Set<string>();
  const seenPorts = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    out.push(...portCauses(p, path, ports.length > 1, names));
    // Two ports may share a number over different protocols (DNS on 53/TCP and 53/UDP).
    const key = `${str(p.protocol)}/${String(p.port)}`;
    if (seenPorts.has(key)) out.push(fe.duplicate(path, { port: p.port, protocol: p.protocol }));
    seenPorts.add(key);
    const nodePort = p.nodePort;
    if (typeof nodePort === 'number' && nodePort !== 0) {
      const nodeKey = `${str(p.protocol)}/${nodePort}`;
      if (seenNodePorts.has(nodeKey)) out.push(fe.duplicate(`${path}.nodePort`, nodePort));
      seenNodePorts.add(nodeKey);
      // Whether it lies in the configured node-port range is the allocator's answer (registry/allocators/).
      for (const m of portNumberProblems(nodePort)) out.push(fe.invalid(`${path}.nodePort`, nodePort, m));
    }
    if (type === 'LoadBalancer' && p.port === kubeletPort) {
      out.push(fe.invalid(path, p.port, `may not expose port ${kubeletPort} externally since it is used by kubelet`));
    }
  });
  return out;
}

function clusterIPCauses(spec: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  const clusterIP = str(spec.clusterIP);
  if (clusterIP !== '' && ips.length > 0 && ips[0] !== clusterIP) out.push(fe.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  ips.forEach((ip, i) => {
    if (ip === 'None') {
      if (i === 0 && ips.length > 1) out.push(fe.invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      if (i === 0) return;
    }
    out.push(...ipProblems(`spec.clusterIPs[${i}]`, ip));
  });
  if (ips.length > 2) out.push(fe.invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  const families = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  const seen = new Set<unknown>();
  families.forEach((f, i) => {
    if (!oneOf(ipFamilies, f)) out.push(fe.notSupported(`spec.ipFamilies[${i}]`, f, ipFamilies));
    if (seen.has(f)) out.push(fe.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && !oneOf(ipFamilyPolicies, spec.ipFamilyPolicy)) out.push(fe.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ipFamilyPolicies));
  return out;
}

function typeCauses(spec: Obj, type: string, headless: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  if (type === '') return [fe.required('spec.type')];
  if (!oneOf(serviceTypes, type)) return [fe.notSupported('spec.type', type, serviceTypes)];
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') out.push(fe.required('spec.ports'));
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) {
    out.push(fe.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0) out.push(fe.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0) out.push(fe.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined) out.push(fe.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    // A CNAME may end in a dot to mark it fully qualified.
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname === '') out.push(fe.required('spec.externalName'));
    else for (const m of checkSubdomain(cname)) out.push(fe.invalid('spec.externalName', cname, m));
  }
  return out;
}

function affinityCauses(spec: Obj): FieldCause[] {
  const affinity = spec.sessionAffinity;
  if (!affinity) return [fe.required('spec.sessionAffinity')];
  if (!oneOf(sessionAffinities, affinity)) return [fe.notSupported('spec.sessionAffinity', affinity, sessionAffinities)];
  const config = spec.sessionAffinityConfig;
  if (affinity === 'None') return config !== undefined ? [fe.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None')] : [];
  const why = 'when session affinity type is ClientIP';
  if (!isObject(config)) return [fe.required('spec.sessionAffinityConfig', why)];
  if (!isObject(config.clientIP)) return [fe.required('spec.sessionAffinityConfig.clientIP', why)];
  const timeout = config.clientIP.timeoutSeconds;
  const path = 'spec.sessionAffinityConfig.clientIP.timeoutSeconds';
  if (typeof timeout !== 'number') return [fe.required(path, why)];
  return timeout <= 0 || timeout > maxAffinitySeconds ? [fe.invalid(path, timeout, `must be greater than 0 and less than ${maxAffinitySeconds}`)] : [];
}

function policyCauses(spec: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  for (const field of ['externalTrafficPolicy', 'internalTrafficPolicy'] as const) {
    const v = spec[field];
    if (v !== undefined && v !== '' && !oneOf(trafficPolicies, v)) out.push(fe.notSupported(`spec.${field}`, v, trafficPolicies));
  }
  return out;
}

function selectorCauses(spec: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [k, v] of Object.entries(isObject(spec.selector) ? spec.selector : {})) {
    for (const m of qualifiedNameErrors(k)) out.push(fe.invalid('spec.selector', k, m));
    for (const m of labelValueErrors(str(v))) out.push(fe.invalid(`spec.selector[${k}]`, v, m));
  }
  return out;
}

/** Every stateless problem with a (defaulted) Service, none when it is valid. */
export function validateService(obj: KubeObject): FieldCause[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const type = str(spec.type);
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  const headless = (ips[0] ?? spec.clusterIP) === 'None';
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  return [
    ...typeCauses(spec, type, headless),
    ...portsCauses(spec, type),
    ...selectorCauses(spec),
    ...affinityCauses(spec),
    ...clusterIPCauses(spec),
    ...externalIPs.flatMap((ip, i) => ipProblems(`spec.externalIPs[${i}]`, ip)),
    ...policyCauses(spec),
  ];
}
