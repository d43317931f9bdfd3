// The node agent's settings: defaults < --config file < GANTRY_AGENT_* environment < flags,
// validated before anything starts so a typo fails with a clear message, not a half-joined node.

import type { JSONSchemaType } from 'ajv';
import { loadConfig } from '../../common/config.js';

export interface AgentConfig {
  /** Kubeconfig with the cluster CA and this node's bearer token. */
  kubeconfig: string;
  nodeName: string;
  /** Everything the agent keeps: runtime state, images, pod volumes. */
  root: string;
  /** The InternalIP advertised in the Node's addresses; the API server reaches the agent there. */
  address: string;
  /** HTTPS port of the logs/exec server. */
  port: number;
  listenHost: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** CA that signed the API server's client certificate. */
  clientCaFile: string;
  /** Client certificate names allowed to call the agent. */
  allowedClientNames: string[];
  registriesFile: string;
  /** Pod addresses; '' (default): the Node's spec.podCIDR, assigned by the controller manager's node IPAM. */
  podSubnet: string;
  bridge: string;
  /** Every pod address in the cluster (node IPAM's clusterCIDR): traffic inside it is not masqueraded. */
  clusterCidr: string;
  /**
   * How pods reach pods on other nodes: `vxlan` (an overlay of kernel vxlan devices, works
   * across subnets), `host-gw` (a route per node via its address; nodes must share a link),
   * `none` (one node, or someone else's network).
   */
  podNetwork: 'vxlan' | 'host-gw' | 'none';
  /** The interface whose address and MTU the overlay uses; '' = the one holding --address. */
  networkInterface: string;
  /** The service proxy: `iptables` programs Services into this host's netfilter; `none` leaves them. */
  proxyMode: 'iptables' | 'none';
  /** NodePort range the proxy opens (the API server's --service-node-port-range). */
  nodePortRange: string;
  cgroupRoot: string;
  /** Cluster DNS servers written into pods' resolv.conf for dnsPolicy ClusterFirst. */
  clusterDns: string[];
  clusterDomain: string;
  systemReservedCpu: string;
  systemReservedMemory: string;
  maxPods: number;
  /** Lease duration; the agent renews every quarter of it. */
  leaseDurationSeconds: number;
  /** How often the Node status is written when nothing changed. */
  nodeStatusReportSeconds: number;
  /** How often cgroup usage is sampled for /stats/summary (CPU is a rate over two samples). */
  statsIntervalSeconds: number;
  /** CrashLoopBackOff: first delay, doubling up to the maximum. */
  backoffInitialSeconds: number;
  backoffMaxSeconds: number;
  /** How often the runtime is relisted to notice exits (the kubelet's PLEG period). */
  relistMillis: number;
  /** MemoryPressure when MemAvailable is below this. */
  evictionMemoryAvailable: string;
  /** DiskPressure when the root filesystem has less than this percentage free. */
  evictionDiskFreePercent: number;
  logLevel: string;
}

const schema: JSONSchemaType<AgentConfig> = {
  type: 'object',
  properties: {
    kubeconfig: { type: 'string', minLength: 1 },
    nodeName: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' },
    root: { type: 'string', pattern: '^/' },
    address: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    listenHost: { type: 'string' },
    tlsCertFile: { type: 'string', minLength: 1 },
    tlsKeyFile: { type: 'string', minLength: 1 },
    clientCaFile: { type: 'string', minLength: 1 },
    allowedClientNames: { type: 'array', items: { type: 'string' }, minItems: 1 },
    registriesFile: { type: 'string' },
    podSubnet: { type: 'string', pattern: '^(\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+)?$' },
    bridge: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,15}$' },
    clusterCidr: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+$' },
    podNetwork: { type: 'string', enum: ['vxlan', 'host-gw', 'none'] },
    networkInterface: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{0,15}$' },
    proxyMode: { type: 'string', enum: ['iptables', 'none'] },
    nodePortRange: { type: 'string', pattern: '^\\d+-\\d+$' },
    cgroupRoot: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
    clusterDns: { type: 'array', items: { type: 'string' } },
    clusterDomain: { type: 'string' },
    systemReservedCpu: { type: 'string' },
    systemReservedMemory: { type: 'string' },
    maxPods: { type: 'integer', minimum: 1, maximum: 10000 },
    leaseDurationSeconds: { type: 'integer', minimum: 4, maximum: 3600 },
    nodeStatusReportSeconds: { type: 'integer', minimum: 1 },
    statsIntervalSeconds: { type: 'integer', minimum: 1, maximum: 300 },
    backoffInitialSeconds: { type: 'number', exclusiveMinimum: 0 },
    backoffMaxSeconds: { type: 'number', exclusiveMinimum: 0 },
    relistMillis: { type: 'integer', minimum: 50 },
    evictionMemoryAvailable: { type: 'string' },
    evictionDiskFreePercent: { type: 'number', minimum: 0, maximum: 100 },
    logLevel: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
  },
  required: ['kubeconfig', 'nodeName', 'root', 'tlsCertFile', 'tlsKeyFile', 'clientCaFile'],
  additionalProperties: false,
};

export const agentDefaults: Omit<AgentConfig, 'kubeconfig' | 'nodeName' | 'root' | 'tlsCertFile' | 'tlsKeyFile' | 'clientCaFile'> = {
  address: '127.0.0.1',
  port: 10250,
  listenHost: '0.0.0.0',
  allowedClientNames: ['gantry-apiserver-kubelet-client'],
  registriesFile: '',
  podSubnet: '',
  bridge: 'gantry0',
  // kube-controller-manager's and flannel's default; the node IPAM's too.
  clusterCidr: '10.244.0.0/16',
  podNetwork: 'none',
  networkInterface: '',
  proxyMode: 'none',
  nodePortRange: '30000-32767',
  cgroupRoot: 'gantry',
  clusterDns: [],
  clusterDomain: 'cluster.local',
  systemReservedCpu: '100m',
  systemReservedMemory: '256Mi',
  maxPods: 110,
  // Faster than the kubelet's 40 s: a dead node is noticed sooner (the mission: faster recovery).
  leaseDurationSeconds: 20,
  nodeStatusReportSeconds: 60,
  // metrics-server's default resolution is 15 s; 10 s keeps `top` close to now at ~0.1 ms of CPU per cgroup a second.
  statsIntervalSeconds: 10,
  backoffInitialSeconds: 10,
  backoffMaxSeconds: 300,
  relistMillis: 1000,
  evictionMemoryAvailable: '100Mi',
  evictionDiskFreePercent: 10,
  logLevel: 'info',
};

export function loadAgentConfig(argv: string[]): AgentConfig {
  return loadConfig(schema, agentDefaults, argv, 'GANTRY_AGENT');
}
