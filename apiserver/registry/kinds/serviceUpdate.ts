// What a Service update carries over and drops before it is validated, and what may not
// change: the server-allocated values (cluster IP, node ports) survive a PUT or apply that
// leaves them out; a type change drops the values the new type has no use for, unless
// the client changed them itself. Claiming and freeing the values is the allocator's work.

import { isObject, type KubeObject } from '../../../common/api/meta.js';
import type { FieldCause } from '../../../common/errors.js';
import { fieldErrors as fe } from '../../validation/fieldErrors.js';

type Obj = Record<string, unknown>;

const specOf = (obj: KubeObject): Obj => (isObject(obj.spec) ? obj.spec : {});
const portsOf = (spec: Obj): Obj[] => (Array.isArray(spec.ports) ? spec.ports.filter(isObject) : []);
const ipsOf = (spec: Obj): string[] => (Array.isArray(spec.clusterIPs) ? spec.clusterIPs.filter((x): x is string => typeof x === 'string') : []);
const needsClusterIP = (spec: Obj): boolean => spec.type !== 'ExternalName';
const needsNodePorts = (spec: Obj): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const needsHealthCheckPort = (spec: Obj): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
const set = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && v !== 0;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Strategy.prepareForUpdate for Services. */
export function prepareServiceUpdate(obj: KubeObject, old: KubeObject): void {
  const spec = specOf(obj);
  const before = specOf(old);
  // A replaced object without the server's values keeps them (kubectl replace, apply).
  if (needsClusterIP(before) && needsClusterIP(spec)) {
    if (!set(spec.clusterIP) && !ipsOf(spec).length) {
      if (set(before.clusterIP)) spec.clusterIP = before.clusterIP;
      if (ipsOf(before).length) spec.clusterIPs = [...ipsOf(before)];
    } else if (!ipsOf(spec).length && spec.clusterIP === before.clusterIP && ipsOf(before).length) {
      spec.clusterIPs = [...ipsOf(before)];
    }
  }
  if (needsNodePorts(before) && needsNodePorts(spec)) {
    const used = new Set(portsOf(spec).map((p) => p.nodePort).filter(set));
    for (const p of portsOf(spec)) {
      if (set(p.nodePort)) continue;
      const match = portsOf(before).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP') && set(o.nodePort) && !used.has(o.nodePort));
      if (match) {
        p.nodePort = match.nodePort;
        used.add(match.nodePort);
      }
    }
  }
  if (needsHealthCheckPort(before) && needsHealthCheckPort(spec) && !set(spec.healthCheckNodePort)) spec.healthCheckNodePort = before.healthCheckNodePort;

  // A type change leaves the old type's values in a patched object: drop the ones the
  // client did not touch, so `kubectl patch -p '{"spec":{"type":"ClusterIP"}}'` just works.
  if (!needsClusterIP(spec) && needsClusterIP(before)) {
    if (same(spec.clusterIP, before.clusterIP)) delete spec.clusterIP;
    if (same(spec.clusterIPs, before.clusterIPs)) delete spec.clusterIPs;
    if (same(spec.ipFamilies, before.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, before.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (!needsNodePorts(spec) && needsNodePorts(before)) {
    const held = new Set(portsOf(before).map((p) => p.nodePort).filter(set));
    for (const p of portsOf(spec)) if (held.has(p.nodePort)) delete p.nodePort;
    if (same(spec.externalTrafficPolicy, before.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  }
  if (!needsHealthCheckPort(spec) && needsHealthCheckPort(before) && same(spec.healthCheckNodePort, before.healthCheckNodePort)) delete spec.healthCheckNodePort;
  if (spec.type !== 'LoadBalancer' && before.type === 'LoadBalancer' && same(spec.allocateLoadBalancerNodePorts, before.allocateLoadBalancerNodePorts)) delete spec.allocateLoadBalancerNodePorts;
}

/** Strategy.validateUpdate for Services: a cluster IP, once set, stays. */
export function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const spec = specOf(obj);
  const before = specOf(old);
  if (!needsClusterIP(spec) || !needsClusterIP(before) || !set(before.clusterIP)) return [];
  return same(spec.clusterIP, before.clusterIP) ? [] : [fe.invalid('spec.clusterIP', spec.clusterIP ?? '', 'field is immutable')];
}

/** A node port on a ClusterIP service would never be opened: Kubernetes refuses it. */
export function clusterIPNodePortCauses(obj: KubeObject): FieldCause[] {
  const spec = specOf(obj);
  if (spec.type !== 'ClusterIP') return [];
  return portsOf(spec).flatMap((p, i) => (set(p.nodePort) ? [fe.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")] : []));
}
