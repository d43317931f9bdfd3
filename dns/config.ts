// The cluster DNS server's typed configuration: defaults < config file (--config) <
// environment (GANTRY_DNS_<SETTING>) < flags, validated with ajv at start-up.
//
//   node dist/dns/main.js --kubeconfig K --listen-address IP --port 53 \
//     --advertise-address IP --cluster-domain cluster.local --service-ip 10.96.0.10 \
//     [--upstream 1.1.1.1,9.9.9.9:53] [--upstream-timeout-seconds 2] [--register true]

import fs from 'node:fs';
import net from 'node:net';
import type { JSONSchemaType } from 'ajv';
import { ConfigError, loadConfig } from '../common/config.js';
import { parseUpstream, resolvConfUpstreams, type Upstream } from './forwarder.js';

export interface DnsConfig {
  kubeconfig: string;
  /** Address the UDP and TCP sockets bind. */
  listenAddress: string;
  port: number;
  /** Where pods reach this server: the `kube-dns` EndpointSlice's address. '' = --listen-address (which must not then be 0.0.0.0). */
  advertiseAddress: string;
  clusterDomain: string;
  /** The `kube-dns` Service's cluster IP (the agents' --cluster-dns). */
  serviceIp: string;
  /** `IP[:port]` servers for names outside the cluster; empty = /etc/resolv.conf's nameservers. */
  upstream: string[];
  /** The file read when `upstream` is empty. */
  resolvConf: string;
  /** How long a forwarded query may take, every upstream tried, before SERVFAIL. */
  upstreamTimeoutSeconds: number;
  /** TTL of every answer and of negative caching. */
  ttlSeconds: number;
  /** Keep the `kube-dns` Service and EndpointSlice in kube-system (false: serve only). */
  register: boolean;
  logLevel: string;
}

const dnsLabel = '[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?';

export const dnsConfigSchema: JSONSchemaType<DnsConfig> = {
  type: 'object',
  properties: {
    kubeconfig: { type: 'string', minLength: 1 },
    listenAddress: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    advertiseAddress: { type: 'string' },
    clusterDomain: { type: 'string', pattern: `^${dnsLabel}(\\.${dnsLabel})*\\.?$`, maxLength: 200 },
    serviceIp: { type: 'string', minLength: 1 },
    upstream: { type: 'array', items: { type: 'string', minLength: 1 } },
    resolvConf: { type: 'string', minLength: 1 },
    upstreamTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 30 },
    ttlSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
    register: { type: 'boolean' },
    logLevel: { type: 'string', enum: ['error', 'warn', 'info', 'debug'] },
  },
  required: ['kubeconfig', 'listenAddress', 'port', 'advertiseAddress', 'clusterDomain', 'serviceIp', 'upstream', 'resolvConf', 'upstreamTimeoutSeconds', 'ttlSeconds', 'register', 'logLevel'],
  additionalProperties: false,
};

export const dnsConfigDefaults: Partial<DnsConfig> = {
  listenAddress: '0.0.0.0',
  port: 53,
  advertiseAddress: '',
  clusterDomain: 'cluster.local',
  // kubeadm's: the tenth address of 10.96.0.0/12.
  serviceIp: '10.96.0.10',
  upstream: [],
  resolvConf: '/etc/resolv.conf',
  upstreamTimeoutSeconds: 2,
  ttlSeconds: 5,
  register: true,
  logLevel: 'info',
};

/** The settings the server runs with, after the checks a schema cannot make. */
export interface ResolvedDnsConfig extends DnsConfig {
  upstreams: Upstream[];
  /** advertiseAddress, or listenAddress when that was left empty. */
  advertise: string;
  clusterDomain: string;
}

export function loadDnsConfig(argv: string[]): ResolvedDnsConfig {
  const cfg = loadConfig(dnsConfigSchema, dnsConfigDefaults, argv, 'GANTRY_DNS');
  const problems: string[] = [];
  if (!net.isIP(cfg.listenAddress)) problems.push(`--listen-address ${JSON.stringify(cfg.listenAddress)} is not an IP address`);
  if (!net.isIPv4(cfg.serviceIp)) problems.push(`--service-ip ${JSON.stringify(cfg.serviceIp)} is not an IPv4 address`);
  const advertise = cfg.advertiseAddress || cfg.listenAddress;
  if (!net.isIPv4(advertise) || advertise === '0.0.0.0') {
    problems.push(cfg.advertiseAddress ? `--advertise-address ${JSON.stringify(advertise)} must be an IPv4 address other than 0.0.0.0` : `--advertise-address is required when --listen-address is ${cfg.listenAddress}`);
  }
  let upstreams: Upstream[] = [];
  for (const u of cfg.upstream) {
    try {
      upstreams.push(parseUpstream(u));
    } catch (e) {
      problems.push(`--upstream: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  if (upstreams.length === 0) {
    let text = '';
    try {
      text = fs.readFileSync(cfg.resolvConf, 'utf8');
    } catch {
      // No resolv.conf: the server still answers the cluster zone; outside names get SERVFAIL.
    }
    upstreams = resolvConfUpstreams(text);
  }
  // Never forward to ourselves: a loop would hold every socket until the timeout.
  const self = (u: Upstream): boolean => u.port === cfg.port && (u.host === cfg.listenAddress || u.host === advertise || u.host === cfg.serviceIp);
  upstreams = upstreams.filter((u) => !self(u));
  return { ...cfg, clusterDomain: cfg.clusterDomain.toLowerCase().replace(/\.$/, ''), upstreams, advertise };
}
