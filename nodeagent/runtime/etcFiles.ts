// The per-pod /etc/hosts, /etc/hostname and /etc/resolv.conf every container of the pod
// bind-mounts, written the way the kubelet writes them.

import fs from 'node:fs';
import type { DNSConfig, HostsEntries } from '../cri/types.js';

export function hostsFile(hostname: string, podIp: string | undefined, extra: HostsEntries = {}): string {
  const lines = [
    '# Kubernetes-managed hosts file (Gantry).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (podIp) lines.push(extra.fqdn ? `${podIp}\t${extra.fqdn}\t${hostname}` : `${podIp}\t${hostname}`);
  const aliases = (extra.aliases ?? []).filter((a) => a.hostnames.length);
  if (aliases.length) lines.push('', '# Entries added by HostAliases.', ...aliases.map((a) => `${a.ip}\t${a.hostnames.join('\t')}`));
  return lines.join('\n') + '\n';
}

/** The pod's DNS config, or the node's resolv.conf when the pod gives none. */
export function resolvConf(dns: DNSConfig | undefined, hostResolvConfPath: string): string {
  if (dns && (dns.servers.length || dns.searches.length || dns.options.length)) {
    const lines: string[] = [];
    if (dns.searches.length) lines.push(`search ${dns.searches.join(' ')}`);
    for (const s of dns.servers) lines.push(`nameserver ${s}`);
    if (dns.options.length) lines.push(`options ${dns.options.join(' ')}`);
    return lines.join('\n') + '\n';
  }
  try {
    return fs.readFileSync(hostResolvConfPath, 'utf8');
  } catch {
    return '';
  }
}
