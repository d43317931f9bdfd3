// The records of one question about the cluster zone: pure, over a ClusterView, so the
// whole tree of names is table-tested without sockets. NXDOMAIN when the name does not
// exist; NODATA (NOERROR, no answers, the SOA for negative caching) when it exists without
// records of the asked type; AAAA is always NODATA (IPv4 cluster).

import type { Answer, RecordType } from 'dns-packet';
import type { ClusterView, PublishedEndpoint } from './clusterView.js';
import { isHeadless } from './clusterView.js';
import { labelsOf, parseName, type ClusterName } from './names.js';
import type { Service } from './types.js';

export interface ZoneSettings {
  /** `cluster.local`. */
  clusterDomain: string;
  /** Seconds, on every record and for negative caching. */
  ttl: number;
  /** The DNS server's own Service IP: `ns.dns.<zone>`. */
  nameserverIP: string;
  /** SOA serial; default: seconds since the epoch. */
  serial?: () => number;
}

export type Resolution =
  /** Answered here. `negative`: NXDOMAIN or NODATA, with the zone's SOA in the authority section. */
  | { kind: 'answer'; rcode: 'NOERROR' | 'NXDOMAIN'; answers: Answer[]; additionals: Answer[]; authorities: Answer[] }
  /** Not ours (outside the zone, or a reverse name of no cluster address): ask upstream. */
  | { kind: 'forward' }
  /** An ExternalName Service pointing outside the zone: answer the CNAME, then the target's records from upstream. */
  | { kind: 'chase'; answers: Answer[]; target: string }
  /** The caches are not filled yet: SERVFAIL, so resolvers try again rather than cache a false NXDOMAIN. */
  | { kind: 'servfail' };

export const dnsSchemaVersion = '1.1.0';

const fqdn = (...labels: string[]): string => labels.filter(Boolean).join('.');

/** `10.244.1.5` -> `10-244-1-5`: the name of an endpoint without a hostname. */
export const dashed = (ip: string): string => ip.replace(/\./g, '-');

export class ZoneResolver {
  private readonly zone: string;

  constructor(
    private readonly view: ClusterView,
    private readonly settings: ZoneSettings,
  ) {
    this.zone = labelsOf(settings.clusterDomain).join('.');
  }

  resolve(qname: string, qtype: RecordType | string): Resolution {
    return this.resolveDepth(qname, qtype, 0);
  }

  private resolveDepth(qname: string, qtype: string, depth: number): Resolution {
    const parsed = parseName(qname, this.settings.clusterDomain);
    if (parsed.zone === 'outside') return { kind: 'forward' };
    if (!this.view.synced()) return { kind: 'servfail' };
    if (parsed.zone === 'reverse') {
      const owners = this.view.owners(parsed.ip);
      if (owners.length === 0) return { kind: 'forward' };
      if (qtype !== 'PTR' && qtype !== 'ANY') return this.nodata();
      const targets = owners.map((o) => (o.kind === 'service' ? this.serviceName(o.namespace, o.service) : fqdn(o.hostname, this.serviceName(o.namespace, o.service))));
      return this.ok([...new Set(targets)].map((t) => this.rr(qname, 'PTR', t)));
    }
    return this.cluster(qname, qtype, parsed.name, depth);
  }

  private cluster(qname: string, qtype: string, n: ClusterName, depth: number): Resolution {
    switch (n.kind) {
      case 'apex':
        if (qtype === 'SOA') return this.ok([this.soa(qname)]);
        if (qtype === 'NS') return this.ok([this.rr(qname, 'NS', this.nsName())], [this.rr(this.nsName(), 'A', this.settings.nameserverIP)]);
        return this.nodata();
      case 'version':
        return qtype === 'TXT' || qtype === 'ANY' ? this.ok([this.rr(qname, 'TXT', dnsSchemaVersion)]) : this.nodata();
      case 'nameserver':
        return qtype === 'A' || qtype === 'ANY' ? this.ok([this.rr(qname, 'A', this.settings.nameserverIP)]) : this.nodata();
      case 'parent':
        return this.nodata();
      case 'none':
        return this.nxdomain();
      case 'namespace':
        return this.view.namespaceExists(n.namespace) ? this.nodata() : this.nxdomain();
      case 'pod':
        if (!this.view.namespaceExists(n.namespace)) return this.nxdomain();
        return qtype === 'A' || qtype === 'ANY' ? this.ok([this.rr(qname, 'A', n.ip)]) : this.nodata();
      case 'service':
      case 'protocol':
      case 'port':
      case 'endpoint': {
        const svc = this.view.service(n.namespace, n.service);
        if (!svc) return this.nxdomain();
        if (n.kind === 'service') return this.service(qname, qtype, svc, depth);
        if (n.kind === 'protocol') return this.namedPorts(svc, n.protocol).length > 0 ? this.nodata() : this.nxdomain();
        if (n.kind === 'port') return this.port(qname, qtype, svc, n.protocol, n.port);
        return this.endpoint(qname, qtype, svc, n.endpoint);
      }
    }
  }

  private service(qname: string, qtype: string, svc: Service, depth: number): Resolution {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      const target = (spec.externalName ?? '').replace(/\.$/, '');
      if (!target) return this.nodata();
      const cname = this.rr(qname, 'CNAME', target);
      if (qtype === 'CNAME') return this.ok([cname]);
      // A target inside the zone is ours to follow (bounded: a loop of ExternalNames ends).
      if (parseName(target, this.settings.clusterDomain).zone === 'cluster') {
        const looped = labelsOf(target).join('.') === labelsOf(qname).join('.');
        const next = depth < 8 && !looped ? this.resolveDepth(target, qtype, depth + 1) : undefined;
        if (next?.kind === 'answer') return { ...next, answers: [cname, ...next.answers] };
        return this.ok([cname]);
      }
      return { kind: 'chase', answers: [cname], target };
    }
    const targets = this.targets(svc);
    if (qtype === 'A' || qtype === 'ANY') return this.ok(targets.map((t) => this.rr(qname, 'A', t.ip)));
    if (qtype === 'SRV') return this.srv(qname, spec.ports ?? [], targets);
    return this.nodata();
  }

  private port(qname: string, qtype: string, svc: Service, protocol: string, port: string): Resolution {
    const ports = this.namedPorts(svc, protocol).filter((p) => p.name!.toLowerCase() === port);
    if (ports.length === 0) return this.nxdomain();
    if (qtype !== 'SRV' && qtype !== 'ANY') return this.nodata();
    return this.srv(qname, ports, this.targets(svc));
  }

  private endpoint(qname: string, qtype: string, svc: Service, label: string): Resolution {
    if (!isHeadless(svc)) return this.nxdomain();
    const matches = this.view.endpoints(svc).filter((e) => this.endpointLabel(e) === label);
    if (matches.length === 0) return this.nxdomain();
    return qtype === 'A' || qtype === 'ANY' ? this.ok(matches.map((e) => this.rr(qname, 'A', e.ip))) : this.nodata();
  }

  /** Where a Service's name points: its cluster IP, or for a headless Service each published endpoint. */
  private targets(svc: Service): { ip: string; name: string }[] {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    const svcName = this.serviceName(ns, name);
    if (isHeadless(svc)) return this.view.endpoints(svc).map((e) => ({ ip: e.ip, name: fqdn(this.endpointLabel(e), svcName) }));
    const ip = svc.spec?.clusterIP;
    return ip ? [{ ip, name: svcName }] : [];
  }

  /** SRV records (one per port and target), with the targets' A records as additionals. */
  private srv(qname: string, ports: { port?: number }[], targets: { ip: string; name: string }[]): Resolution {
    if (targets.length === 0) return this.nodata();
    const weight = Math.max(1, Math.floor(100 / targets.length));
    const answers: Answer[] = [];
    // The API refuses a Service port without a number; an object that lacks one anyway gets no record.
    for (const p of ports) if (p.port !== undefined) for (const t of targets) answers.push(this.rr(qname, 'SRV', { priority: 0, weight, port: p.port, target: t.name }));
    const additionals = targets.map((t) => this.rr(t.name, 'A', t.ip));
    return this.ok(answers, additionals);
  }

  private namedPorts(svc: Service, protocol: string): { name?: string; port?: number }[] {
    return (svc.spec?.ports ?? []).filter((p) => p.name && (p.protocol ?? 'TCP').toLowerCase() === protocol);
  }

  private endpointLabel(e: PublishedEndpoint): string {
    return (e.hostname ?? dashed(e.ip)).toLowerCase();
  }

  private serviceName(namespace: string, service: string): string {
    return fqdn(service, namespace, 'svc', this.zone);
  }

  private nsName(): string {
    return fqdn('ns', 'dns', this.zone);
  }

  private rr(name: string, type: string, data: unknown): Answer {
    return { name, type, class: 'IN', ttl: this.settings.ttl, data } as Answer;
  }

  private soa(name = this.zone): Answer {
    const serial = this.settings.serial?.() ?? Math.floor(Date.now() / 1000);
    return this.rr(name, 'SOA', { mname: this.nsName(), rname: fqdn('hostmaster', this.zone), serial, refresh: 7200, retry: 1800, expire: 86400, minimum: this.settings.ttl });
  }

  private ok(answers: Answer[], additionals: Answer[] = []): Resolution {
    if (answers.length === 0) return this.nodata();
    return { kind: 'answer', rcode: 'NOERROR', answers, additionals, authorities: [] };
  }

  private nodata(): Resolution {
    return { kind: 'answer', rcode: 'NOERROR', answers: [], additionals: [], authorities: [this.soa()] };
  }

  private nxdomain(): Resolution {
    return { kind: 'answer', rcode: 'NXDOMAIN', answers: [], additionals: [], authorities: [this.soa()] };
  }
}
