// discovery.k8s.io/v1 EndpointSlice: the checks Kubernetes makes beyond the schema. The
// address type is one of IPv4, IPv6, FQDN and never changes; every address must be of
// that type; at most 1000 endpoints of at most 100 addresses each, at most 20000 ports
// with unique names; ports default to protocol TCP and name "" as in Kubernetes, so that
// two clients writing the same slice agree on what it holds.

import { isIPv4, isIPv6 } from 'node:net';
import { isObject, type KubeObject } from '../../../common/api/meta.js';
import { checkLabel, checkSubdomain } from '../../../common/api/names.js';
import type { FieldCause } from '../../../common/errors.js';
import { qualifiedNameErrors } from '../../../common/selectors/validation.js';
import { fieldErrors as fe, renderValue } from '../../validation/fieldErrors.js';
import type { Strategy } from '../strategy.js';

type Obj = Record<string, unknown>;

export const maxEndpointsPerSlice = 1000;
export const maxAddressesPerEndpoint = 100;
export const maxPortsPerSlice = 20_000;
const maxZoneHints = 8;
const maxNodeHints = 8;

const addressTypes = ['FQDN', 'IPv4', 'IPv6'] as const;
const protocols = ['SCTP', 'TCP', 'UDP'] as const;

function tooMany(field: string, actual: number, max: number): FieldCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A fully qualified domain name: at least two labels, a subdomain otherwise (k8s IsFullyQualifiedDomainName). */
function fqdnProblems(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.split('.').length < 2) return ['should be a domain with at least two segments separated by dots'];
  return checkSubdomain(trimmed);
}

function addressCauses(addressType: string, address: unknown, path: string): FieldCause[] {
  const a = str(address);
  switch (addressType) {
    case 'IPv4':
      return isIPv4(a) ? [] : [fe.invalid(path, address, 'must be a valid IPv4 address')];
    case 'IPv6':
      return isIPv6(a) ? [] : [fe.invalid(path, address, 'must be a valid IPv6 address')];
    case 'FQDN':
      return fqdnProblems(a).map((m) => fe.invalid(path, address, m));
    default:
      return [];
  }
}

function hintCauses(hints: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [field, max] of [['forZones', maxZoneHints], ['forNodes', maxNodeHints]] as const) {
    const entries = list(hints[field]);
    if (entries.length > max) out.push(tooMany(`${path}.${field}`, entries.length, max));
    const seen = new Set<string>();
    entries.forEach((e, i) => {
      const name = str(isObject(e) ? e.name : undefined);
      if (name === '') return out.push(fe.required(`${path}.${field}[${i}].name`));
      if (seen.has(name)) out.push(fe.duplicate(`${path}.${field}[${i}].name`, name));
      seen.add(name);
    });
  }
  return out;
}

function endpointCauses(ep: Obj, addressType: string, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const addresses = list(ep.addresses);
  if (addresses.length === 0) out.push(fe.required(`${path}.addresses`, 'must contain at least 1 address'));
  else if (addresses.length > maxAddressesPerEndpoint) out.push(tooMany(`${path}.addresses`, addresses.length, maxAddressesPerEndpoint));
  else addresses.forEach((a, i) => out.push(...addressCauses(addressType, a, `${path}.addresses[${i}]`)));
  if (typeof ep.hostname === 'string') for (const m of checkLabel(ep.hostname)) out.push(fe.invalid(`${path}.hostname`, ep.hostname, m));
  if (typeof ep.nodeName === 'string') for (const m of checkSubdomain(ep.nodeName)) out.push(fe.invalid(`${path}.nodeName`, ep.nodeName, m));
  if (isObject(ep.hints)) out.push(...hintCauses(ep.hints, `${path}.hints`));
  return out;
}

function portCauses(p: Obj, path: string, names: Set<string>): FieldCause[] {
  const out: FieldCause[] = [];
  const name = str(p.name);
  if (name !== '') for (const m of checkLabel(name)) out.push(fe.invalid(`${path}.name`, name, m));
  if (names.has(name)) out.push(fe.duplicate(`${path}.name`, name));
  names.add(name);
  if (p.protocol === undefined || p.protocol === '') out.push(fe.required(`${path}.protocol`));
  else if (!protocols.includes(p.protocol as (typeof protocols)[number])) out.push(fe.notSupported(`${path}.protocol`, p.protocol, protocols));
  // A port without a number means "all ports" (only meaningful to some consumers).
  if (p.port !== undefined && p.port !== null) {
    const n = p.port;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) out.push(fe.invalid(`${path}.port`, n, 'must be between 1 and 65535, inclusive'));
  }
  if (typeof p.appProtocol === 'string' && p.appProtocol !== '') for (const m of qualifiedNameErrors(p.appProtocol)) out.push(fe.invalid(`${path}.appProtocol`, p.appProtocol, m));
  return out;
}

export function validateEndpointSlice(obj: KubeObject): FieldCause[] {
  const out: FieldCause[] = [];
  const addressType = str(obj.addressType);
  if (addressType === '') out.push(fe.required('addressType'));
  else if (!addressTypes.includes(addressType as (typeof addressTypes)[number])) out.push(fe.notSupported('addressType', obj.addressType, addressTypes));

  const endpoints = list(obj.endpoints);
  if (endpoints.length > maxEndpointsPerSlice) out.push(tooMany('endpoints', endpoints.length, maxEndpointsPerSlice));
  else endpoints.forEach((ep, i) => isObject(ep) && out.push(...endpointCauses(ep, addressType, `endpoints[${i}]`)));

  const ports = list(obj.ports);
  if (ports.length > maxPortsPerSlice) out.push(tooMany('ports', ports.length, maxPortsPerSlice));
  else {
    const names = new Set<string>();
    ports.forEach((p, i) => isObject(p) && out.push(...portCauses(p, `ports[${i}]`, names)));
  }
  return out;
}

export function validateEndpointSliceUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  if (obj.addressType === old.addressType) return [];
  return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${renderValue(obj.addressType)}: field is immutable`, field: 'addressType' }];
}

export const endpointSliceStrategy: Strategy = {
  hasStatus: false,
  // Kubernetes bumps an EndpointSlice's generation on every change outside metadata.
  tracksGeneration: true,
  defaults(obj) {
    for (const p of list(obj.ports)) {
      if (!isObject(p)) continue;
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validate: validateEndpointSlice,
  validateUpdate: validateEndpointSliceUpdate,
};
