// A pod's resolver configuration by its dnsPolicy, as the kubelet forms it:
//   ClusterFirst   the cluster DNS servers, search `<ns>.svc.<domain> svc.<domain> <domain>`
//                  then the node's search list, `ndots:5`; the node's config when no cluster
//                  DNS is configured, and for hostNetwork pods (unless ClusterFirstWithHostNet)
//   Default        the node's resolver config
//   None           only what the pod's dnsConfig says
// The pod's dnsConfig is then merged in: servers and searches appended without duplicates,
// options replacing same-named ones. Results are cut to resolver limits (3 servers,
// 32 search domains of at most 253 characters, 2048 characters of search line).

import type { DNSConfig } from '../cri/types.js';
import { PodSpecError } from './errors.js';
import { listAt, type Pod } from './types.js';

export interface DnsOptions {
  /** Cluster DNS server addresses (the kubelet's --cluster-dns); may be empty. */
  clusterDNS: string[];
  /** The cluster domain, e.g. `cluster.local`; empty: no cluster search domains. */
  clusterDomain: string;
  /** The node's resolver config (see parseResolvConf). */
  host: DNSConfig;
}

const maxServers = 3;
const maxSearches = 32;
const maxSearchLength = 253;
const maxSearchLineChars = 2048;

/** nameserver lines accumulate; the last search and options lines win (as in the resolver). */
export function parseResolvConf(text: string): DNSConfig {
  const out: DNSConfig = { servers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const [key, ...fields] = trimmed.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.servers.push(fields[0]);
    else if (key === 'search') out.searches = fields.filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    else if (key === 'options') out.options = fields;
  }
  return out;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function mergeOptions(existing: string[], pod: { name: string; value?: string }[]): string[] {
  const m = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i >= 0) m.set(op.slice(0, i), op.slice(i + 1));
    else m.set(op, '');
  }
  for (const op of pod) m.set(op.name, op.value ?? '');
  return [...m].map(([k, v]) => (v ? `${k}:${v}` : k));
}

function fitSearches(searches: string[], warn: (m: string) => void): string[] {
  let out = searches.slice(0, maxSearches);
  let cut = out.length < searches.length;
  const fitting = out.filter((s) => s.length <= maxSearchLength);
  cut ||= fitting.length < out.length;
  out = fitting;
  while (out.join(' ').length > maxSearchLineChars) {
    out = out.slice(0, -1);
    cut = true;
  }
  if (cut) warn(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`);
  return out;
}

export function podDnsConfig(pod: Pod, opts: DnsOptions, warn: (reason: string, message: string) => void = () => {}): DNSConfig {
  const policy = pod.spec.dnsPolicy || 'ClusterFirst';
  const hostNetwork = pod.spec.hostNetwork === true;
  let kind: 'cluster' | 'host' | 'none';
  switch (policy) {
    case 'None':
      kind = 'none';
      break;
    case 'ClusterFirstWithHostNet':
      kind = 'cluster';
      break;
    case 'ClusterFirst':
      kind = hostNetwork ? 'host' : 'cluster';
      break;
    case 'Default':
      kind = 'host';
      break;
    default:
      throw new PodSpecError(`spec.dnsPolicy ${JSON.stringify(policy)} is not supported`, 'spec.dnsPolicy');
  }
  if (kind === 'cluster' && opts.clusterDNS.length === 0) {
    warn('MissingClusterDNS', `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`);
    kind = 'host';
  }

  let dns: DNSConfig;
  if (kind === 'none') dns = { servers: [], searches: [], options: [] };
  else if (kind === 'host') dns = { servers: [...opts.host.servers], searches: [...opts.host.searches], options: [...opts.host.options] };
  else {
    const d = opts.clusterDomain;
    const clusterSearches = d ? [`${pod.metadata.namespace}.svc.${d}`, `svc.${d}`, d] : [];
    dns = { servers: [...opts.clusterDNS], searches: unique([...clusterSearches, ...opts.host.searches]), options: ['ndots:5'] };
  }

  const own = pod.spec.dnsConfig;
  if (own) {
    dns.servers = unique([...dns.servers, ...listAt(own.nameservers, 'spec.dnsConfig.nameservers')]);
    dns.searches = unique([...dns.searches, ...listAt(own.searches, 'spec.dnsConfig.searches')]);
    dns.options = mergeOptions(dns.options, listAt(own.options, 'spec.dnsConfig.options'));
  }
  if (dns.servers.length > maxServers) {
    dns.servers = dns.servers.slice(0, maxServers);
    warn('DNSConfigForming', `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${dns.servers.join(' ')}`);
  }
  dns.searches = fitSearches(dns.searches, (m) => warn('DNSConfigForming', m));
  return dns;
}
