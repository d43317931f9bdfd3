// The sandbox (pause process, namespaces, network) config of a pod, as the kubelet makes
// it: the pod's hostname, its namespaces (node's or its own), host ports, identity labels,
// sysctls and DNS.

import os from 'node:os';
import type { HostsEntries, NamespaceOptions, PodSandboxConfig, PortMapping, Protocol } from '../cri/types.js';
import { podDnsConfig, type DnsOptions } from './dns.js';
import { PodSpecError } from './errors.js';
import { podIdentityLabels } from './labels.js';
import { podCgroupParent } from './resources.js';
import { allContainers, listAt, mapAt, type Pod } from './types.js';

export interface SandboxOptions {
  attempt: number;
  /** Absolute directory for the containers' logs. */
  logDirectory: string;
  /** Relative to the runtime's cgroup root; default podCgroupParent(pod). */
  cgroupParent?: string;
  dns: DnsOptions;
  /** What a hostNetwork pod sees as its hostname (it shares the node's); default os.hostname(). */
  nodeHostname?: string;
  /** Told about DNS fallbacks and truncations (the kubelet's events). */
  warn?(reason: string, message: string): void;
}

const maxHostnameLength = 63;

/** spec.hostname, else the pod's name, cut to 63 characters without a trailing `-` or `.`. */
export function podHostname(pod: Pod): string {
  const name = pod.spec.hostname || pod.metadata.name;
  if (name.length <= maxHostnameLength) return name;
  const cut = name.slice(0, maxHostnameLength).replace(/[-.]+$/, '');
  if (cut === '') throw new PodSpecError(`hostname ${JSON.stringify(name)} has no usable prefix`, pod.spec.hostname ? 'spec.hostname' : 'metadata.name');
  return cut;
}

/** The node's namespaces where the pod asks for them; a shared pid namespace with shareProcessNamespace. */
export function podNamespaceOptions(pod: Pod): NamespaceOptions {
  const s = pod.spec;
  return {
    network: s.hostNetwork === true ? 'NODE' : 'POD',
    pid: s.hostPID === true ? 'NODE' : s.shareProcessNamespace === true ? 'POD' : 'CONTAINER',
    ipc: s.hostIPC === true ? 'NODE' : 'POD',
  };
}

const protocols: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function portNumber(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw new PodSpecError(`${field} must be a port number (1-65535)`, field);
  return v;
}

/** Host ports of the pod's containers. A hostNetwork pod already listens on the node: none. */
export function portMappings(pod: Pod): PortMapping[] {
  if (pod.spec.hostNetwork === true) return [];
  const out: PortMapping[] = [];
  const seen = new Set<string>();
  pod.spec.containers.forEach((c, i) => {
    listAt(c.ports, `spec.containers[${i}].ports`).forEach((p, j) => {
      const field = `spec.containers[${i}].ports[${j}]`;
      const containerPort = portNumber(p.containerPort, `${field}.containerPort`);
      if (p.hostPort === undefined || p.hostPort === null || p.hostPort === 0) return;
      const hostPort = portNumber(p.hostPort, `${field}.hostPort`);
      const protocol = (p.protocol || 'TCP') as Protocol;
      if (!protocols.includes(protocol)) throw new PodSpecError(`${field}.protocol ${JSON.stringify(p.protocol)} is not supported`, `${field}.protocol`);
      const key = `${protocol}/${p.hostIP ?? ''}/${containerPort}/${hostPort}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ protocol, containerPort, hostPort, ...(p.hostIP ? { hostIp: p.hostIP } : {}) });
    });
  });
  return out;
}

/** `kernel/shm_rmid_forced` -> `kernel.shm_rmid_forced`; names may use either separator. */
export function dotSeparatedSysctl(name: string): string {
  const first = name.search(/[./]/);
  if (first < 0 || name[first] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

function sysctls(pod: Pod): Record<string, string> {
  const out: Record<string, string> = {};
  listAt(pod.spec.securityContext?.sysctls, 'spec.securityContext.sysctls').forEach((s, i) => {
    const field = `spec.securityContext.sysctls[${i}]`;
    if (typeof s?.name !== 'string' || s.name === '') throw new PodSpecError(`${field}.name is required`, `${field}.name`);
    if (typeof s.value !== 'string') throw new PodSpecError(`${field}.value must be a string`, `${field}.value`);
    out[dotSeparatedSysctl(s.name)] = s.value;
  });
  return out;
}

/**
 * The kubelet's extra /etc/hosts lines: a pod with a subdomain (a StatefulSet's, under its
 * headless Service) knows its own DNS name, and spec.hostAliases add names of the pod's own.
 */
function hostsEntries(pod: Pod, hostname: string, hostNetwork: boolean, clusterDomain: string): HostsEntries {
  const out: HostsEntries = {};
  const subdomain = pod.spec.subdomain;
  if (!hostNetwork && typeof subdomain === 'string' && subdomain !== '' && clusterDomain) out.fqdn = `${hostname}.${subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}`;
  const aliases = listAt(pod.spec.hostAliases, 'spec.hostAliases').map((a, i) => {
    if (typeof a?.ip !== 'string' || a.ip === '') throw new PodSpecError(`spec.hostAliases[${i}].ip is required`, `spec.hostAliases[${i}].ip`);
    return { ip: a.ip, hostnames: listAt(a.hostnames, `spec.hostAliases[${i}].hostnames`).filter((h): h is string => typeof h === 'string' && h !== '') };
  });
  if (aliases.length) out.aliases = aliases;
  return out;
}

export function sandboxConfig(pod: Pod, opts: SandboxOptions): PodSandboxConfig {
  const { name, namespace, uid } = pod.metadata;
  const namespaceOptions = podNamespaceOptions(pod);
  const hostname = namespaceOptions.network === 'NODE' ? (opts.nodeHostname ?? os.hostname()).slice(0, maxHostnameLength) : podHostname(pod);
  const config: PodSandboxConfig = {
    metadata: { name, namespace, uid, attempt: opts.attempt },
    hostname,
    logDirectory: opts.logDirectory,
    dnsConfig: podDnsConfig(pod, opts.dns, opts.warn),
    portMappings: portMappings(pod),
    labels: { ...mapAt(pod.metadata.labels, 'metadata.labels'), ...podIdentityLabels(pod.metadata) },
    annotations: { ...mapAt(pod.metadata.annotations, 'metadata.annotations') },
    linux: {
      cgroupParent: opts.cgroupParent ?? podCgroupParent(pod),
      securityContext: {
        namespaceOptions,
        // The sandbox is privileged when any container is, as the kubelet marks it.
        privileged: allContainers(pod).some((c) => c.securityContext?.privileged === true),
      },
      sysctls: sysctls(pod),
    },
  };
  const hosts = hostsEntries(pod, hostname, namespaceOptions.network === 'NODE', opts.dns.clusterDomain);
  if (hosts.fqdn || hosts.aliases) config.hosts = hosts;
  return config;
}
