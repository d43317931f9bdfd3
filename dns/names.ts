// Where a query name falls in the cluster's DNS tree (the Kubernetes DNS specification,
// kubernetes/dns docs/specification.md), before any lookup:
//
//   <zone>                                   apex: SOA, NS
//   dns-version.<zone>                       TXT "1.1.0"
//   ns.dns.<zone>                            the DNS server's own name (A: its Service IP)
//   <svc>.<ns>.svc.<zone>                    a Service
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>   a named port (SRV)
//   <host>.<svc>.<ns>.svc.<zone>             one endpoint of a headless Service
//   <a-b-c-d>.<ns>.pod.<zone>                a pod by address
//   <d>.<c>.<b>.<a>.in-addr.arpa             reverse lookups
//
// Names between them (svc.<zone>, <ns>.svc.<zone>, _tcp.<svc>...) exist only as parents of
// others: they answer NODATA when their children exist, NXDOMAIN otherwise. Everything
// outside the zone (and reverse names we do not know) goes upstream.

export type ClusterName =
  | { kind: 'apex' }
  | { kind: 'version' }
  | { kind: 'nameserver' }
  /** An empty non-terminal that always exists: svc.<zone>, pod.<zone>, dns.<zone>. */
  | { kind: 'parent' }
  | { kind: 'namespace'; namespace: string }
  | { kind: 'service'; namespace: string; service: string }
  | { kind: 'protocol'; namespace: string; service: string; protocol: string }
  | { kind: 'port'; namespace: string; service: string; protocol: string; port: string }
  | { kind: 'endpoint'; namespace: string; service: string; endpoint: string }
  | { kind: 'pod'; namespace: string; ip: string }
  /** Under the zone, but nothing of the tree: NXDOMAIN. */
  | { kind: 'none' };

export type ParsedName = { zone: 'cluster'; name: ClusterName } | { zone: 'reverse'; ip: string } | { zone: 'outside' };

/** Lower-case labels without the root; '' is the root. */
export function labelsOf(name: string): string[] {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === '' ? [] : n.split('.');
}

const protocols = new Set(['tcp', 'udp', 'sctp']);

/** `10-244-1-5` -> `10.244.1.5`; undefined when it is not four decimal octets. */
export function dashedIPv4(label: string): string | undefined {
  const parts = label.split('-');
  if (parts.length !== 4) return undefined;
  for (const p of parts) if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
  return parts.join('.');
}

/** `5.1.244.10.in-addr.arpa` -> `10.244.1.5`. */
function reverseIPv4(labels: string[]): string | undefined {
  if (labels.length !== 6 || labels[4] !== 'in-addr' || labels[5] !== 'arpa') return undefined;
  const octets = labels.slice(0, 4).reverse();
  return dashedIPv4(octets.join('-'));
}

/** `clusterDomain` as given by the flag (`cluster.local`). */
export function parseName(name: string, clusterDomain: string): ParsedName {
  const labels = labelsOf(name);
  const zone = labelsOf(clusterDomain);
  const ip = reverseIPv4(labels);
  if (ip) return { zone: 'reverse', ip };
  if (labels.length < zone.length || labels.slice(labels.length - zone.length).join('.') !== zone.join('.')) return { zone: 'outside' };
  return { zone: 'cluster', name: clusterName(labels.slice(0, labels.length - zone.length)) };
}

/** `rel`: the labels in front of the zone. */
function clusterName(rel: string[]): ClusterName {
  const n = rel.length;
  if (n === 0) return { kind: 'apex' };
  const top = rel[n - 1]!;
  if (top === 'dns-version') return n === 1 ? { kind: 'version' } : { kind: 'none' };
  if (top === 'dns') {
    if (n === 1) return { kind: 'parent' };
    return n === 2 && rel[0] === 'ns' ? { kind: 'nameserver' } : { kind: 'none' };
  }
  if (top === 'svc') {
    if (n === 1) return { kind: 'parent' };
    const namespace = rel[n - 2]!;
    if (n === 2) return { kind: 'namespace', namespace };
    const service = rel[n - 3]!;
    if (n === 3) return { kind: 'service', namespace, service };
    const below = rel[n - 4]!;
    if (below.startsWith('_')) {
      const protocol = below.slice(1);
      if (!protocols.has(protocol)) return { kind: 'none' };
      if (n === 4) return { kind: 'protocol', namespace, service, protocol };
      const port = rel[n - 5]!;
      return n === 5 && port.startsWith('_') && port.length > 1 ? { kind: 'port', namespace, service, protocol, port: port.slice(1) } : { kind: 'none' };
    }
    return n === 4 ? { kind: 'endpoint', namespace, service, endpoint: below } : { kind: 'none' };
  }
  if (top === 'pod') {
    if (n === 1) return { kind: 'parent' };
    const namespace = rel[n - 2]!;
    if (n === 2) return { kind: 'namespace', namespace };
    const ip = n === 3 ? dashedIPv4(rel[0]!) : undefined;
    return ip ? { kind: 'pod', namespace, ip } : { kind: 'none' };
  }
  return { kind: 'none' };
}
