// A Service's cluster IP and node ports, claimed the way kube-apiserver's Service storage
// does: IP family fields defaulted for a single-stack IPv4 cluster, a chosen value claimed
// or refused with Kubernetes' field error, a free one picked otherwise; on update only the
// difference is claimed, and what the old object held but the new one does not is freed
// once the write has landed. The object's own validation stays in kinds/serviceValidation.ts.

import { isIP } from 'node:net';
import { isObject, type KubeObject } from '../../../common/api/meta.js';
import { ApiError, InvalidError, type FieldCause } from '../../../common/errors.js';
import type { Logger } from '../../../common/logging.js';
import type { AllocationTxn, Allocator } from '../strategy.js';
import { ownerText, type ClaimOwner } from './claims.js';
import { AllocationError, type RangeAllocator } from './rangeAllocator.js';
import type { NodePortRange, ServiceIPRange } from './ranges.js';

type Obj = Record<string, unknown>;

export interface ServiceAllocatorDeps {
  /** Cluster IPs, over a ServiceIPRange. */
  ips: RangeAllocator<ServiceIPRange>;
  /** Node ports (and health-check node ports), over a NodePortRange. */
  ports: RangeAllocator<NodePortRange>;
  logger: Logger;
}

const specOf = (obj: KubeObject): Obj => (isObject(obj.spec) ? obj.spec : (obj.spec = {}));
const portsOf = (spec: Obj): Obj[] => (Array.isArray(spec.ports) ? spec.ports.filter(isObject) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const nodePortOf = (p: Obj): number | undefined => (typeof p.nodePort === 'number' && p.nodePort !== 0 ? p.nodePort : undefined);
/** How Go's %#v prints a []string in Kubernetes' field errors. */
const goStrings = (list: string[]): string => `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;

export const hasClusterIP = (spec: Obj): boolean => spec.type !== 'ExternalName' && (strings(spec.clusterIPs)[0] ?? spec.clusterIP) !== 'None';
export const usesNodePorts = (spec: Obj): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
/** A LoadBalancer with externalTrafficPolicy Local gets a node port for the cloud's health checks. */
export const needsHealthCheckPort = (spec: Obj): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

/** The cluster IPs a stored Service holds (not 'None'). */
export function heldClusterIPs(spec: Obj): string[] {
  if (spec.type === 'ExternalName') return [];
  return strings(spec.clusterIPs).filter((ip) => ip !== 'None' && ip !== '');
}

/** The node ports a stored Service holds, its health-check port included. */
export function heldNodePorts(spec: Obj): number[] {
  const out = new Set<number>();
  for (const p of portsOf(spec)) {
    const np = nodePortOf(p);
    if (np !== undefined) out.add(np);
  }
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort !== 0) out.add(spec.healthCheckNodePort);
  return [...out];
}

interface Held {
  allocator: RangeAllocator;
  value: string;
}

/** One write's claims (undone by revert) and the old object's values to free on commit. */
class ClaimTxn implements AllocationTxn {
  readonly claimed: Held[] = [];
  readonly releaseOnCommit: Held[] = [];
  constructor(
    private readonly owner: ClaimOwner,
    private readonly dryRun: boolean,
    private readonly logger: Logger,
  ) {}

  private async free(list: Held[], why: string): Promise<void> {
    if (this.dryRun) return;
    for (const h of list.splice(0)) {
      // A claim that fails to go is a leak, not a double allocation: the repair pass frees it.
      await h.allocator.release(h.value, this.owner).catch((e: unknown) => this.logger.warn('could not free a claim; repair will', { value: h.value, service: ownerText(this.owner), why, error: String(e) }));
    }
  }

  commit(): Promise<void> {
    this.claimed.length = 0;
    return this.free(this.releaseOnCommit, 'update released it');
  }

  revert(): Promise<void> {
    this.releaseOnCommit.length = 0;
    return this.free(this.claimed, 'write failed');
  }
}

export class ServiceAllocator implements Allocator {
  constructor(private readonly deps: ServiceAllocatorDeps) {}

  get ipRange(): ServiceIPRange {
    return this.deps.ips.range;
  }

  get portRange(): NodePortRange {
    return this.deps.ports.range;
  }

  async allocate(obj: KubeObject, old: KubeObject | undefined, opts: { dryRun: boolean }): Promise<AllocationTxn> {
    const owner = ownerOf(obj);
    const txn = new ClaimTxn(owner, opts.dryRun, this.deps.logger);
    try {
      const spec = specOf(obj);
      const oldSpec = old ? specOf(structuredClone(old)) : undefined;
      this.ipFamilyFields(obj, spec, oldSpec);
      await this.clusterIPs(obj, spec, oldSpec, owner, txn, opts.dryRun);
      await this.nodePorts(obj, spec, oldSpec, owner, txn, opts.dryRun);
      return txn;
    } catch (e) {
      await txn.revert();
      throw e;
    }
  }

  async release(obj: KubeObject): Promise<void> {
    const spec = specOf(structuredClone(obj));
    const txn = new ClaimTxn(ownerOf(obj), false, this.deps.logger);
    for (const ip of heldClusterIPs(spec)) txn.releaseOnCommit.push({ allocator: this.deps.ips, value: ip });
    for (const np of heldNodePorts(spec)) txn.releaseOnCommit.push({ allocator: this.deps.ports, value: String(np) });
    await txn.commit();
  }

  /** ipFamilyPolicy and ipFamilies, as a single-stack IPv4 cluster defaults and checks them. */
  private ipFamilyFields(obj: KubeObject, spec: Obj, oldSpec: Obj | undefined): void {
    if (spec.type === 'ExternalName') return;
    const invalid = (causes: FieldCause[]): InvalidError => new InvalidError('Service', obj.metadata.name ?? '', causes);
    const ips = strings(spec.clusterIPs);
    const headless = ips[0] === 'None';
    const selectorless = !isObject(spec.selector) || Object.keys(spec.selector).length === 0;
    // An update keeps the policy it had; a headless service without a selector may
    // resolve to endpoints of either family, so Kubernetes makes it dual-stack by default.
    spec.ipFamilyPolicy ??= (oldSpec?.type !== 'ExternalName' ? oldSpec?.ipFamilyPolicy : undefined) ?? (headless && selectorless ? 'RequireDualStack' : 'SingleStack');
    const policy = spec.ipFamilyPolicy;
    const families = strings(spec.ipFamilies);
    const causes: FieldCause[] = [];
    if (policy === 'SingleStack') {
      const why = (what: string): string => `must be 'RequireDualStack' or 'PreferDualStack' when multiple ${what} are specified`;
      if (ips.length === 2) causes.push(fieldInvalid('spec.ipFamilyPolicy', JSON.stringify(policy), why('cluster IPs')));
      if (families.length === 2) causes.push(fieldInvalid('spec.ipFamilyPolicy', JSON.stringify(policy), why('IP families')));
    }
    if (!headless) {
      ips.forEach((ip, i) => {
        if (i < families.length) return;
        if (isIP(ip) === 6) causes.push(fieldInvalid(`spec.clusterIPs[${i}]`, goStrings(ips), 'IPv6 is not configured on this cluster'));
        else if (isIP(ip) === 4) families.push('IPv4');
      });
    }
    if (causes.length) throw invalid(causes);
    if (headless && selectorless) {
      if (families.length === 0) families.push('IPv4');
      if (families.length < 2 && policy !== 'SingleStack') families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
      spec.ipFamilies = families;
      return;
    }
    if (policy === 'RequireDualStack') causes.push(fieldInvalid('spec.ipFamilyPolicy', JSON.stringify(policy), 'this cluster is not configured for dual-stack services'));
    families.forEach((f, i) => {
      if (f !== 'IPv4') causes.push(fieldInvalid(`spec.ipFamilies[${i}]`, JSON.stringify(f), 'not configured on this cluster'));
    });
    if (causes.length) throw invalid(causes);
    spec.ipFamilies = families.length ? families : ['IPv4'];
  }

  private async clusterIPs(obj: KubeObject, spec: Obj, oldSpec: Obj | undefined, owner: ClaimOwner, txn: ClaimTxn, dryRun: boolean): Promise<void> {
    const oldIPs = oldSpec ? heldClusterIPs(oldSpec) : [];
    const keep = new Set<string>();
    if (hasClusterIP(spec)) {
      const ips = strings(spec.clusterIPs);
      const wanted = ips[0] || (typeof spec.clusterIP === 'string' ? spec.clusterIP : '');
      let ip: string;
      if (wanted !== '' && oldIPs.includes(wanted)) {
        ip = wanted;
      } else if (wanted !== '') {
        let claimed = false;
        try {
          if (dryRun) await this.deps.ips.check(wanted, owner);
          else claimed = await this.deps.ips.allocate(wanted, owner);
        } catch (e) {
          throw this.ipError(obj, e, ips.length ? ips : [wanted]);
        }
        if (claimed) txn.claimed.push({ allocator: this.deps.ips, value: wanted });
        ip = wanted;
      } else if (dryRun) {
        // Like Kubernetes: a dry run does not race for a real free address; it shows the
        // range's network address as a stand-in.
        ip = this.ipRange.network;
      } else {
        try {
          ip = await this.deps.ips.allocateNext(owner);
        } catch (e) {
          throw this.ipError(obj, e, []);
        }
        txn.claimed.push({ allocator: this.deps.ips, value: ip });
      }
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      keep.add(ip);
    } else if (spec.type !== 'ExternalName') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    }
    for (const ip of oldIPs) if (!keep.has(ip)) txn.releaseOnCommit.push({ allocator: this.deps.ips, value: ip });
  }

  private ipError(obj: KubeObject, e: unknown, ips: string[]): Error {
    if (!(e instanceof AllocationError)) return e instanceof Error ? e : new Error(String(e));
    if (e.failure === 'Full') return internal('failed to allocate a serviceIP: range is full');
    const why = e.failure === 'NotInRange' ? `the provided IP (${e.value}) is not in the valid range. The range of valid IPs is ${this.ipRange.text}` : 'provided IP is already allocated';
    return new InvalidError('Service', obj.metadata.name ?? '', [fieldInvalid('spec.clusterIPs', goStrings(ips), `failed to allocate IP ${e.value}: ${why}`)]);
  }

  private async nodePorts(obj: KubeObject, spec: Obj, oldSpec: Obj | undefined, owner: ClaimOwner, txn: ClaimTxn, dryRun: boolean): Promise<void> {
    const old = new Set(oldSpec ? heldNodePorts(oldSpec) : []);
    const mine = new Set<number>();
    /** Dry-run stand-ins, as Kubernetes' dry run picks them: above the range, counting up. */
    let dummy = 32768;
    const take = async (port: number, field: string): Promise<void> => {
      if (old.has(port) || mine.has(port)) {
        mine.add(port);
        return;
      }
      let claimed = false;
      try {
        if (dryRun) await this.deps.ports.check(String(port), owner);
        else claimed = await this.deps.ports.allocate(String(port), owner);
      } catch (e) {
        throw this.portError(obj, e, field, port);
      }
      mine.add(port);
      if (claimed) txn.claimed.push({ allocator: this.deps.ports, value: String(port) });
    };
    const next = async (): Promise<number> => {
      if (dryRun) {
        dummy = Math.max(dummy, ...mine) + 1;
        mine.add(dummy);
        return dummy;
      }
      let port: number;
      try {
        port = Number(await this.deps.ports.allocateNext(owner));
      } catch (e) {
        throw this.portError(obj, e, '', 0);
      }
      mine.add(port);
      txn.claimed.push({ allocator: this.deps.ports, value: String(port) });
      return port;
    };

    if (usesNodePorts(spec)) {
      // A LoadBalancer may opt out of node ports; ports the user named are still honoured.
      const allocateMissing = spec.type === 'NodePort' || spec.allocateLoadBalancerNodePorts !== false;
      /** Service port -> node port: 53/TCP and 53/UDP share one node port. */
      const byServicePort = new Map<unknown, number>();
      const ports = portsOf(spec);
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i]!;
        const asked = nodePortOf(p);
        if (asked !== undefined) {
          await take(asked, `spec.ports[${i}].nodePort`);
        } else if (allocateMissing) {
          p.nodePort = byServicePort.get(p.port) ?? (await next());
        } else {
          continue;
        }
        byServicePort.set(p.port, p.nodePort as number);
      }
    }
    if (needsHealthCheckPort(spec)) {
      const asked = typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort !== 0 ? spec.healthCheckNodePort : undefined;
      if (asked !== undefined) await take(asked, 'spec.healthCheckNodePort');
      else spec.healthCheckNodePort = await next();
    }
    for (const port of old) if (!mine.has(port)) txn.releaseOnCommit.push({ allocator: this.deps.ports, value: String(port) });
  }

  private portError(obj: KubeObject, e: unknown, field: string, port: number): Error {
    if (!(e instanceof AllocationError)) return e instanceof Error ? e : new Error(String(e));
    if (e.failure === 'Full') return internal('failed to allocate a nodePort: range is full');
    const why = e.failure === 'NotInRange' ? `provided port is not in the valid range. The range of valid ports is ${this.portRange.text}` : 'provided port is already allocated';
    return new InvalidError('Service', obj.metadata.name ?? '', [fieldInvalid(field, String(port), why)]);
  }
}

function ownerOf(obj: KubeObject): ClaimOwner {
  const uid = obj.metadata.uid;
  return { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', ...(uid ? { uid } : {}) };
}

/** A field error whose value is already rendered the way Kubernetes prints it. */
function fieldInvalid(field: string, rendered: string, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${rendered}: ${detail}`, field };
}

/** Kubernetes answers an exhausted range with a 500 InternalError carrying this text. */
function internal(message: string): ApiError {
  return new ApiError('InternalError', `Internal error occurred: ${message}`);
}
